"""Compose the pipeline's pure stages: scenario → events → deltas → paced events → wire items."""

from __future__ import annotations

from typing import Iterator

from .call import Call
from .dialects.base import Dialect
from .events import Event, WireItem
from .steps import compile_scenario
from .transforms.chunk import chunk
from .transforms.pace import pace
from .wire import apply_wire


def events_for(call: Call) -> Iterator[Event]:
    """The paced delta events of the call's scenario."""
    config = call.stream_config
    events = compile_scenario(call.scenario, call)
    deltas = chunk(events, config.unit, config.per_delta)
    return pace(deltas, call.rng, delay_ms=config.delay_ms, first_token_ms=config.first_token_ms, jitter_ms=config.jitter_ms)


def wire_items(call: Call, dialect: Dialect) -> Iterator[WireItem]:
    """The wire items of the call: streamed (through the wire options) or whole, as the request asked."""
    events = events_for(call)
    if not call.chat.stream:
        return dialect.whole(events, call)
    return apply_wire(dialect.stream(events, call), call.wire, heartbeat=dialect.heartbeat)
