"""Merge N frames into one write (`frames_per_write`)."""

from __future__ import annotations

from typing import Iterable, Iterator

from mockllm.core.events import Delay, WireItem


def coalesce(items: Iterable[WireItem], frames_per_write: int) -> Iterator[WireItem]:
    """Join every `frames_per_write` consecutive frames into one write.

    Delays between merged frames pass through before the merged write, so it
    goes out when its last frame was due. Content frames only: the wait before
    the closing frames or an error (`own_write`), and any other item (a Respond,
    a fault), first flushes the frames held so far, keeping the order.
    """
    held: list[bytes] = []
    for item in items:
        if isinstance(item, bytes):
            held.append(item)
            if len(held) == frames_per_write:
                yield b"".join(held)
                held.clear()
            continue
        if held and (type(item) is not Delay or item.own_write):
            yield b"".join(held)
            held.clear()
        yield item
    if held:
        yield b"".join(held)
