"""Timing faults: trickled bytes, keep-alive comments while queued, a slow first token."""

from __future__ import annotations

from pathlib import Path

import pytest
from blocking_http import chat, write_scenarios

from mockllm.core.events import Delay
from mockllm.scenarios.faults import StreamFacts, parse_fault

#: Timing-sensitive (real pacing, separate network reads): these run one at a time on one worker.
pytestmark = pytest.mark.xdist_group("serial")


def test_trickle_reshapes_a_frame_into_small_paced_writes():
    trickle = parse_fault({"fault": "trickle", "bytes_per_s": 4, "chunk_bytes": 2})
    frame = "好a".encode()
    assert list(trickle.reshape(frame)) == [Delay(500), frame[:2], Delay(500), frame[2:]]


@pytest.mark.parametrize(
    ("every_ms", "for_ms", "expected"),
    [
        pytest.param(1000, 2500, [b"*", Delay(1000), b"*", Delay(1000), b"*", Delay(500)], id="partial-last"),
        pytest.param(1000, 2000, [b"*", Delay(1000), b"*", Delay(1000)], id="exact"),
        pytest.param(1000, 0, [], id="no-queueing"),
    ],
)
def test_keepalive_beats_for_the_queueing_time(every_ms, for_ms, expected):
    keepalive = parse_fault({"fault": "keepalive", "every_ms": every_ms, "for_ms": for_ms})
    assert list(keepalive.strike(None, StreamFacts(b"*"))) == expected


def test_keepalive_text_replaces_the_dialect_heartbeat():
    keepalive = parse_fault({"fault": "keepalive", "for_ms": 10, "text": ": OPENROUTER PROCESSING\n\n"})
    assert list(keepalive.strike(None, StreamFacts(b": keep-alive\n\n"))) == [b": OPENROUTER PROCESSING\n\n", Delay(10)]


def test_slow_first_token_is_a_delay_before_anything():
    assert list(parse_fault({"fault": "slow_first_token", "ms": 8000}).strike(None, StreamFacts())) == [Delay(8000)]


SCENARIOS = {
    "plain": "",
    "trickle": "faults:\n  - {fault: trickle, bytes_per_s: 1000000}\n",
    "queued": "faults:\n  - {fault: keepalive, every_ms: 1000, for_ms: 3000}\n",
}


@pytest.fixture
def server(live_server, tmp_path: Path):
    return live_server(scenarios=write_scenarios(tmp_path, SCENARIOS), default="plain")


def test_trickle_sends_the_same_bytes_one_per_write(server):
    plain = chat(server.port, "plain", keep_alive=False).response
    trickled = chat(server.port, "trickle", keep_alive=False).response
    assert trickled.body == plain.body
    assert {len(chunk) for chunk in trickled.chunks} == {1}


def test_keepalive_comments_come_before_the_answer(server):
    plain = chat(server.port, "plain", keep_alive=False).response
    queued = chat(server.port, "queued", keep_alive=False).response
    assert queued.body == b": keep-alive\n\n" * 3 + plain.body
