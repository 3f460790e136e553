"""The only code that sleeps: one scheduler for all open streams, writing each due item through its transport.

Every open stream is a `_Stream`: its wire items, its clock and its
`Transport` (`mockllm.delivery.transports`). The pacer keeps the streams waiting for a
later time in buckets of one millisecond and wakes once per bucket; at a
wake-up it advances every due stream, and each writes all its items that are
due with one transport write. So a delta costs about one socket write, not a
task wake-up, a timer and a future per stream. The stream's own task (the
request handler) sleeps on one future while the pacer plays its items, and
runs only the awaited transport calls (`open`, `end`, `close`, `respond`).

Timing rules, for one stream:
- An item is due at start + the sum of the `Delay`s before it (scaled by
  `speed`), so a slow event loop never accumulates drift: a stream a few
  milliseconds late catches up.
- Catching up never bursts: a write may come at most `CATCH_UP` (10 %) of its
  planned gap early relative to the previous write. When the server cannot
  keep up, every stream falls behind by the same share, each gap is a little
  longer and the streams stretch evenly (due streams are served oldest due
  first, each one write per wake-up); frames are never merged by accident.
- A `Gap` holds the next write until that many real milliseconds after the
  previous one (never scaled).
- No stream holds the event loop: a stream writes for at most `SLICE_S` per
  turn and the pacer yields to the event loop after `SLICE_S` of work, at
  speed 0 too.
- A stream whose transport holds more than `HIGH_WATER` unsent bytes waits
  (looked at again every `BACKOFF_S`) instead of awaiting a drain per write.
- `max_stream_s` ends every response, a hang or a speed-0 flood included.
- When the client leaves, the stream stops at its next turn and its task is
  cancelled by aiohttp; nothing is left scheduled.
"""

from __future__ import annotations

import array
import asyncio
import bisect
import heapq
import math
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Union

from mockllm.core.events import Abort, Close, Delay, Gap, Hang, Respond, WireItem
from mockllm.delivery.transports.base import HIGH_WATER, Transport

