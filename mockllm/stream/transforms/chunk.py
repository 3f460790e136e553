"""Cut `Text` and `Think` events into deltas of the configured unit, and tool-call arguments into `ToolArgs` fragments."""

from __future__ import annotations

import itertools
from typing import Callable, Iterable, Iterator

from mockllm.core.events import Event, Text, Think, ToolArgs, ToolCall
from mockllm.core.tokens import SPLITTERS


def chunk(events: Iterable[Event], unit: str, per_delta: int = 1) -> Iterator[Event]:
    """Yield each text event as deltas of `per_delta` units, each tool call followed by its argument fragments."""
    split = SPLITTERS[unit]
    for event in events:
        if isinstance(event, (Text, Think)):
            kind = type(event)
            for piece in _pieces(split, event.text, per_delta):
                yield kind(piece)
        elif isinstance(event, ToolCall):
            yield event
            for piece in _pieces(split, event.arguments, per_delta):
                yield ToolArgs(event.index, piece)
        else:
            yield event


def _pieces(split: Callable[[str], Iterable[str]], text: str, per_delta: int) -> Iterator[str]:
    units = iter(split(text))  # lazily: a long answer is never held as a list of its units
    if per_delta == 1:
        yield from units
        return
    while piece := "".join(itertools.islice(units, per_delta)):
        yield piece
