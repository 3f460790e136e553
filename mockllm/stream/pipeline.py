"""Compose the pipeline's pure stages: scenario → events → deltas → paced events → wire items."""

from __future__ import annotations

from typing import Callable, Iterable, Iterator, Protocol

from mockllm.core.events import Event, WireItem
from mockllm.scenarios.faults import StreamFacts
from mockllm.stream.call import Call
from mockllm.stream.compile import compile_scenario
from mockllm.stream.faults import draw, uses_faults, with_faults
from mockllm.stream.transforms.chunk import chunk
from mockllm.stream.transforms.limit import limit
from mockllm.stream.transforms.pace import pace
from mockllm.stream.transforms.structured import conform
from mockllm.stream.transforms.tool_choice import obey_tool_choice
from mockllm.stream.wire import apply_wire

Frame = Callable[[Iterable[Event], Call], Iterator[WireItem]]


class Framer(Protocol):
    """What the pipeline needs of a dialect: how it frames a stream and a whole answer, and its keep-alive bytes."""

    @property
    def heartbeat(self) -> bytes | None: ...

    def stream(self, events: Iterable[Event], call: Call) -> Iterator[WireItem]: ...

    def whole(self, events: Iterable[Event], call: Call) -> Iterator[WireItem]: ...


def events_for(call: Call) -> Iterator[Event]:
    """The paced delta events of the call's scenario."""
    config = call.stream_config
    events = limit(conform(obey_tool_choice(compile_scenario(call.scenario, call), call), call), call)
    deltas = chunk(events, config.unit, config.per_delta)
    return pace(
        deltas,
        call.rng if config.jitter_ms else None,
        delay_ms=config.delay_ms,
        first_token_ms=config.first_token_ms,
        jitter_ms=config.jitter_ms,
        end_ms=config.end_ms,
    )


def wire_items(call: Call, dialect: Framer) -> Iterator[WireItem]:
    """The wire items of the call: streamed (through the wire options) or whole, as the request asked.

    Faults act on the dialect's frames before the wire options: frame faults
    see whole frames, and write splitting still applies to the faulted bytes.
    """
    events = events_for(call)
    if not call.chat.stream:
        return _framed(events, call, dialect.whole, None)  # a whole answer is one response: no keep-alive bytes
    framed = _framed(events, call, dialect.stream, dialect.heartbeat)
    return apply_wire(framed, call.wire, heartbeat=dialect.heartbeat, last_event_id=call.last_event_id)


def _framed(
    events: Iterator[Event], call: Call, frame: Frame, heartbeat: bytes | None
) -> Iterator[WireItem]:
    """Frame the events; through the scenario's faults only when it has any, so others pay nothing."""
    if not uses_faults(call.scenario):
        return frame(events, call)
    faults = draw(call.scenario.faults, call.fault_rng)
    return with_faults(events, faults, lambda framed: frame(framed, call), StreamFacts(heartbeat, call.faults_struck))
