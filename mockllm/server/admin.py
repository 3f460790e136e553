"""Routes under `/_mock/`: health, scenarios (posted ones too), journal, the client report card, reload, sessions, routes, dialects, demo overrides."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any, Iterator

from aiohttp import web

from mockllm.core.redact import safe_text
from mockllm.core.strict_json import parse_json
from mockllm.dialects import DIALECTS
from mockllm.dialects.apps.routes import builtin_framing_names
from mockllm.scenarios.catalog import Catalog, scenario_count
from mockllm.scenarios.problems import ProblemsError
from mockllm.scenarios.routes_map import Route, RouteMap, custom_framings, framing_names
from mockllm.scenarios.scenario import Match, Scenario
from mockllm.server.coverage import coverage
from mockllm.server.demo import Override, read_override_request
from mockllm.server.exchange import journal_answered
from mockllm.server.framing_routes import APP_METHODS
from mockllm.server.journal import Journal
from mockllm.server.metrics import render
from mockllm.server.middleware import error_response
from mockllm.server.pairing import lan_addresses, phone_url, qr_svg, serves_lan
from mockllm.server.posted import parse_posted
from mockllm.server.reload import reload_scenarios
from mockllm.server.sessions import request_session
from mockllm.server.state import STATE
from mockllm.server.worker_processes import WORKER

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
    """The scenarios a request of `?session=` sees, first match first: description, origin, file, match rules,
    what it does (steps, settings, faults) and the routes-map paths bound to it."""
    state = request.app[STATE]
    session = admin_session(request)
    catalog = state.view(session)
    bound = _bound_paths(catalog)
    listed = []
    for s in catalog.scenarios.values():
        posted, scope = state.runtime.scope_of(s.name, session)
        origin = {"origin": "posted", "session": scope} if posted else {"origin": "file"}
        about = {"name": s.name, "description": s.description, **origin, "file": catalog.files[s.name], "match": _match_json(s.match)}
        listed.append({**about, **_contents_json(s), "routes": bound.get(s.name, [])})
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


def _contents_json(scenario: Scenario) -> dict[str, Any]:
    """What a scenario does, compactly: steps (or attempts), and its stream, wire, framing and fault settings that differ from the defaults."""
    dumped = scenario.model_dump(mode="json", by_alias=True, exclude_defaults=True, include={"steps", "attempts", "stream", "wire", "framing"}, serialize_as_any=True)
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


async def journal(request: web.Request) -> web.StreamResponse:
    """Recent requests, oldest first, narrowed by `?session= since= scenario= path= limit=`; `?wait=S` long-polls.

    `limit` keeps the last n, or with `since` the first n after it (a cursor
    to page on). A large answer is streamed in small writes.

    With `wait`, the answer comes once a finished request matches (or after S
    seconds) and holds only finished requests.
    """
    try:
        query, wait = _journal_query(request)
    except ValueError as exc:
        return error_response(400, str(exc))
    state = request.app[STATE]
    if wait is None:
        return await _send_json_chunks(request, state.journal.json_chunks(**query))
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
    query["limit"] = int(numbers["limit"]) if numbers["limit"] else None
    if numbers["since"]:
        query["since"] = int(numbers["since"])  # given (0 too): `limit` counts from it, a cursor
    return query, float(numbers["wait"]) if numbers["wait"] is not None else None


def _is_number(value: str, whole: bool) -> bool:
    if whole:
        return value.isascii() and value.isdigit() and len(value) < 19
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


#: A journal read is sent in writes of about this size, so a large read never holds the server.
_JOURNAL_WRITE_BYTES = 64 * 1024


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


async def client_report(request: web.Request) -> web.Response:
    """The client report card of `?session=` (else of the whole journal): verdicts with evidence, see docs/report-card.md.

    Its rules are imported on the first report, not at start.
    """
    from mockllm.server.report import read_rules, report

    try:
        rules = read_rules(request.query)
    except ValueError as exc:
        return error_response(400, str(exc))
    session = request.query.get("session") or None
    entries = request.app[STATE].journal.entries(session=session)
    return web.json_response({"session": session, **report(entries, time.time(), rules)}, dumps=_dumps)


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
        log.warning("reload failed, still serving the previous scenarios: %d problem(s)", len(problems))
        for problem in problems:
            log.warning("  %s", problem)
        return web.json_response({"reloaded": False, "problems": problems}, status=422, dumps=_dumps)
    log.info("reloaded %s from %s", scenario_count(len(state.catalog.scenarios)), state.catalog.folder)
    return web.json_response({"reloaded": True, "scenarios": state.catalog.names})


async def metrics(request: web.Request) -> web.Response:
    """The Prometheus text exposition of this server's metrics."""
    snapshot = request.app[STATE].metrics.snapshot()
    worker = request.app.get(WORKER)
    body, content_type = render(worker.gather(snapshot) if worker else snapshot)
    return web.Response(body=body, headers={"Content-Type": content_type})


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