TICK_S = 0.001  # wake-up granularity: a due time is rounded up to the next millisecond
SLICE_S = 0.002  # the longest a stream writes, and the pacer runs, before the event loop gets a turn
CATCH_UP = 0.1  # a late write may shorten its planned gap by at most this fraction
BACKOFF_S = 0.005  # how soon a stream held by a full send buffer is looked at again
BATCH_BYTES = 64 * 1024  # due items joined into one transport write, at most
EARLY_S = 1e-5  # tolerance for rounding when comparing a due time with now
WRITE_LOG_LIMIT = 2000  # writes recorded per response in `Outcome.write_log`
#: Upper bounds (seconds) of the lateness histogram: how far behind its planned time a write went out.
LATENESS_BOUNDS_S = (0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
LATE_S = 0.005  # a write later than this counts as late
_FIRST_BOUND_S = LATENESS_BOUNDS_S[0]
_KEEP = 1 - CATCH_UP
_CLOCK_EVERY = 8  # writes between readings of the clock within one turn
HANGING = "hanging (fault)"


@dataclass
class Outcome:
    """How a response went, for the log, the journal and the metrics.

    `write_log` gives `[ms since started, bytes]` per write (ms rounded to 0.1)
    from `write_times` and `write_sizes` (compact arrays while the stream
    runs: clock times and byte counts), at most `WRITE_LOG_LIMIT` of them
    (then `write_log_truncated`); `started` is on the event loop's clock
    (`time.monotonic`). `lateness` counts writes
    per `LATENESS_BOUNDS_S` bucket (the last: later than every bound) and
    `lateness_sum_s` adds up every write's lateness.
    """

    status: int | None = 200  # None: no status line was sent
    writes: int = 0
    bytes: int = 0
    ended: str = "complete"
    started: float = field(default_factory=time.monotonic)
    write_times: array.array[float] = field(default_factory=lambda: array.array("d"))
    write_sizes: array.array[int] = field(default_factory=lambda: array.array("q"))
    write_log_truncated: bool = False
    close: tuple[int, str] | None = None  # the WebSocket close code and reason a close fault sent
    late_writes: int = 0
    lateness: list[int] = field(default_factory=lambda: [0] * (len(LATENESS_BOUNDS_S) + 1))
    lateness_sum_s: float = 0.0

    @property
    def write_log(self) -> list[list[float]]:
        """`[ms since started, bytes]` of each recorded write."""
        started = self.started
        return [[round((at - started) * 1000, 1), size] for at, size in zip(self.write_times, self.write_sizes)]

    def whole(self, status: int, size: int) -> None:
        """Note a complete response of `size` body bytes sent as one write."""
        self.status, self.writes, self.bytes = status, 1, size
        self.write_times.append(time.monotonic())
        self.write_sizes.append(size)


class _Turn:
    """Why a stream's task must act: a marker the scheduler hands back instead of a next due time."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


OPEN, END, EXPIRED, GONE, HUNG = (_Turn(n) for n in ("OPEN", "END", "EXPIRED", "GONE", "HUNG"))
_DONE = object()  # the items ran out
Step = Union[float, _Turn, Respond, Abort, Close]


class _Stream:
    """One open stream: its items, its planned clock, and where it stands."""

    __slots__ = (
        "transport", "items", "outcome", "speed", "start", "offset", "last_offset", "last_write",
        "not_before", "deadline", "opened", "pending", "hang", "hang_until", "waiter", "clock",
    )  # fmt: skip

    def __init__(self, transport: Transport, items: Iterator[WireItem], outcome: Outcome, speed: float, deadline: float, now: float) -> None:
        self.transport: Transport | None = transport
        self.items: Iterator[WireItem] | None = items
        self.outcome = outcome
        self.speed = speed
        self.start = self.last_write = self.not_before = now
        self.offset = self.last_offset = 0.0
        self.deadline = deadline
        self.opened = False
        self.pending: Any = None
        self.hang: Hang | None = None
        self.hang_until: float | None = None
        self.waiter: asyncio.Future[Step] | None = None
        self.clock = time.monotonic

    def advance(self) -> Step:
        """Write every item that is due; return when to look again, or what the stream's task must do."""
        now = self.clock()
        if now >= self.deadline:
            return EXPIRED
        if self.hang_until is not None:
            return HUNG if now >= self.hang_until else min(self.hang_until, self.deadline)
        transport = self.transport
        assert transport is not None and self.items is not None
        if transport.gone():
            return GONE
        if transport.buffered() > HIGH_WATER:
            return min(now + BACKOFF_S, self.deadline)
        items, speed, outcome = self.items, self.speed, self.outcome
        batch: list[bytes] = []
        size = 0
        turn_ends = now + SLICE_S
        item, self.pending = self.pending, None
        while True:
            if item is None:
                try:
                    item = next(items, _DONE)
                except Exception:
                    _flush(transport, batch)  # what was due before the failure still goes out
                    raise
            kind = type(item)
            if kind is Delay:
                self.offset += item.ms * speed / 1000
                item = None
                continue
            if kind is Gap:
                self.not_before = self.last_write + item.ms / 1000
                item = None
                continue
            planned = due = self.start + self.offset
            floor = self.last_write + (self.offset - self.last_offset) * _KEEP
            if floor > due:
                due = floor
            if self.not_before > due:
                due = self.not_before
            if due > now + EARLY_S or (kind is bytes and not self.opened):
                self.pending = item
                _flush(transport, batch)
                return OPEN if due <= now + EARLY_S else min(due, self.deadline)
            if kind is not bytes:
                _flush(transport, batch)
                return self._control(item, now)
            batch.append(item)
            size += len(item)
            self.last_write, self.last_offset = now, self.offset
            _record(outcome, now, len(item), now - planned)
            item = None
            if size >= BATCH_BYTES:
                _flush(transport, batch)
                batch, size = [], 0
                if transport.buffered() > HIGH_WATER:
                    return now
            if len(batch) % _CLOCK_EVERY == 0:  # a paced stream writes one item a turn: no need to read the clock again
                now = self.clock()
                if now >= turn_ends:
                    _flush(transport, batch)
                    return now

    def _control(self, item: Any, now: float) -> Step:
        """What a due item that is not bytes asks: the end, a hang (kept here), or the stream's task to act."""
        if item is _DONE:
            return END
        if type(item) is Hang:
            self.outcome.ended = HANGING
            self.hang = item
            self.hang_until = math.inf if item.ms is None else now + item.ms / 1000
            return min(self.hang_until, self.deadline)
        return item  # type: ignore[no-any-return]

    def forget(self) -> None:
        """Drop the references a finished stream holds (it may still sit in a bucket until its time comes)."""
        self.waiter = None
        self.transport = None
        self.items = None


def _flush(transport: Transport, batch: list[bytes]) -> None:
    if len(batch) == 1:
        transport.write(batch[0])
    elif batch:
        transport.write_many(batch)


def _record(outcome: Outcome, now: float, size: int, late: float) -> None:
    """Count one write in `outcome`: its size, its lateness, its place in the write log."""
    outcome.writes += 1
    outcome.bytes += size
    outcome.lateness_sum_s += late
    if late <= _FIRST_BOUND_S:
        outcome.lateness[0] += 1
    else:
        outcome.lateness[bisect.bisect_left(LATENESS_BOUNDS_S, late)] += 1
        if late > LATE_S:
            outcome.late_writes += 1
    if outcome.writes <= WRITE_LOG_LIMIT:
        outcome.write_times.append(now)
        outcome.write_sizes.append(size)
    else:
        outcome.write_log_truncated = True


class Pacer:
    """The scheduler of one event loop's streams; `play` one stream through it per response."""

    def __init__(self) -> None:
        self._buckets: dict[int, list[_Stream]] = {}
        self._ticks: list[int] = []  # heap of the bucket keys (due time in ms, rounded up)
        self._ready: deque[_Stream] = deque()  # due now: served at the next turn
        self._timer: asyncio.TimerHandle | asyncio.Handle | None = None
        self._timer_tick = math.inf
        self._running = False
        self.streams = 0  # open streams

    async def play(
        self, transport: Transport, items: Iterable[WireItem], outcome: Outcome, *, speed: float, max_stream_s: float | None = None
    ) -> None:
        """Send `items` through `transport` on schedule, noting in `outcome` how it went.

        The whole response, a hang included, ends by `max_stream_s`: then the
        connection is dropped wherever the stream is.
        """
        now = time.monotonic()
        stream = _Stream(transport, iter(items), outcome, speed, now + max_stream_s if max_stream_s else math.inf, now)
        self.streams += 1
        try:
            step = stream.advance()
            while True:
                if type(step) is float:
                    step = await self._wait(stream, step)
                elif step is OPEN:
                    await transport.open()
                    stream.opened = True
                    step = stream.advance()
                elif type(step) is Respond and stream.opened:
                    step = stream.advance()  # a response after the first byte cannot be sent: ignored
                else:
                    await _finish(transport, step, stream, max_stream_s)
                    return
        except ConnectionResetError:
            outcome.ended = "client went away"
            if not stream.opened:
                outcome.status = None  # nothing of a response was sent
        except asyncio.CancelledError:
            outcome.ended = "client went away" if transport.gone() else "server shutting down"
            if not stream.opened:
                outcome.status = None
            raise
        finally:
            self.streams -= 1
            stream.forget()

    async def _wait(self, stream: _Stream, due: float) -> Step:
        """Sleep until the scheduler has something for the stream's task to do."""
        waiter: asyncio.Future[Step] = asyncio.get_running_loop().create_future()
        stream.waiter = waiter
        self._schedule(stream, due)
        return await waiter

    def _schedule(self, stream: _Stream, due: float) -> None:
        if due <= time.monotonic():
            self._ready.append(stream)
            tick = -math.inf
        else:
            tick = math.ceil(due / TICK_S)
            bucket = self._buckets.get(tick)
            if bucket is None:
                self._buckets[tick] = [stream]
                heapq.heappush(self._ticks, tick)
            else:
                bucket.append(stream)
        if not self._running and tick < self._timer_tick:
            self._arm()

    def _arm(self) -> None:
        """Wake at the next turn when streams are due now, else at the earliest bucket."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        loop = asyncio.get_running_loop()
        if self._ready:
            self._timer, self._timer_tick = loop.call_soon(self._run), -math.inf
        elif self._ticks:
            self._timer_tick = self._ticks[0]
            self._timer = loop.call_at(self._timer_tick * TICK_S, self._run)
        else:
            self._timer_tick = math.inf

    def _run(self) -> None:
        """One turn: advance the due streams, oldest due first, for at most `SLICE_S`."""
        self._timer, self._timer_tick = None, math.inf
        self._running = True
        try:
            now = time.monotonic()
            ticks, buckets, ready = self._ticks, self._buckets, self._ready
            while ticks and ticks[0] * TICK_S <= now + EARLY_S:
                ready.extend(buckets.pop(heapq.heappop(ticks)))
            turn_ends = now + SLICE_S
            for _ in range(len(ready)):
                stream = ready.popleft()
                waiter = stream.waiter
                if waiter is None or waiter.done():
                    continue  # its task went away
                try:
                    step = stream.advance()
                except Exception as exc:  # the items raised: the stream's task re-raises it
                    waiter.set_exception(exc)
                    continue
                if type(step) is float:
                    self._schedule(stream, step)
                else:
                    stream.waiter = None
                    waiter.set_result(step)
                if time.monotonic() >= turn_ends:
                    break
        finally:
            self._running = False
            self._arm()


async def _finish(transport: Transport, step: Step, stream: _Stream, max_stream_s: float | None) -> None:
    """End the stream as `step` says, noting how in its outcome."""
    outcome = stream.outcome
    if step is END:
        await transport.end()
        return
    if type(step) is Respond:
        outcome.whole(step.status, len(step.body))
        await transport.respond(step)
        return
    if step is GONE:
        outcome.ended = "client went away"
        return
    if not stream.opened:
        outcome.status = None  # nothing of a response is sent
    if step is EXPIRED:
        limit = f"the maximum stream duration ({max_stream_s:g} s)"
        outcome.ended = f"hung until {limit}, then closed (fault)" if outcome.ended == HANGING else f"stopped at {limit}"
        transport.drop()
    elif type(step) is Abort:
        outcome.ended = "reset (fault)"
        transport.abort()
    elif type(step) is Close:
        if step.clean and step.code is not None:
            outcome.close = (step.code, step.reason)
        if step.clean and stream.opened:
            outcome.ended = "closed without the stream's terminator (fault)"
        else:
            outcome.ended = "closed mid-body (fault)" if stream.opened else "closed without a response (fault)"
        await transport.close(step)
    elif step is HUNG:
        assert stream.hang is not None
        outcome.ended = f"hung {stream.hang.ms:g} ms, then closed (fault)"
        await transport.close(Close(clean=False))
