"""data_space: `data:` fields with or without the space (this changes the bytes, by design)."""

import pytest

from mockllm.core.events import Delay
from mockllm.stream.wire.data_space import data_space


@pytest.mark.parametrize(
    "frame, space, expected",
    [
        (b"data: {}\n\n", False, b"data:{}\n\n"),
        (b"data:{}\n\n", True, b"data: {}\n\n"),
        (b"event: error\ndata: {}\n\n", False, b"event: error\ndata:{}\n\n"),
        (b"data: a\ndata: b\n\n", False, b"data:a\ndata:b\n\n"),
        (b'data: {"content":"data: x"}\n\n', False, b'data:{"content":"data: x"}\n\n'),
        (b"success: {}\r\n", False, b"success: {}\r\n"),
    ],
    ids=["drop-space", "add-space", "after-event-line", "every-data-line", "only-at-line-start", "not-sse"],
)
def test_data_space(frame, space, expected):
    assert list(data_space([frame], space)) == [expected]


def test_other_items_pass():
    assert list(data_space([Delay(2)], False)) == [Delay(2)]
