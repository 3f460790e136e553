"""The shipped scenarios whose faults drop the connection, on a raw socket (they have no golden files)."""

from __future__ import annotations

import pytest
from blocking_http import chat, wait_for
from conftest import SCENARIOS
from regen_golden import golden_names

from mockllm.scenarios.loading import load_catalog
from mockllm.server.state import STATE

DROPPING = sorted(set(load_catalog(SCENARIOS).names) - set(golden_names()))
MAX_STREAM_S = 0.5


@pytest.fixture
def server(live_server):
    return live_server(max_stream_s=MAX_STREAM_S)


def test_reset_midstream_resets_after_five_deltas(server):
    reset = chat(server.port, "reset-midstream")
    assert (reset.response.status, reset.ended, reset.terminated) == (200, "reset", False)
    assert len(reset.events) == 6 and b'"role":"assistant"' in reset.events[0]  # the role frame, then 5 deltas


def test_close_without_done_ends_cleanly_without_finish_or_done(server):
    closed = chat(server.port, "close-without-done")
    assert (closed.ended, closed.terminated) == ("eof", True)
    assert b"[DONE]" not in closed.raw and b'"finish_reason":"stop"' not in closed.raw
    assert all(b'"content":' in event for event in closed.events)  # the role frame and every delta, nothing else


def test_hang_is_silent_after_three_deltas_until_the_maximum(server):
    hung = chat(server.port, "hang")
    assert (hung.ended, hung.terminated, len(hung.events)) == ("eof", False, 4)


def test_no_response_sends_nothing(server):
    silent = chat(server.port, "no-response")
    assert (silent.ended, silent.raw) == ("eof", b"")


@pytest.mark.parametrize("name", DROPPING)
@pytest.mark.parametrize("stream", [True, False], ids=["stream", "whole"])
def test_every_dropping_scenario_ends_by_itself_and_is_journaled(server, name, stream):
    exchange = chat(server.port, name, stream=stream)  # returns only once the server ended the connection
    assert exchange.ended in ("eof", "reset")
    if not stream and exchange.ended == "reset":
        assert exchange.raw == b""  # a whole answer is never partial
    state = server.app[STATE]
    assert wait_for(lambda: server.call(lambda: not state.tasks and list(state.journal)[-1].get("ended")))
