"""Put a `Delay` before every delta (text, reasoning, tool call, argument fragment): the first token's wait, then the pace.

After the last delta, the closing frames a dialect sends (finish, usage, end
marker) and an error frame that follows text are due `end_ms` later, as a
real service sends them when its upstream finishes: a trailing `Delay` marked
`own_write` says so. The closing frames after an error frame (an app
framing's end marker) are due `end_ms` after it too, so the error frame and
the end marker are each a write of their own, whether text came before or not.
"""

from __future__ import annotations

import random
from typing import Iterable, Iterator

from mockllm.core.events import DELTAS, Delay, Error, Event


def pace(
    events: Iterable[Event],
    rng: random.Random | None,
    *,
    delay_ms: float,
    first_token_ms: float,
    jitter_ms: float = 0.0,
    end_ms: float | None = None,
) -> Iterator[Event]:
    """Yield events with a Delay before each delta, and before the end (`end_ms`, default `delay_ms`) once a delta or an error was sent.

    Jitter is uniform within +/- jitter_ms, drawn from `rng` (needed only with jitter).
    """
    first = True
    steady = Delay(delay_ms)  # frozen, so one instance serves every delta without jitter
    end = delay_ms if end_ms is None else end_ms
    for event in events:
        if isinstance(event, DELTAS):
            if first:
                wait = first_token_ms
                first = False
            else:
                wait = delay_ms + (rng.uniform(-jitter_ms, jitter_ms) if jitter_ms and rng else 0.0)
            if wait > 0:
                yield steady if wait == delay_ms else Delay(wait)
        elif isinstance(event, Error):
            if not first:
                yield Delay(end, own_write=True)
            yield event
            yield Delay(end, own_write=True)
            return
        yield event
    if not first:
        yield Delay(end, own_write=True)
