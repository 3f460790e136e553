"""heartbeat_ms: a heartbeat after every N ms of planned quiet, splitting the delays."""

import pytest

from mockllm.core.events import Delay, Respond
from mockllm.stream.wire.heartbeat import heartbeats

#: Timing-sensitive (real pacing, separate network reads): these run one at a time on one worker.
pytestmark = pytest.mark.xdist_group("serial")

BEAT = b": keep-alive\n\n"


def total_delay(items):
    return sum(item.ms for item in items if isinstance(item, Delay))


def test_a_long_delay_is_split_around_heartbeats():
    items = [b"a", Delay(250), b"b"]
    out = list(heartbeats(items, 100, BEAT))
    assert out == [b"a", Delay(100), BEAT, Delay(100), BEAT, Delay(50), b"b"]


def test_quiet_time_adds_up_over_several_delays_and_restarts_at_each_write():
    items = [b"a", Delay(60), Delay(60), b"b", Delay(60), b"c"]
    out = list(heartbeats(items, 100, BEAT))
    assert out == [b"a", Delay(60), Delay(40), BEAT, Delay(20), b"b", Delay(60), b"c"]


def test_no_heartbeat_exactly_when_a_frame_is_due():
    assert list(heartbeats([b"a", Delay(100), b"b"], 100, BEAT)) == [b"a", Delay(100), b"b"]


def test_the_wait_for_the_first_frame_is_filled():
    out = list(heartbeats([Delay(300), b"a"], 100, BEAT))
    assert out == [Delay(100), BEAT, Delay(100), BEAT, Delay(100), b"a"]


def test_an_error_response_before_the_first_byte_stays_a_response():
    respond = Respond(429, b"{}")
    items = [Delay(300), respond]
    assert list(heartbeats(items, 100, BEAT)) == items


def test_a_trailing_delay_after_the_stream_started_is_filled():
    out = list(heartbeats([b"a", Delay(150)], 100, BEAT))
    assert out == [b"a", Delay(100), BEAT, Delay(50)]
    assert total_delay(out) == 150


def test_the_timeline_keeps_its_length():
    items = [Delay(333), b"a", Delay(1234.5), b"b", Delay(7)]
    out = list(heartbeats(items, 100, BEAT))
    assert total_delay(out) == total_delay(items)
    assert [i for i in out if isinstance(i, bytes) and i != BEAT] == [b"a", b"b"]
