"""Routes under `/_mock/`: health, scenarios, journal, reload, sessions, routes, dialects, demo overrides."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from aiohttp import web

from .catalog import Catalog, load_catalog
from .demo import Override, read_override_request
from .dialects import DIALECTS
from .dialects.app import APP_FRAMINGS
from .handler import STATE, journal_answered
from .middleware import error_response
from .routemap import Route, RouteMap, custom_framings
from .scenario import Match, Scenario
from .yamlsource import ProblemsError

log = logging.getLogger("mockllm")


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
    """Every scenario: description, file, match rules, what it does (steps, settings, faults) and the routes bound to it."""
    catalog = request.app[STATE].catalog
    bound = _bound_paths(catalog)
    return web.json_response(
        [
            {
                "name": s.name,
                "description": s.description,
                "file": catalog.files[s.name],
                "match": _match_json(s.match),
                **_contents_json(s),
                "routes": bound.get(s.name, []),
            }
            for s in catalog.scenarios.values()
        ],
        dumps=_dumps,
    )


def _contents_json(scenario: Scenario) -> dict[str, Any]:
    """What a scenario does, compactly: steps (or attempts), and its stream, wire, framing and fault settings that differ from the defaults."""
    dumped = scenario.model_dump(mode="json", by_alias=True, exclude_defaults=True, include={"steps", "attempts", "stream", "wire", "framing"})
    faults = [{"fault": f.fault, **f.model_dump(mode="json", exclude_defaults=True)} for f in scenario.faults]  # each by its own model
    return {**{key: dumped.get(key) for key in ("steps", "attempts", "stream", "wire", "framing")}, "faults": faults or None}


def _bound_paths(catalog: Catalog) -> dict[str, list[str]]:
    """Scenario name → the routes-map paths bound to it."""
    bound: dict[str, list[str]] = {}
    for path, route in _mapped_routes(catalog):
        if route.scenario:
            bound.setdefault(route.scenario, []).append(path)
    return bound


def _mapped_routes(catalog: Catalog) -> list[tuple[str, Route]]:
    """Every (path, route) of the folder's routes maps, in file order."""
    return [pair for routes in catalog.documents.get("routes", []) if isinstance(routes, RouteMap) for pair in routes.routes.items()]


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
        return _reload_failed([str(p) for p in exc.problems])
    if state.config.default not in catalog.scenarios:
        return _reload_failed([f"default scenario {state.config.default!r} is gone"])
    state.catalog = catalog
    log.info("reloaded %d scenarios from %s", len(catalog.scenarios), catalog.folder)
    for gone in state.demo.forget_scenarios(set(catalog.scenarios)):
        log.warning("demo override #%d dropped: scenario %r is gone", gone.id, gone.scenario)
    return web.json_response({"reloaded": True, "scenarios": catalog.names})


def _reload_failed(problems: list[str]) -> web.Response:
    log.warning("reload failed, still serving the previous scenarios: %d problem(s)", len(problems))
    for problem in problems:
        log.warning("  %s", problem)
    return web.json_response({"reloaded": False, "problems": problems}, status=422)


async def routes(request: web.Request) -> web.Response:
    """The routes this server answers."""
    listed = sorted({f"{r.method} {r.resource.canonical}" for r in request.app.router.routes() if r.resource and r.method != "HEAD"})
    return web.json_response(listed)


async def dialects(request: web.Request) -> web.Response:
    """What a client can talk to: each provider dialect with its routes, the app framings, and the routes map."""
    catalog = request.app[STATE].catalog
    custom = custom_framings(catalog)
    routes_map = [{"path": path, "framing": r.framing, "scenario": r.scenario, "methods": r.methods} for path, r in _mapped_routes(catalog)]
    return web.json_response(
        {
            "dialects": [{"name": d.name, "routes": list(d.routes)} for d in DIALECTS.values() if d.routes and d.name not in APP_FRAMINGS],
            "framings": [
                {"name": name, "custom": name in custom, "extends": custom[name].extends if name in custom else None}
                for name in sorted({*APP_FRAMINGS, *custom})
            ],
            "routes_map": routes_map,
        }
    )


async def list_overrides(request: web.Request) -> web.Response:
    """The active demo overrides, oldest first."""
    return web.json_response(request.app[STATE].demo.entries())


async def add_override(request: web.Request) -> web.Response:
    """Add a demo override: `{"scenario", "count" | "sticky", "route", "session"}`; 400 says what is wrong."""
    state = request.app[STATE]
    try:
        body = await request.json()
        override = state.demo.add(read_override_request(body, state.catalog.names))
    except (ValueError, UnicodeDecodeError) as exc:
        message = f"Bad override: {exc}." if not isinstance(exc, json.JSONDecodeError) else f"Send a JSON object: {exc.msg}."
        journal_answered(request, 400, message)
        return error_response(400, message)
    ended = f"demo override #{override.id}: {describe_override(override)}"
    log.info("%s", ended)
    journal_answered(request, 201, ended, body=body, scenario=override.scenario)
    return web.json_response(override.json(), status=201)


async def remove_overrides(request: web.Request) -> web.Response:
    """Remove every demo override, or one (`/_mock/overrides/{id}`; 404 when there is none)."""
    demo = request.app[STATE].demo
    given = request.match_info.get("id")
    if given is None:
        ended = f"demo overrides reset ({demo.clear()} removed)"
    elif not given.isdigit() or not demo.remove(int(given)):
        return error_response(404, f"No demo override {given!r}; GET /_mock/overrides lists them.")
    else:
        ended = f"demo override #{given} removed"
    log.info("%s", ended)
    journal_answered(request, 200, ended)
    return web.json_response({"removed": True, "overrides": demo.entries()})


def describe_override(override: Override) -> str:
    """`next 2 requests on /chat → login-required`, as the console and the journal say it."""
    many = "" if override.left == 1 else "s"
    what = "every request" if override.left is None else f"next {override.left} request{many}"
    where = f" on {override.route}" if override.route else " on every route"
    who = f" of session {override.session}" if override.session else ""
    return f"{what}{where}{who} → {override.scenario}"


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
    app.router.add_get("/_mock/dialects", dialects)
    app.router.add_get("/_mock/overrides", list_overrides)
    app.router.add_post("/_mock/overrides", add_override)
    app.router.add_delete("/_mock/overrides", remove_overrides)
    app.router.add_delete("/_mock/overrides/{id}", remove_overrides)
