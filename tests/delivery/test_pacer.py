"""The pacer on its own: a recording transport, the event loop's clock, no sockets.

Time is only ever checked as a lower bound a promise makes (never early,
never closer than a gap allows); how fast the pacer goes is measured in
`bench/`, not here.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from typing import Iterator, Sequence

import pytest

from mockllm.core.events import Abort, Close, Delay, Gap, Hang, Respond, WireItem
from mockllm.delivery.pacer import CATCH_UP, WRITE_LOG_LIMIT, Outcome, Pacer
from mockllm.delivery.transports.base import HIGH_WATER, Transport

#: Timing-sensitive (real pacing, separate network reads): these run one at a time on one worker.
pytestmark = pytest.mark.xdist_group("serial")


class Recorder(Transport):
    """Remembers each write with its time, and how the stream ended."""

    def __init__(self) -> None:
        self.writes: list[tuple[float, bytes]] = []
        self.calls: list[str] = []
        self.held = 0  # what `buffered` reports
        self.left = False

    async def open(self) -> None:
        self.calls.append("open")

    def write(self, data: bytes) -> None:
        self.writes.append((time.monotonic(), data))

    def write_many(self, parts: Sequence[bytes]) -> None:
        self.calls.append(f"write_many {len(parts)}")
        for part in parts:
            self.write(part)

    def buffered(self) -> int:
        return self.held

    def gone(self) -> bool:
        return self.left

    async def end(self) -> None:
        self.calls.append("end")

    def abort(self) -> None:
        self.calls.append("abort")

    def drop(self) -> None:
        self.calls.append("drop")

    async def close(self, item: Close) -> None:
        self.calls.append(f"close clean={item.clean}")

    async def respond(self, item: Respond) -> None:
        self.calls.append(f"respond {item.status}")

    @property
    def data(self) -> list[bytes]:
        return [data for _, data in self.writes]


async def play(items: Iterator[WireItem] | list[WireItem], speed: float = 1, max_stream_s: float | None = None) -> tuple[Recorder, Outcome]:
    transport, outcome = Recorder(), Outcome()
    await Pacer().play(transport, items, outcome, speed=speed, max_stream_s=max_stream_s)
    return transport, outcome


def paced(count: int, ms: float) -> list[WireItem]:
    items: list[WireItem] = []
    for i in range(count):
        items += [Delay(ms), b"%d" % i]
    return items


async def test_items_arrive_in_order_never_before_their_planned_time():
    started = time.monotonic()
    transport, outcome = await play(paced(10, 5))
    assert transport.data == [b"%d" % i for i in range(10)]
    assert all(at >= started + 0.005 * (i + 1) for i, (at, _) in enumerate(transport.writes))
    assert transport.calls == ["open", "end"]
    assert (outcome.status, outcome.writes, outcome.bytes, outcome.ended) == (200, 10, 10, "complete")


async def test_speed_scales_delays_and_zero_writes_due_items_in_one_transport_write():
    transport, outcome = await play(paced(50, 1000), speed=0)
    assert transport.data == [b"%d" % i for i in range(50)]
    assert transport.calls == ["open", "write_many 50", "end"]
    assert outcome.writes == 50


async def test_a_gap_holds_the_next_write_in_real_time_at_speed_zero():
    transport, _ = await play([b"a", Gap(30), b"b", Gap(30), b"c"], speed=0)
    (a, _), (b, _), (c, _) = transport.writes
    assert b - a >= 0.030 and c - b >= 0.030


async def test_a_late_stream_catches_up_without_bursting():
    """The loop is blocked for 100 ms mid-stream: afterwards no two writes come closer than the catch-up allows."""
    loop = asyncio.get_running_loop()
    loop.call_later(0.03, time.sleep, 0.1)
    transport, _ = await play(paced(20, 10))
    gaps = [b - a for (a, _), (b, _) in itertools.pairwise(transport.writes)]
    assert max(gaps) >= 0.09  # the block happened mid-stream
    assert min(gaps) >= 0.010 * (1 - CATCH_UP) - 1e-4


async def test_a_speed_zero_flood_lets_the_event_loop_serve_others():
    """Another callback runs while an endless speed-0 stream is being written."""
    loop = asyncio.get_running_loop()
    transport = Recorder()
    served = asyncio.Event()
    seen_then: list[int] = []

    def other() -> None:
        seen_then.append(len(transport.writes))
        served.set()

    def endless() -> Iterator[WireItem]:
        yield b"first"
        loop.call_soon(other)
        while True:
            yield b"x"

    task = asyncio.create_task(Pacer().play(transport, endless(), Outcome(), speed=0))
    await served.wait()
    assert not task.done()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert seen_then[0] >= 1
    written = len(transport.writes)
    await asyncio.sleep(0.01)
    assert len(transport.writes) == written  # nothing is written after cancellation


async def test_the_maximum_stream_duration_ends_an_endless_speed_zero_stream():
    transport, outcome = await play(itertools.repeat(b"x"), speed=0, max_stream_s=0.05)
    assert outcome.ended == "stopped at the maximum stream duration (0.05 s)"
    assert transport.calls[-1] == "drop"
    assert outcome.writes == len(transport.writes) > 0


async def test_a_full_send_buffer_holds_the_stream_until_it_drains():
    transport, outcome = Recorder(), Outcome()
    transport.held = HIGH_WATER + 1
    task = asyncio.create_task(Pacer().play(transport, [b"a", b"b"], outcome, speed=0))
    await asyncio.sleep(0.02)
    assert transport.data == [] and not task.done()
    transport.held = 0
    await task
    assert transport.data == [b"a", b"b"]


async def test_a_client_that_left_stops_the_stream():
    transport, outcome = Recorder(), Outcome()

    def items() -> Iterator[WireItem]:
        yield b"a"
        transport.left = True
        yield from itertools.repeat(b"x")

    await Pacer().play(transport, items(), outcome, speed=0)
    assert outcome.ended == "client went away"
    assert transport.data[0] == b"a" and "end" not in transport.calls


@pytest.mark.parametrize(
    ("item", "call", "ended", "status"),
    [
        pytest.param(Abort(), "abort", "reset (fault)", 200, id="abort"),
        pytest.param(Close(), "close clean=True", "closed without the stream's terminator (fault)", 200, id="close"),
        pytest.param(Close(clean=False), "close clean=False", "closed mid-body (fault)", 200, id="close-dirty"),
        pytest.param(Hang(20), "close clean=False", "hung 20 ms, then closed (fault)", 200, id="hang-ms"),
    ],
)
async def test_connection_items_after_the_first_byte(item, call, ended, status):
    transport, outcome = await play([b"a", item, b"never"])
    assert transport.data == [b"a"]
    assert (transport.calls[-1], outcome.ended, outcome.status) == (call, ended, status)


async def test_a_hang_before_any_byte_sends_no_status_line_and_ends_at_the_maximum():
    transport, outcome = await play([Hang(), b"never"], max_stream_s=0.05)
    assert (outcome.status, outcome.ended) == (None, "hung until the maximum stream duration (0.05 s), then closed (fault)")
    assert transport.calls == ["drop"]


async def test_a_response_before_the_first_byte_is_sent_whole_and_one_after_is_ignored():
    transport, outcome = await play([Delay(5), Respond(429, b"{}")])
    assert transport.calls == ["respond 429"]
    assert (outcome.status, outcome.writes, outcome.bytes) == (429, 1, 2)
    transport, outcome = await play([b"a", Respond(500, b"{}"), b"b"])
    assert transport.data == [b"a", b"b"] and outcome.status == 200


async def test_an_error_in_the_items_reaches_the_caller():
    def broken() -> Iterator[WireItem]:
        yield b"a"
        yield Delay(5)
        raise ValueError("broken generator")

    with pytest.raises(ValueError, match="broken generator"):
        await play(broken())


async def test_the_write_log_records_each_write_and_stops_at_its_limit():
    _, outcome = await play([b"ab", Delay(10), b"cde"])
    assert [size for _, size in outcome.write_log] == [2, 3]
    first, second = (ms for ms, _ in outcome.write_log)
    assert second - first >= 10 and all(round(ms, 1) == ms for ms, _ in outcome.write_log)
    assert not outcome.write_log_truncated
    _, outcome = await play([b"x"] * (WRITE_LOG_LIMIT + 5), speed=0)
    assert len(outcome.write_log) == WRITE_LOG_LIMIT and outcome.write_log_truncated
    assert outcome.writes == WRITE_LOG_LIMIT + 5


async def test_many_streams_share_one_pacer_and_each_keeps_its_order():
    pacer = Pacer()
    transports = [Recorder() for _ in range(50)]
    await asyncio.gather(*(pacer.play(t, paced(5, 2), Outcome(), speed=1) for t in transports))
    assert all(t.data == [b"0", b"1", b"2", b"3", b"4"] for t in transports)
    assert pacer.streams == 0
