"""Send a heartbeat after every N ms without a write, splitting the delays of long quiet periods."""

from __future__ import annotations

from typing import Generator, Iterable, Iterator

from mockllm.core.events import Delay, WireItem


def heartbeats(items: Iterable[WireItem], every_ms: float, heartbeat: bytes) -> Iterator[WireItem]:
    """Insert `heartbeat` after each `every_ms` of planned delay since the last write.

    Delays are held until the item that ends the quiet period is known: a quiet
    period is filled only once the stream has started or when it ends in a
    frame, so an error sent as an HTTP response before the first byte stays a
    response. Time is counted before speed scaling, so the bytes are the same
    at every speed.
    """
    started = False
    quiet = 0.0
    held: list[Delay] = []
    for item in items:
        if type(item) is Delay:
            held.append(item)
            continue
        fill = started or isinstance(item, bytes)
        for delay in held:
            if fill:
                quiet = yield from _fill(delay.ms, quiet, every_ms, heartbeat)
            else:
                yield delay
        held.clear()
        if isinstance(item, bytes):
            started = True
            quiet = 0.0
        yield item
    for delay in held:
        if started:
            quiet = yield from _fill(delay.ms, quiet, every_ms, heartbeat)
        else:
            yield delay


def _fill(ms: float, quiet: float, every_ms: float, heartbeat: bytes) -> Generator[WireItem, None, float]:
    """Yield `ms` of delay with a heartbeat wherever the quiet time passes `every_ms`; return the quiet left."""
    while quiet + ms > every_ms:
        step = every_ms - quiet
        if step > 0:
            yield Delay(step)
        yield heartbeat
        ms -= step
        quiet = 0.0
    if ms > 0:
        yield Delay(ms)
    return quiet + ms
