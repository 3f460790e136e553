"""Play wire items onto the socket: the only code that sleeps or writes.

Timing is deadline-based: an item is due at start + the sum of the delays
before it (scaled by `speed`), so a slow event loop never accumulates drift.
A `Gap` only holds the next write until that many real milliseconds after
the previous one (never scaled), so separate writes arrive as separate reads.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Iterable, Mapping

from aiohttp import web

from .events import Delay, Gap, Respond, WireItem


@dataclass
class Outcome:
    """How a response went, for the log and the journal."""

    status: int = 200
    writes: int = 0
    bytes: int = 0
    ended: str = "complete"


async def play(
    request: web.Request,
    items: Iterable[WireItem],
    outcome: Outcome,
    *,
    speed: float,
    headers: Mapping[str, str],
    content_type: str,
) -> web.StreamResponse:
    """Send `items` as the response to `request`, noting in `outcome` how it went."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    offset = 0.0
    last_write = not_before = start
    response: web.StreamResponse | None = None
    try:
        for item in items:
            if type(item) is Delay:
                offset += item.ms * speed / 1000
                continue
            if type(item) is Gap:
                not_before = last_write + item.ms / 1000
                continue
            wait = max(start + offset, not_before) - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if type(item) is Respond:
                if response is None:
                    outcome.status, outcome.writes, outcome.bytes = item.status, 1, len(item.body)
                    return await _respond(request, item, headers)
                continue
            if response is None:
                response = _stream_response(headers, content_type)
                await response.prepare(request)
            await response.write(item)  # type: ignore[arg-type]
            last_write = loop.time()
            outcome.writes += 1
            outcome.bytes += len(item)  # type: ignore[arg-type]
        wait = start + offset - loop.time()
        if wait > 0:
            await asyncio.sleep(wait)
        if response is None:
            response = _stream_response(headers, content_type)
            await response.prepare(request)
        await response.write_eof()
    except ConnectionResetError:
        outcome.ended = "client went away"
    except asyncio.CancelledError:
        outcome.ended = "client went away" if _client_gone(request) else "server shutting down"
        raise
    return response or web.Response(status=499)


def _client_gone(request: web.Request) -> bool:
    transport = request.transport
    return transport is None or transport.is_closing()


def _stream_response(headers: Mapping[str, str], content_type: str) -> web.StreamResponse:
    response = web.StreamResponse(status=200, headers={**headers, "Content-Type": content_type})
    response.enable_chunked_encoding()
    return response


async def _respond(request: web.Request, item: Respond, headers: Mapping[str, str]) -> web.StreamResponse:
    merged = {**headers, **dict(item.headers), "Content-Type": item.content_type}
    if not item.chunked:
        merged.pop("X-Accel-Buffering", None)
        return web.Response(status=item.status, body=item.body, headers=merged)
    response = web.StreamResponse(status=item.status, headers=merged)
    response.enable_chunked_encoding()
    await response.prepare(request)
    await response.write(item.body)
    await response.write_eof()
    return response
