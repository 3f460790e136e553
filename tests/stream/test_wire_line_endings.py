"""line_ending: every line ending of every frame rewritten (this changes the bytes, by design)."""

import pytest

from mockllm.core.events import Delay
from mockllm.stream.wire.line_endings import line_endings, with_line_endings


@pytest.mark.parametrize(
    "frame, ending, expected",
    [
        (b"data: x\n\n", "crlf", b"data: x\r\n\r\n"),
        (b"data: x\r\n\r\n", "crlf", b"data: x\r\n\r\n"),
        (b"event: error\ndata: x\r\n", "crlf", b"event: error\r\ndata: x\r\n"),
        (b"success: {}\r\n", "lf", b"success: {}\n"),
        (b"data: x\n\n", "lf", b"data: x\n\n"),
        (b"", "crlf", b""),
    ],
    ids=["lf-to-crlf", "crlf-kept", "mixed-to-crlf", "crlf-to-lf", "lf-kept", "empty"],
)
def test_with_line_endings(frame, ending, expected):
    assert with_line_endings(frame, ending) == expected


def test_only_frames_are_rewritten():
    assert list(line_endings([Delay(1), b"a\n"], "crlf")) == [Delay(1), b"a\r\n"]
