"""Decide which faults strike this time (`rate`), and mark where in the events they do."""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from mockllm.core.events import DELTAS, Delay, Event, Fault
from mockllm.scenarios.faults.base import FaultSpec

if TYPE_CHECKING:
    from mockllm.scenarios.scenario import Scenario


def uses_faults(scenario: Scenario) -> bool:
    """Whether a scenario has faults (listed, or as `disconnect` steps)."""
    return bool(scenario.faults) or any(step.disconnect is not None for step in scenario.steps)


def draw(faults: Iterable[FaultSpec], rng: random.Random) -> list[FaultSpec]:
    """The faults that strike this time: one draw per fault, in order, so a seed replays the same choice."""
    return [fault for fault in faults if rng.random() < fault.rate]


def place(events: Iterable[Event], faults: Sequence[FaultSpec]) -> Iterator[Event]:
    """Yield the events with a `Fault` event at each fault's point.

    `deltas` points follow delta N, `ms` points split the `Delay` they fall
    in, `end` points follow the last event. Other points (and every event
    this transform does not know) pass through unchanged.
    """
    after_deltas = sorted((f.point().value, i) for i, f in enumerate(faults) if f.point().at == "deltas")
    after_ms = sorted((f.point().value, i) for i, f in enumerate(faults) if f.point().at == "ms")
    deltas = 0
    elapsed = 0.0
    yield from _due(after_deltas, 0, faults)
    yield from _due(after_ms, 0, faults)
    for event in events:
        kind = type(event)
        if kind is Delay and after_ms:
            yield from _split(event, elapsed, after_ms, faults)  # type: ignore[arg-type]
            elapsed += event.ms  # type: ignore[union-attr]
            continue
        yield event
        if kind in DELTAS:
            deltas += 1
            yield from _due(after_deltas, deltas, faults)
    for fault in faults:
        if fault.point().at == "end":
            yield Fault(fault)


def _due(points: list[tuple[float, int]], reached: float, faults: Sequence[FaultSpec]) -> Iterator[Fault]:
    """Yield (and forget) the faults whose point is at or before `reached`."""
    while points and points[0][0] <= reached:
        yield Fault(faults[points.pop(0)[1]])


def _split(delay: Delay, elapsed: float, points: list[tuple[float, int]], faults: Sequence[FaultSpec]) -> Iterator[Event]:
    """Yield `delay` starting at `elapsed`, cut where `ms` points fall inside it (the last piece keeps `own_write`)."""
    end = elapsed + delay.ms
    while points and points[0][0] <= end:
        at = points[0][0]
        if at > elapsed:
            yield Delay(at - elapsed)
            elapsed = at
        yield from _due(points, at, faults)
    if end > elapsed or delay.own_write:
        yield Delay(end - elapsed, delay.own_write)
