"""Play wire items onto the socket: the only code that sleeps or writes.

Timing is deadline-based: an item is due at start + the sum of the delays
before it (scaled by `speed`), so a slow event loop never accumulates drift.
A `Gap` only holds the next write until that many real milliseconds after
the previous one (never scaled), so separate writes arrive as separate reads.
"""

from __future__ import annotations

import asyncio
import socket
import struct
import sys
from dataclasses import dataclass
from typing import Iterable, Mapping

from aiohttp import web

from .events import Abort, Close, Delay, Gap, Hang, Respond, WireItem

if sys.version_info >= (3, 11):
    from asyncio import timeout_at
else:  # pragma: no cover - aiohttp installs async-timeout on Python 3.10
    from async_timeout import timeout_at

_LINGER_OFF = struct.pack("ii", 1, 0)  # SO_LINGER on, 0 s: close() sends RST
_HANGING = "hanging (fault)"


@dataclass
class Outcome:
    """How a response went, for the log and the journal."""

    status: int | None = 200  # None: no status line was sent
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
    max_stream_s: float | None = None,
) -> web.StreamResponse:
    """Send `items` as the response to `request`, noting in `outcome` how it went.

    The whole response, a hang included, ends by `max_stream_s`: then the
    connection is dropped wherever the stream is.
    """
    loop = asyncio.get_running_loop()
    start = loop.time()
    offset = 0.0
    last_write = not_before = start
    response: web.StreamResponse | None = None
    try:
        async with timeout_at(start + max_stream_s if max_stream_s else None):
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
                if type(item) is not bytes:
                    if type(item) is Respond:
                        if response is None:
                            outcome.status, outcome.writes, outcome.bytes = item.status, 1, len(item.body)
                            return await _respond(request, item, headers)
                        continue
                    await _end_connection(request, response, item, outcome)  # type: ignore[arg-type]
                    return response or _no_response(outcome)
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
        if response is None:
            return _no_response(outcome)
    except asyncio.TimeoutError:
        limit = f"the maximum stream duration ({max_stream_s:g} s)"
        outcome.ended = f"hung until {limit}, then closed (fault)" if outcome.ended == _HANGING else f"stopped at {limit}"
        _drop(request)
        if response is None:
            return _no_response(outcome)
    except asyncio.CancelledError:
        outcome.ended = "client went away" if _client_gone(request) else "server shutting down"
        if response is None:
            outcome.status = None
        raise
    return response or web.Response(status=499)


async def _end_connection(request: web.Request, response: web.StreamResponse | None, item: Abort | Close | Hang, outcome: Outcome) -> None:
    """End the connection as a fault says: reset it, close it, or hang and then close it."""
    if type(item) is Abort:
        outcome.ended = "reset (fault)"
        _reset(request)
    elif type(item) is Close and item.clean and response is not None:
        outcome.ended = "closed without the stream's terminator (fault)"
        response.force_close()
        await response.write_eof()
    elif type(item) is Close:
        outcome.ended = "closed mid-body (fault)" if response is not None else "closed without a response (fault)"
        _drop(request, gracefully=True)
    else:
        outcome.ended = _HANGING
        if item.ms is None:  # type: ignore[union-attr]
            await asyncio.get_running_loop().create_future()  # until the maximum stream duration
        await asyncio.sleep(item.ms / 1000)  # type: ignore[union-attr, operator]
        outcome.ended = f"hung {item.ms:g} ms, then closed (fault)"  # type: ignore[union-attr]
        _drop(request, gracefully=True)


def _no_response(outcome: Outcome) -> web.StreamResponse:
    """What to return when the connection ended before a status line: nothing of it is sent."""
    outcome.status = None
    return web.Response(status=499)


def _reset(request: web.Request) -> None:
    """Abort the connection with a TCP RST."""
    transport = request.transport
    if transport is None:
        return
    sock = transport.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _LINGER_OFF)
    transport.abort()


def _drop(request: web.Request, gracefully: bool = False) -> None:
    """Close the connection: after sending what is buffered (`gracefully`), or at once."""
    transport = request.transport
    if transport is not None:
        transport.close() if gracefully else transport.abort()


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
