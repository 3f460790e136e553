"""Frame faults: the exact bytes of a malformed, duplicated or unseparated frame, pure and on a real socket."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from blocking_http import chat, write_scenarios

from mockllm.scenarios.faults.frames import split_ending, truncated, without_line_ending


@pytest.mark.parametrize(
    ("frame", "expected"),
    [
        pytest.param(b'data: {"a":"bcdefgh"}\n\n', b'data: {"a":"b\n\n', id="sse"),
        pytest.param(b'success: {"content":"xy"}\r\n', b'success: {"conten\r\n', id="crlf-line"),
        pytest.param('data: {"c":"你好你好"}\n\n'.encode(), 'data: {"c":"你\n\n'.encode(), id="never-inside-a-character"),
        pytest.param(b"data: [DONE]\n\n", b"data: \n\n", id="no-json"),
        pytest.param(b"{}\n", b"{\n", id="tiny"),
    ],
)
def test_truncated_cuts_the_body_in_half_and_keeps_the_ending(frame, expected):
    assert truncated(frame) == expected
    truncated(frame).decode("utf-8")  # whole characters only


@pytest.mark.parametrize(
    ("frame", "expected"),
    [
        pytest.param(b"data: x\n\n", b"data: x\n", id="sse-loses-its-blank-line"),
        pytest.param(b"success: x\r\n", b"success: x", id="crlf"),
        pytest.param(b"0\r\n\r\n", b"0\r\n", id="end-marker"),
        pytest.param(b"x", b"x", id="none"),
    ],
)
def test_without_line_ending(frame, expected):
    assert without_line_ending(frame) == expected


def test_split_ending():
    assert split_ending(b"data: x\r\n\r\n") == (b"data: x", b"\r\n\r\n")


SCENARIOS = {
    "plain": "",
    "malformed": "faults:\n  - {fault: malformed, after_deltas: 3}\n",
    "duplicate": "faults:\n  - {fault: duplicate, after_deltas: 3}\n",
    "missing-separator": "faults:\n  - missing_separator\n",
}


@pytest.fixture
def server(live_server, tmp_path: Path):
    return live_server(scenarios=write_scenarios(tmp_path, SCENARIOS), default="plain")


def sse_frames(raw_body: bytes) -> list[bytes]:
    return [event + b"\n\n" for event in raw_body.split(b"\n\n") if event]


def test_malformed_inserts_a_truncated_copy_of_the_frame_of_delta_3(server):
    plain = chat(server.port, "plain", keep_alive=False).response
    faulted = chat(server.port, "malformed", keep_alive=False).response
    frames = sse_frames(plain.body)  # role frame, then one per delta
    assert faulted.chunks == [*frames[:4], truncated(frames[3]), *frames[4:]]
    assert faulted.chunks[4].endswith(b"\n\n")
    with pytest.raises(json.JSONDecodeError):
        json.loads(faulted.chunks[4][len(b"data: ") :])


def test_duplicate_sends_the_frame_of_delta_3_twice(server):
    plain = chat(server.port, "plain", keep_alive=False).response
    faulted = chat(server.port, "duplicate", keep_alive=False).response
    frames = sse_frames(plain.body)
    assert faulted.chunks == [*frames[:4], frames[3], *frames[4:]]


def test_missing_separator_leaves_done_without_its_blank_line(server):
    plain = chat(server.port, "plain", keep_alive=False)
    faulted = chat(server.port, "missing-separator", keep_alive=False)
    assert plain.response.body.endswith(b"data: [DONE]\n\n")
    assert faulted.response.body == plain.response.body[:-1]
    assert faulted.terminated
