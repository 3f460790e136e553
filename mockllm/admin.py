"""Routes under `/_mock/`: health, scenarios (posted ones too), journal, reload, sessions, routes."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiohttp import web

from .app_routes import APP_METHODS
from .handler import STATE, request_session
from .journal import Journal
from .middleware import error_response
from .routemap import framing_names
from .runtime import parse_posted
from .scenario import Match
from .watch import reload_scenarios
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
    """The scenarios a request of `?session=` sees, first match first: description, origin, file, match rules."""
    state = request.app[STATE]
    session = admin_session(request)
    catalog = state.view(session)
    listed = []
    for s in catalog.scenarios.values():
        posted, scope = state.runtime.scope_of(s.name, session)
        origin = {"origin": "posted", "session": scope} if posted else {"origin": "file"}
        listed.append({"name": s.name, "description": s.description, **origin, "file": catalog.files[s.name], "match": _match_json(s.match)})
    return web.json_response(listed, dumps=_dumps)


async def post_scenarios(request: web.Request) -> web.Response:
    """Add scenarios from a YAML or JSON body, for everyone or for `?session=`; 422 listing every problem."""
    state = request.app[STATE]
    session = admin_session(request)
    try:
        text = (await request.read()).decode("utf-8")
    except UnicodeDecodeError:
        return error_response(400, "The posted scenarios are not UTF-8 text.")
    try:
        posted = parse_posted(text, state.view(session))
        state.runtime.add(posted, session)
    except ProblemsError as exc:
        return web.json_response({"added": [], "problems": [str(p) for p in exc.problems]}, status=422, dumps=_dumps)
    return web.json_response({"added": [s.name for s in posted], "session": session}, status=201)


async def delete_scenarios(request: web.Request) -> web.Response:
    """Remove posted scenarios: one by name (`/_mock/scenarios/{name}`), a session's, or every one."""
    state = request.app[STATE]
    session = admin_session(request)
    name = request.match_info.get("name")
    if name is None:
        return web.json_response({"removed": state.runtime.clear(session)})
    if state.runtime.remove(name, session):
        return web.json_response({"removed": 1})
    where = f"for session {session!r}" if session else "for every session"
    origin = f"; {name!r} comes from {state.catalog.files[name]}: edit that file" if name in state.catalog.scenarios else ""
    return error_response(404, f"No posted scenario {name!r} {where}{origin}.")


async def journal(request: web.Request) -> web.Response:
    """Recent requests, oldest first, narrowed by `?session= since= scenario= path= limit=`; `?wait=S` long-polls.

    With `wait`, the answer comes once a finished request matches (or after S
    seconds) and holds only finished requests.
    """
    try:
        query, wait = _journal_query(request)
    except ValueError as exc:
        return error_response(400, str(exc))
    state = request.app[STATE]
    if wait is None:
        return web.json_response(state.journal.entries(**query), dumps=_dumps)
    task = asyncio.current_task()
    if task:
        state.tasks.add(task)  # so shutdown ends the wait
    try:
        entries = await _wait_for_entries(state.journal, query, min(wait, state.config.max_stream_s))
    finally:
        if task:
            state.tasks.discard(task)
    return web.json_response(entries, dumps=_dumps)


def _journal_query(request: web.Request) -> tuple[dict[str, Any], float | None]:
    """The journal filters and the wait (seconds) a request asks for; ValueError on a bad number."""
    numbers = {key: request.query.get(key) for key in ("limit", "since", "wait")}
    for key, value in numbers.items():
        if value is not None and not _is_number(value, whole=key != "wait"):
            kind = "a number of seconds" if key == "wait" else "a whole number"
            raise ValueError(f"?{key}= must be {kind}; got {value!r}.")
    query: dict[str, Any] = {"session": admin_session(request), "scenario": request.query.get("scenario"), "path": request.query.get("path")}
    query.update(limit=int(numbers["limit"]) if numbers["limit"] else None, since=int(numbers["since"] or 0))
    return query, float(numbers["wait"]) if numbers["wait"] is not None else None


def _is_number(value: str, whole: bool) -> bool:
    if whole:
        return value.isdigit()
    try:
        return 0 <= float(value) < float("inf")
    except ValueError:
        return False


async def _wait_for_entries(journal: Journal, query: dict[str, Any], wait: float) -> list[dict[str, Any]]:
    """The finished entries matching `query`, once there is one or `wait` seconds have passed."""
    filters = {k: v for k, v in query.items() if k != "limit"}
    queue = journal.subscribe()

    async def first_match() -> None:
        while not journal.entries(**query, finished=True):
            while not journal.matches(await queue.get(), **filters):
                pass

    try:
        await asyncio.wait_for(first_match(), wait)
    except asyncio.TimeoutError:
        pass
    finally:
        journal.unsubscribe(queue)
    return journal.entries(**query, finished=True)


async def clear_journal(request: web.Request) -> web.Response:
    """Forget every journal entry, or one session's (`?session=`)."""
    return web.json_response({"cleared": request.app[STATE].journal.clear(admin_session(request))})


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
    problems = await reload_scenarios(state)
    if problems:
        return web.json_response({"reloaded": False, "problems": problems}, status=422, dumps=_dumps)
    return web.json_response({"reloaded": True, "scenarios": state.catalog.names})


async def routes(request: web.Request) -> web.Response:
    """The routes this server answers: its own, each app framing's `/{framing}/{path}`, the routes maps' paths."""
    catalog = request.app[STATE].catalog
    listed = {f"{r.method} {r.resource.canonical}" for r in request.app.router.routes() if r.resource is not None and _listable(r)}
    listed |= {f"{method} /{name}/{{path}}" for name in framing_names(catalog) for method in APP_METHODS}
    for routes_map in catalog.documents.get("routes", []):
        for path, route in getattr(routes_map, "routes", {}).items():
            listed |= {f"{method} {path}" for method in route.methods}
    return web.json_response(sorted(listed))


def _listable(route: web.AbstractRoute) -> bool:
    """A route worth listing: not HEAD, not the app routes' catch-all (listed by framing instead)."""
    return route.method not in ("HEAD", "*")


def admin_session(request: web.Request) -> str | None:
    """The session an admin request is about: `?session=`, else the request's own session."""
    return request.query.get("session") or request_session(request)


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
    app.router.add_post("/_mock/scenarios", post_scenarios)
    app.router.add_delete("/_mock/scenarios", delete_scenarios)
    app.router.add_delete("/_mock/scenarios/{name}", delete_scenarios)
    app.router.add_get("/_mock/journal", journal)
    app.router.add_delete("/_mock/journal", clear_journal)
    app.router.add_post("/_mock/reload", reload)
    app.router.add_get("/_mock/sessions", sessions)
    app.router.add_delete("/_mock/sessions", reset_sessions)
    app.router.add_get("/_mock/sessions/{session:.+}", sessions)
    app.router.add_delete("/_mock/sessions/{session:.+}", reset_sessions)
    app.router.add_get("/_mock/routes", routes)
