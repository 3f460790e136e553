"""Play wire items as the HTTP response to a request: the chunked transport, driven by the pacer."""

from __future__ import annotations

from typing import Iterable, Mapping

from aiohttp import web

from mockllm.core.events import WireItem
from mockllm.delivery.pacer import Outcome, Pacer
from mockllm.delivery.transports.http import HttpChunked

__all__ = ["Outcome", "play"]


async def play(
    request: web.Request,
    items: Iterable[WireItem],
    outcome: Outcome,
    *,
    pacer: Pacer,
    speed: float,
    headers: Mapping[str, str],
    content_type: str,
    max_stream_s: float | None = None,
) -> web.StreamResponse:
    """Send `items` as the response to `request`, noting in `outcome` how it went; return what aiohttp finishes."""
    transport = HttpChunked(request, headers, content_type)
    await pacer.play(transport, items, outcome, speed=speed, max_stream_s=max_stream_s)
    return transport.response
