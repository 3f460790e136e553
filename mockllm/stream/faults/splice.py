"""Run a dialect over events that carry fault points, and apply each fault where it falls.

A dialect frames lazily: it pulls one event and yields that event's frames
before pulling the next. So the faults whose `Fault` events were pulled
before the dialect yields an item struck before that item; the dialect never
sees a `Fault` event, and after a fault that ends the stream it is not asked
for its closing frames. The last frame is held back one item so a fault at
its point can still change it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence

from mockllm.core.events import Event, Fault, WireItem
from mockllm.scenarios.faults.base import FaultSpec, StreamFacts
from mockllm.stream.faults.placement import place

Framer = Callable[[Iterable[Event]], Iterator[WireItem]]


def with_faults(
    events: Iterable[Event], faults: Sequence[FaultSpec], frame: Framer, facts: StreamFacts | None = None
) -> Iterator[WireItem]:
    """The wire items `frame` makes of `events`, with `faults` (and any `Fault` events) applied."""
    return _Splice(facts or StreamFacts()).run(events, faults, frame)


class _Splice:
    """The state of one faulted stream: faults struck but not yet applied, the held frame, reshapers."""

    def __init__(self, facts: StreamFacts) -> None:
        self.facts = facts
        self.pending: list[FaultSpec] = []
        self.reshapers: list[FaultSpec] = []
        self.held: bytes | None = None
        self.ended = False

    def run(self, events: Iterable[Event], faults: Sequence[FaultSpec], frame: Framer) -> Iterator[WireItem]:
        self.pending = [f for f in faults if f.point().at == "start"]
        yield from self._apply_pending()
        if self.ended:
            return
        placed = [f for f in faults if f.point().at in ("deltas", "ms", "end")]
        items = frame(self._without_faults(place(events, placed) if placed else events))
        try:
            for item in items:
                if self.pending:
                    yield from self._apply_pending()
                    if self.ended:
                        return
                if self.held is not None:
                    yield from self._send(self.held)
                    self.held = None
                if type(item) is bytes:
                    self.held = item
                else:
                    yield from self._send(item)
            self.pending += [f for f in faults if f.point().at == "last_frame"]
            yield from self._apply_pending()
            if self.held is not None and not self.ended:
                yield from self._send(self.held)
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()

    def _without_faults(self, events: Iterable[Event]) -> Iterator[Event]:
        """Pass events to the dialect; note each `Fault` event instead, and stop at one that ends the stream."""
        for event in events:
            if type(event) is Fault:
                self.pending.append(event.spec)
                if event.spec.ends_stream:
                    return
            else:
                yield event

    def _apply_pending(self) -> Iterator[WireItem]:
        """Strike the pending faults in order; one that changes a frame waits while no frame is held."""
        waiting = []
        for fault in self.pending:
            if fault.needs_frame and self.held is None:
                waiting.append(fault)
                continue
            frame, self.held = self.held, None
            self.facts.struck.append(fault.name)
            for item in fault.strike(frame, self.facts):
                yield from self._send(item) if type(item) is bytes else (item,)
            if fault.ends_stream:
                self.ended = True
                self.pending = []
                return
            if fault.reshapes:
                self.reshapers.append(fault)
        self.pending = waiting

    def _send(self, item: WireItem) -> Iterator[WireItem]:
        """Yield an item, reshaped by the faults that reshape every later frame."""
        if not self.reshapers or type(item) is not bytes:
            yield item
            return
        pieces: list[WireItem] = [item]
        for fault in self.reshapers:
            pieces = [out for piece in pieces for out in (fault.reshape(piece) if type(piece) is bytes else (piece,))]
        yield from pieces
