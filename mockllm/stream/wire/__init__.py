"""Wire transforms: byte-level changes to a framed stream, after the dialect and before the player.

`apply_wire` composes them in this order:

1. `sse_fields`, `line_endings`, `data_space` — these rewrite bytes by design
   (SSE `id:`/`retry:` fields and resuming after `Last-Event-ID`, LF/CRLF,
   `data:` with or without the space), frame by frame;
2. `coalesce` (frames_per_write: content frames only), `merge_end` (the
   closing frames in the write of the frame before them), `slice_writes`
   (max_write_bytes), `split_utf8` — these only move write boundaries: the
   concatenation of the writes is exactly the concatenation of the frames;
3. `own_writes` — the closing frames, and an error frame, as a write of their
   own, at least the wire gap after the write before, at any speed;
4. `heartbeats` — extra writes in long quiet periods;
5. `gaps` — a real-time gap between writes, so each arrives as its own read.

Every transform is a pure generator that passes items it does not handle
(`Delay`, `Respond`, faults) through unchanged and in order.
"""

from __future__ import annotations

from typing import Iterable, Iterator

from mockllm.core.events import WireItem
from mockllm.scenarios.wire import DEFAULT_BREAK_GAP_MS, WireConfig
from mockllm.stream.wire.coalesce import coalesce
from mockllm.stream.wire.data_space import data_space
from mockllm.stream.wire.gaps import gaps
from mockllm.stream.wire.heartbeat import heartbeats
from mockllm.stream.wire.line_endings import line_endings, with_line_endings
from mockllm.stream.wire.merge_end import merge_end
from mockllm.stream.wire.own_writes import own_writes
from mockllm.stream.wire.slice import slice_writes
from mockllm.stream.wire.split_utf8 import split_utf8
from mockllm.stream.wire.sse_fields import sse_fields

__all__ = ["WireConfig", "apply_wire"]


def apply_wire(
    items: Iterable[WireItem], config: WireConfig, *, heartbeat: bytes | None = None, last_event_id: int | None = None
) -> Iterator[WireItem]:
    """Apply the wire options of `config` to a streamed answer.

    `heartbeat` is the dialect's keep-alive bytes; `last_event_id` the
    `Last-Event-ID` a reconnecting EventSource sent (it resumes numbered streams).
    """
    stream: Iterable[WireItem] = items
    if config.sse_id or config.sse_retry_ms is not None:
        stream = sse_fields(stream, ids=config.sse_id, retry_ms=config.sse_retry_ms, resume_after=last_event_id if config.sse_id else None)
    if config.line_ending is not None:
        stream = line_endings(stream, config.line_ending)
    if config.data_space is not None:
        stream = data_space(stream, config.data_space)
    if config.frames_per_write > 1:
        stream = coalesce(stream, config.frames_per_write)
    if config.merge_end:
        stream = merge_end(stream)
    if config.max_write_bytes is not None:
        stream = slice_writes(stream, config.max_write_bytes)
    if config.split_utf8 != "off":
        stream = split_utf8(stream, config.split_utf8)
    stream = own_writes(stream, config.gap_ms if config.gap_ms is not None else DEFAULT_BREAK_GAP_MS)
    beat = config.heartbeat_text.encode() if config.heartbeat_text is not None else heartbeat
    if beat and config.line_ending is not None:
        beat = with_line_endings(beat, config.line_ending)
    if config.heartbeat_ms is not None and beat:
        stream = heartbeats(stream, config.heartbeat_ms, beat)
    if config.write_gap_ms > 0:
        stream = gaps(stream, config.write_gap_ms)
    return iter(stream)
