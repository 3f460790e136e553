"""Apply a per-frame function to the `bytes` items of a wire stream, passing everything else through."""

from __future__ import annotations

from typing import Callable, Iterable, Iterator

from mockllm.core.events import WireItem


def each_frame(items: Iterable[WireItem], transform: Callable[[bytes], Iterable[bytes]]) -> Iterator[WireItem]:
    """Replace each `bytes` item by what `transform` makes of it; other items pass unchanged, in order."""
    for item in items:
        if isinstance(item, bytes):
            yield from transform(item)
        else:
            yield item
