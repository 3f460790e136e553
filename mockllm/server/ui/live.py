"""`GET /_mock/live`: the journal as Server-Sent Events, each request as it finishes."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiohttp import web

from mockllm.server.exchange import STREAM_HEADERS
from mockllm.server.middleware import error_response
from mockllm.server.state import STATE

#: Seconds of quiet after which a comment line keeps proxies and the browser from timing out.
HEARTBEAT_S = 15.0
#: How many recent entries a new subscriber gets first (`?backlog=` changes it).
BACKLOG = 100


async def live(request: web.Request) -> web.StreamResponse:
    """Stream finished journal entries: first the last `?backlog=` ones, then each new one (`id:` is the entry id)."""
    state = request.app[STATE]
    backlog = request.query.get("backlog", str(BACKLOG))
    if not backlog.isdigit():
        return error_response(400, f"?backlog= must be a whole number; got {backlog!r}.")
    queue = state.journal.subscribe()  # before the backlog is read, so nothing finishes unseen in between
    task = asyncio.current_task()
    if task:
        state.tasks.add(task)
    response = web.StreamResponse(headers={**STREAM_HEADERS, "Content-Type": "text/event-stream; charset=utf-8"})
    try:
        await response.prepare(request)
        recent = [e for e in state.journal if "status" in e]
        for entry in recent[len(recent) - int(backlog) :] if int(backlog) else ():
            await response.write(_event(entry))
        await response.write(b": live\n\n")
        while True:
            try:
                entry = await asyncio.wait_for(queue.get(), HEARTBEAT_S)
            except asyncio.TimeoutError:
                await response.write(b": keep-alive\n\n")
                continue
            await response.write(_event(entry))
    except ConnectionResetError:
        pass
    finally:
        state.journal.unsubscribe(queue)
        if task:
            state.tasks.discard(task)
    return response


def _event(entry: dict[str, Any]) -> bytes:
    return f"id: {entry['id']}\ndata: {json.dumps(entry, ensure_ascii=False, default=str)}\n\n".encode()


def add_routes(app: web.Application) -> None:
    """Register the live feed."""
    app.router.add_get("/_mock/live", live)
