"""SSE `id:` and `retry:` fields, and resuming after `Last-Event-ID`, for clients that use the browser's EventSource."""

from __future__ import annotations

from typing import Iterable, Iterator

from mockllm.core.events import Respond, WireItem


def sse_fields(items: Iterable[WireItem], *, ids: bool, retry_ms: int | None, resume_after: int | None) -> Iterator[WireItem]:
    """Number each frame with `id: N` (from 1), send `retry: retry_ms` first, and skip the frames up to `resume_after`.

    A stream resumed past its last frame answers 204, which tells an
    EventSource to stop reconnecting.
    """
    retry = [f"retry: {retry_ms}\n\n".encode()] if retry_ms is not None else []
    number = 0
    sent = False
    for item in items:
        if not isinstance(item, bytes):
            yield item
            continue
        number += 1
        if resume_after is not None and number <= resume_after:
            continue
        if not sent:
            yield from retry
            sent = True
        yield (f"id: {number}\n".encode() + item) if ids else item
    if not sent and resume_after is not None:
        yield Respond(204, b"", "text/event-stream")
    elif not sent:
        yield from retry
