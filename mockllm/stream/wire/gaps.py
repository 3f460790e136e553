"""Leave a real-time gap between writes so each reaches the client as its own read."""

from __future__ import annotations

from typing import Iterable, Iterator

from mockllm.core.events import Gap, WireItem


def gaps(items: Iterable[WireItem], gap_ms: float) -> Iterator[WireItem]:
    """Put `Gap(gap_ms)` before every non-empty write that follows another one."""
    wrote = False
    for item in items:
        if isinstance(item, bytes) and item:
            if wrote:
                yield Gap(gap_ms)
            wrote = True
        yield item
