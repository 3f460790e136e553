"""Send a stream's closing frames as their own write: a real-time gap after the wait marked `own_write`."""

from __future__ import annotations

from typing import Iterable, Iterator

from mockllm.core.events import Delay, Gap, WireItem


def own_writes(items: Iterable[WireItem], gap_ms: float) -> Iterator[WireItem]:
    """Turn each `Delay(own_write=True)` into its plain delay and a `Gap(gap_ms)`, so what follows is a separate read."""
    for item in items:
        if type(item) is Delay and item.own_write:
            if item.ms > 0:
                yield Delay(item.ms)
            yield Gap(gap_ms)
        else:
            yield item
