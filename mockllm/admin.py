"""Routes under `/_mock/`: health, scenarios, journal, reload, sessions, routes."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Iterator

from aiohttp import web

from .catalog import Catalog, load_catalog
from .handler import STATE
from .middleware import error_response
from .scenario import Match
from .yamlsource import ProblemsError


async def health(request: web.Request) -> web.Response:
    """Liveness and a summary: scenario count, open streams, asyncio tasks (to spot leaks)."""
    state = request.app[STATE]
    return web.json_response(
        {
            "status": "ok",
            "scenarios": len(state.catalog.scenarios),
            "open_streams": len(state.tasks),
            "tasks": len(asyncio.all_tasks()),
        }
    )


async def scenarios(request: web.Request) -> web.Response:
    """Every scenario with its description, file and match rules."""
    catalog = request.app[STATE].catalog
    return web.json_response(
        [
            {
                "name": s.name,
                "description": s.description,
                "file": catalog.files[s.name],
                "match": _match_json(s.match),
            }
            for s in catalog.scenarios.values()
        ]
    )


#: A journal read is sent in writes of about this size, so a large read never holds the server.
_JOURNAL_WRITE_BYTES = 64 * 1024


async def journal(request: web.Request) -> web.StreamResponse:
    """Recent requests, oldest first, streamed; `?scenario=`, `?path=`, `?limit=`, `?since=` (an id) narrow it."""
    numbers = {}
    for key in ("limit", "since"):
        value = request.query.get(key)
        if value is not None and not (value.isascii() and value.isdigit() and len(value) < 19):
            return error_response(400, f"?{key}= must be a whole number; got {value[:40]!r}.")
        numbers[key] = int(value) if value else None
    chunks = request.app[STATE].journal.json_chunks(
        scenario=request.query.get("scenario"), path=request.query.get("path"), limit=numbers["limit"], since=numbers["since"]
    )
    return await _send_json_chunks(request, chunks)


async def _send_json_chunks(request: web.Request, chunks: Iterator[bytes]) -> web.StreamResponse:
    """Send JSON pieces: one plain response when small, else a chunked stream of ~64 KiB writes."""
    pending: list[bytes] = []
    size = 0
    response: web.StreamResponse | None = None
    for chunk in chunks:
        pending.append(chunk)
        size += len(chunk)
        if size >= _JOURNAL_WRITE_BYTES:
            if response is None:
                response = web.StreamResponse(headers={"Content-Type": "application/json; charset=utf-8"})
                await response.prepare(request)
            await response.write(b"".join(pending))
            await asyncio.sleep(0)  # a fast reader never pauses the transport: let other requests in between writes
            pending, size = [], 0
    if response is None:
        return web.Response(body=b"".join(pending), content_type="application/json", charset="utf-8")
    await response.write(b"".join(pending))
    await response.write_eof()
    return response


async def clear_journal(request: web.Request) -> web.Response:
    """Forget every journal entry."""
    request.app[STATE].journal.clear()
    return web.json_response({"cleared": True})


async def sessions(request: web.Request) -> web.Response:
    """Attempt counters per session and scenario; `/_mock/sessions/{session}` narrows to one session."""
    found = request.app[STATE].sessions.entries(request.match_info.get("session"))
    return web.json_response(found, dumps=_dumps)


async def reset_sessions(request: web.Request) -> web.Response:
    """Forget every attempt counter, or one session's (`/_mock/sessions/{session}`)."""
    return web.json_response({"cleared": request.app[STATE].sessions.reset(request.match_info.get("session"))})


class Reloads:
    """Reloads of the scenarios folder, in a thread, coalesced: at most one running and one queued behind it.

    A reload asked for while one runs waits for the queued one (which reads
    the folder after the running one ends, so it sees every change made
    before the request); any number of callers share those two reads.
    """

    def __init__(self) -> None:
        self._running: asyncio.Future[Catalog] | None = None
        self._queued: asyncio.Future[Catalog] | None = None

    async def load(self, folder: Path) -> Catalog:
        """The folder's catalog, read after this call began; ProblemsError on problems."""
        if self._queued is None:
            self._queued = asyncio.ensure_future(self._run(self._running, folder))
        return await asyncio.shield(self._queued)

    async def _run(self, before: asyncio.Future[Catalog] | None, folder: Path) -> Catalog:
        if before is not None:
            await asyncio.wait([before])
        self._running, self._queued = self._queued, None
        return await asyncio.to_thread(load_catalog, folder)


RELOADS = web.AppKey("reloads", Reloads)


async def reload(request: web.Request) -> web.Response:
    """Re-read the scenarios folder in a thread (serving goes on); on problems keep the old catalog and list them."""
    state = request.app[STATE]
    try:
        catalog = await request.app[RELOADS].load(state.config.scenarios)
    except ProblemsError as exc:
        return web.json_response({"reloaded": False, "problems": [str(p) for p in exc.problems]}, status=422)
    if state.config.default not in catalog.scenarios:
        return web.json_response({"reloaded": False, "problems": [f"default scenario {state.config.default!r} is gone"]}, status=422)
    state.catalog = catalog
    return web.json_response({"reloaded": True, "scenarios": catalog.names})


async def routes(request: web.Request) -> web.Response:
    """The routes this server answers."""
    listed = sorted({f"{r.method} {r.resource.canonical}" for r in request.app.router.routes() if r.resource and r.method != "HEAD"})
    return web.json_response(listed)


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _match_json(match: Match | None) -> dict[str, object] | None:
    if match is None:
        return None
    return match.model_dump(mode="json", exclude_none=True)


def add_routes(app: web.Application) -> None:
    """Register the admin routes."""
    app[RELOADS] = Reloads()
    app.router.add_get("/_mock/health", health)
    app.router.add_get("/_mock/scenarios", scenarios)
    app.router.add_get("/_mock/journal", journal)
    app.router.add_delete("/_mock/journal", clear_journal)
    app.router.add_post("/_mock/reload", reload)
    app.router.add_get("/_mock/sessions", sessions)
    app.router.add_delete("/_mock/sessions", reset_sessions)
    app.router.add_get("/_mock/sessions/{session:.+}", sessions)
    app.router.add_delete("/_mock/sessions/{session:.+}", reset_sessions)
    app.router.add_get("/_mock/routes", routes)
