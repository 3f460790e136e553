"""Cut `Text` and `Think` events into deltas of the configured unit."""

from __future__ import annotations

from typing import Iterable, Iterator

from ..events import Event, Text, Think
from ..tokens import SPLITTERS


def chunk(events: Iterable[Event], unit: str, per_delta: int = 1) -> Iterator[Event]:
    """Yield each text event as deltas of `per_delta` units; other events pass through."""
    split = SPLITTERS[unit]
    for event in events:
        if isinstance(event, (Text, Think)):
            kind = type(event)
            pieces = list(split(event.text))
            for i in range(0, len(pieces), per_delta):
                yield kind("".join(pieces[i : i + per_delta]))
        else:
            yield event
