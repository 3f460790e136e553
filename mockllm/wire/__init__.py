"""Wire transforms: byte-level changes to a framed stream, after the dialect and before the player.

`apply_wire` composes them in this order:

1. `line_endings`, `data_space` — these two rewrite bytes by design (LF/CRLF,
   `data:` with or without the space), frame by frame;
2. `coalesce` (frames_per_write), `slice_writes` (max_write_bytes),
   `split_utf8` — these only move write boundaries: the concatenation of the
   writes is exactly the concatenation of the frames;
3. `heartbeats` — extra writes in long quiet periods;
4. `gaps` — a real-time gap between writes, so each arrives as its own read.

Every transform is a pure generator that passes items it does not handle
(`Delay`, `Respond`, faults) through unchanged and in order.
"""

from __future__ import annotations

from typing import Iterable, Iterator

from ..events import WireItem
from .coalesce import coalesce
from .config import WireConfig
from .data_space import data_space
from .gaps import gaps
from .heartbeat import heartbeats
from .line_endings import line_endings, with_line_endings
from .slice import slice_writes
from .split_utf8 import split_utf8

__all__ = ["WireConfig", "apply_wire"]


def apply_wire(items: Iterable[WireItem], config: WireConfig, *, heartbeat: bytes | None = None) -> Iterator[WireItem]:
    """Apply the wire options of `config` to a streamed answer; `heartbeat` is the dialect's keep-alive bytes."""
    stream: Iterable[WireItem] = items
    if config.line_ending is not None:
        stream = line_endings(stream, config.line_ending)
    if config.data_space is not None:
        stream = data_space(stream, config.data_space)
    if config.frames_per_write > 1:
        stream = coalesce(stream, config.frames_per_write)
    if config.max_write_bytes is not None:
        stream = slice_writes(stream, config.max_write_bytes)
    if config.split_utf8 != "off":
        stream = split_utf8(stream, config.split_utf8)
    beat = config.heartbeat_text.encode() if config.heartbeat_text is not None else heartbeat
    if beat and config.line_ending is not None:
        beat = with_line_endings(beat, config.line_ending)
    if config.heartbeat_ms is not None and beat:
        stream = heartbeats(stream, config.heartbeat_ms, beat)
    if config.write_gap_ms > 0:
        stream = gaps(stream, config.write_gap_ms)
    return iter(stream)
