"""Put a `Delay` before every delta (text, reasoning, tool call, argument fragment): the first token's wait, then the pace."""

from __future__ import annotations

import random
from typing import Iterable, Iterator

from ..events import DELTAS, Delay, Event


def pace(
    events: Iterable[Event],
    rng: random.Random,
    *,
    delay_ms: float,
    first_token_ms: float,
    jitter_ms: float = 0.0,
) -> Iterator[Event]:
    """Yield events with a Delay before each delta; jitter is uniform within +/- jitter_ms."""
    first = True
    steady = Delay(delay_ms)  # frozen, so one instance serves every delta without jitter
    for event in events:
        if isinstance(event, DELTAS):
            if first:
                wait = first_token_ms
                first = False
            else:
                wait = delay_ms + (rng.uniform(-jitter_ms, jitter_ms) if jitter_ms else 0.0)
            if wait > 0:
                yield steady if wait == delay_ms else Delay(wait)
        yield event
