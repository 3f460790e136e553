"""Connection faults on a raw socket: reset, close, hang and no_response, each as the client sees it."""

from __future__ import annotations

from pathlib import Path

import pytest
from blocking_http import chat, wait_for, write_scenarios

from mockllm.server.state import STATE

#: Timing-sensitive (real pacing, separate network reads): these run one at a time on one worker.
pytestmark = pytest.mark.xdist_group("serial")

SCENARIOS = {
    "plain": "",
    "reset5": "faults:\n  - {fault: reset, after_deltas: 5}\n",
    "reset-first": "faults:\n  - {fault: reset, before_headers: true}\n",
    "close": "faults:\n  - close\n",
    "close3-dirty": "faults:\n  - {fault: close, after_deltas: 3, clean: false}\n",
    "close-first": "faults:\n  - {fault: close, before_headers: true}\n",
    "hang3": "faults:\n  - {fault: hang, after_deltas: 3}\n",
    "hang-ms": "faults:\n  - {fault: hang, after_deltas: 1, ms: 20}\n",
    "no-response": "faults:\n  - no_response\n",
    "step-reset": "  - disconnect: reset\n  - say: never sent\n",
}


@pytest.fixture
def server(live_server, tmp_path: Path):
    return live_server(scenarios=write_scenarios(tmp_path, SCENARIOS), default="plain", max_stream_s=0.5)


def last_entry(server):
    def ended():
        entries = server.call(lambda: list(server.app[STATE].journal))
        return entries and "ended" in entries[-1] and entries[-1]

    return wait_for(ended)


def test_reset_after_n_deltas_gives_those_deltas_then_econnreset(server):
    plain = chat(server.port, "plain", keep_alive=False)
    reset = chat(server.port, "reset5")
    assert reset.ended == "reset"
    assert reset.response.status == 200
    assert reset.events == plain.events[:6]  # the role frame and deltas 1..5, byte for byte
    assert not reset.terminated
    assert last_entry(server)["ended"] == "reset (fault)"


def test_reset_before_headers_sends_nothing(server):
    reset = chat(server.port, "reset-first")
    assert (reset.ended, reset.raw) == ("reset", b"")
    assert last_entry(server)["status"] is None


def test_close_ends_the_body_cleanly_without_finish_or_done(server):
    plain = chat(server.port, "plain", keep_alive=False)
    closed = chat(server.port, "close")
    assert plain.events[-1] == b"data: [DONE]" and b'"finish_reason":"stop"' in plain.events[-2]
    assert (closed.ended, closed.terminated) == ("eof", True)
    assert closed.events == plain.events[:-2]
    assert b"[DONE]" not in closed.raw
    assert last_entry(server)["ended"] == "closed without the stream's terminator (fault)"


def test_close_not_clean_ends_without_the_chunked_terminator(server):
    plain = chat(server.port, "plain", keep_alive=False)
    closed = chat(server.port, "close3-dirty")
    assert (closed.ended, closed.terminated) == ("eof", False)
    assert closed.events == plain.events[:4]
    assert last_entry(server)["ended"] == "closed mid-body (fault)"


def test_close_before_headers_is_an_empty_reply(server):
    closed = chat(server.port, "close-first")
    assert (closed.ended, closed.raw) == ("eof", b"")


def test_hang_keeps_the_connection_open_until_the_maximum_stream_duration(server):
    plain = chat(server.port, "plain", keep_alive=False)
    hung = chat(server.port, "hang3")  # returns only when the server closes the connection
    assert (hung.ended, hung.terminated) == ("eof", False)
    assert hung.events == plain.events[:4]
    entry = last_entry(server)
    assert entry["ended"] == "hung until the maximum stream duration (0.5 s), then closed (fault)"
    assert entry["duration_ms"] >= 500


def test_hang_for_ms_then_closes(server):
    hung = chat(server.port, "hang-ms")
    assert (hung.ended, hung.terminated, len(hung.events)) == ("eof", False, 2)
    assert last_entry(server)["ended"] == "hung 20 ms, then closed (fault)"


def test_no_response_sends_no_status_line_and_closes_at_the_maximum(server):
    silent = chat(server.port, "no-response")
    assert (silent.ended, silent.raw, silent.response.status) == ("eof", b"", 0)
    entry = last_entry(server)
    assert entry["status"] is None and entry["duration_ms"] >= 500


def test_a_disconnect_step_resets_where_it_stands(server):
    plain = chat(server.port, "plain", keep_alive=False)
    reset = chat(server.port, "step-reset")
    assert reset.ended == "reset"
    assert reset.events == plain.events[:-2]  # every delta of the `say`, no finish, no [DONE]


def test_a_whole_answer_with_a_reset_gets_no_response(server):
    reset = chat(server.port, "reset5", stream=False)
    assert (reset.ended, reset.raw) == ("reset", b"")


def test_the_maximum_stream_duration_stops_a_slow_normal_stream(server):
    slow = chat(server.port, "plain", headers={"X-Mock-Delay-Ms": "200", "X-Mock-Speed": "1"})
    assert (slow.ended, slow.terminated) == ("eof", False)
    assert last_entry(server)["ended"] == "stopped at the maximum stream duration (0.5 s)"
    assert wait_for(lambda: server.call(lambda: not server.app[STATE].tasks))
