"""Routes under `/_mock/`: health, scenarios, journal, reload, sessions, routes."""

from __future__ import annotations

import asyncio
import json

from aiohttp import web

from .catalog import load_catalog
from .handler import STATE
from .metrics import render
from .workers import WORKER
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


async def journal(request: web.Request) -> web.Response:
    """Recent requests, oldest first; `?scenario=`, `?path=`, `?limit=` narrow it."""
    limit = request.query.get("limit")
    if limit is not None and not limit.isdigit():
        return error_response(400, f"?limit= must be a whole number; got {limit!r}.")
    entries = request.app[STATE].journal.entries(
        scenario=request.query.get("scenario"), path=request.query.get("path"), limit=int(limit) if limit else None
    )
    return web.json_response(entries, dumps=_dumps)


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


async def reload(request: web.Request) -> web.Response:
    """Re-read the scenarios folder; on problems keep serving the old catalog and list them."""
    state = request.app[STATE]
    try:
        catalog = load_catalog(state.config.scenarios)
    except ProblemsError as exc:
        return web.json_response({"reloaded": False, "problems": [str(p) for p in exc.problems]}, status=422)
    if state.config.default not in catalog.scenarios:
        return web.json_response({"reloaded": False, "problems": [f"default scenario {state.config.default!r} is gone"]}, status=422)
    state.catalog = catalog
    return web.json_response({"reloaded": True, "scenarios": catalog.names})


async def metrics(request: web.Request) -> web.Response:
    """The Prometheus text exposition of this server's metrics."""
    snapshot = request.app[STATE].metrics.snapshot()
    worker = request.app.get(WORKER)
    body, content_type = render(worker.gather(snapshot) if worker else snapshot)
    return web.Response(body=body, headers={"Content-Type": content_type})


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
    app.router.add_get("/_mock/metrics", metrics)