async def pair(request: web.Request) -> web.Response:
    """The phone page's LAN URL (admin token and `?session=` in it) and its QR code as SVG, for a phone to scan."""
    config = request.app[STATE].config
    lan = serves_lan(config.host)
    addresses = lan_addresses() if lan else []
    host = addresses[0] if addresses else (request.url.host or config.host)
    token = None if config.admin_open else config.admin_token
    url = phone_url(host, _listening_port(request), token, request.query.get("session") or None)
    note = "" if addresses else "not serving the LAN: start with --host 0.0.0.0 so a phone can reach this server"
    return web.json_response({"url": url, "svg": qr_svg(url), "lan": bool(addresses), "addresses": addresses, "note": note})


def _listening_port(request: web.Request) -> int:
    """The port this server listens on (what a phone must dial), from the accepted socket."""
    sockname = request.transport.get_extra_info("sockname") if request.transport else None
    return int(sockname[1]) if sockname else int(request.url.port or 80)


async def coverage_report(request: web.Request) -> web.Response:
    """Every business code and provider error the scenarios of `?session=` can send, and which of them its requests delivered, and how."""
    state = request.app[STATE]
    session = admin_session(request)
    entries = state.journal.entries(session=session, finished=True)
    return web.json_response(coverage(state.view(session), entries, session), dumps=_dumps)


def admin_session(request: web.Request) -> str | None:
    """The session an admin request is about: `?session=`, else the request's own session."""
    return request.query.get("session") or request_session(request)


async def dialects(request: web.Request) -> web.Response:
    """What a client can talk to: each provider dialect with its routes, the app framings, and the routes map."""
    catalog = request.app[STATE].catalog
    custom = custom_framings(catalog)
    routes_map = [{"path": path, "framing": r.framing, "scenario": r.scenario, "methods": r.methods} for path, r in _mapped_routes(catalog)]
    return web.json_response(
        {
            "dialects": [{"name": e.name, "routes": list(e.routes)} for e in DIALECTS.entries() if e.routes and not e.framing],
            "framings": [
                {"name": name, "custom": name in custom, "extends": custom[name].extends if name in custom else None}
                for name in sorted({*builtin_framing_names(), *custom})
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
    body, problem = parse_json(await request.read())
    try:
        if problem is not None:
            raise ValueError(f"send a JSON object ({problem})")
        override = state.demo.add(read_override_request(body, lambda session: state.view(session).names))
    except ValueError as exc:
        message = f"Bad override: {exc}."
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
    return safe_text(json.dumps(value, ensure_ascii=False))


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
    app.router.add_get("/_mock/report", client_report)
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
    app.router.add_get("/_mock/metrics", metrics)
    app.router.add_get("/_mock/pair", pair)
    app.router.add_get("/_mock/coverage", coverage_report)
