"""apply_wire: the composed transforms; break options never change the bytes, only where writes break."""

import pytest

from mockllm.core.events import Delay, Gap, Respond
from mockllm.scenarios.wire import DEFAULT_BREAK_GAP_MS
from mockllm.stream.wire import WireConfig, apply_wire

FRAMES = [f'data: {{"content":"{text}"}}\n\n'.encode() for text in ["你好", "，", "world", "😀!"]]
STREAM = [Delay(200), FRAMES[0], Delay(30), FRAMES[1], Delay(30), FRAMES[2], Delay(30), FRAMES[3], b"data: [DONE]\n\n"]
BEAT = b": keep-alive\n\n"


def writes(items):
    return [item for item in items if isinstance(item, bytes)]


BREAKS = [
    {"split_utf8": "first"},
    {"split_utf8": "every"},
    {"frames_per_write": 3},
    {"max_write_bytes": 7},
    {"frames_per_write": 2, "max_write_bytes": 50, "split_utf8": "every"},
    {"gap_ms": 5},
]


@pytest.mark.parametrize("options", BREAKS, ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()))
def test_break_options_keep_the_concatenation_and_the_timeline(options):
    out = list(apply_wire(STREAM, WireConfig(**options)))
    assert b"".join(writes(out)) == b"".join(writes(STREAM))
    assert sum(i.ms for i in out if isinstance(i, Delay)) == sum(i.ms for i in STREAM if isinstance(i, Delay))


def test_defaults_pass_the_stream_unchanged():
    assert list(apply_wire(STREAM, WireConfig())) == STREAM


def test_breaks_come_with_the_default_gap_between_writes():
    out = list(apply_wire([FRAMES[0]], WireConfig(split_utf8="first")))
    assert out == [FRAMES[0][:19], Gap(DEFAULT_BREAK_GAP_MS), FRAMES[0][19:]]


def test_rewrites_run_before_breaks_and_reach_the_heartbeat():
    config = WireConfig(line_ending="crlf", data_space=False, max_write_bytes=8, heartbeat_ms=100, gap_ms=0)
    out = list(apply_wire([b"data: x\n\n", Delay(150), b"data: y\n\n"], config, heartbeat=BEAT))
    assert out == [b"data:x\r\n", b"\r\n", Delay(100), b": keep-alive\r\n\r\n", Delay(50), b"data:y\r\n", b"\r\n"]


def test_the_scenario_heartbeat_text_wins_over_the_dialects():
    config = WireConfig(heartbeat_ms=100, heartbeat_text="\r\n")
    assert list(apply_wire([b"a", Delay(150)], config, heartbeat=BEAT)) == [b"a", Delay(100), b"\r\n", Delay(50)]


def test_no_heartbeat_where_the_dialect_has_none():
    items = [b"a", Delay(150)]
    assert list(apply_wire(items, WireConfig(heartbeat_ms=100), heartbeat=None)) == items


def test_a_response_passes_untouched():
    respond = Respond(429, "余额不足".encode())
    items = [Delay(100), respond]
    config = WireConfig(split_utf8="every", frames_per_write=2, max_write_bytes=1, heartbeat_ms=10, line_ending="crlf")
    assert list(apply_wire(items, config, heartbeat=BEAT)) == items
