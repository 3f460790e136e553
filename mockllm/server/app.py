"""The application factory: state, routes, middlewares and shutdown."""

from __future__ import annotations

import asyncio
import logging
from typing import cast

from aiohttp import web

from mockllm.dialects.base import Dialect, EventSocketDialect
from mockllm.dialects.registry import DIALECTS, Entry
from mockllm.scenarios import text
from mockllm.scenarios.catalog import Catalog
from mockllm.scenarios.loading import check_default, load_catalog
from mockllm.scenarios.routes_map import find_route
from mockllm.server import admin, ui
from mockllm.server import framing_routes as app_routes
from mockllm.server.admin_access import ACCESS, AdminAccess, guard_admin, with_admin_token
from mockllm.server.config import ServerConfig
from mockllm.server.event_socket import serve_event_socket
from mockllm.server.exchange import handle_chat
from mockllm.server.journal import Journal
from mockllm.server.limits import quiet_protocol_errors
from mockllm.server.middleware import Handler, as_response, cors, on_prepare, shaped_errors
from mockllm.server.sessions import request_session, session_paths
from mockllm.server.state import STATE, ServerState
from mockllm.server.upstream import add_upstreams
from mockllm.stream import text_render

log = logging.getLogger("mockllm")
#: How long after the server announces itself the fake-text warm-up starts.
WARM_UP_AFTER_S = 0.2


def create_app(config: ServerConfig | None = None, catalog: Catalog | None = None) -> web.Application:
    """Build the app; raise ProblemsError when the scenarios folder has problems.

    Bound off loopback without a token, it makes one: `app[STATE].config.admin_token`.
    """
    config = with_admin_token(config or ServerConfig())
    catalog = catalog or load_catalog(config.scenarios)
    check_default(catalog, config.default)
    # session_paths first: it answers `/s/{session}/…` again from the top, as the request without the prefix
    app = web.Application(middlewares=[session_paths, cors, guard_admin, shaped_errors], client_max_size=config.max_body_bytes)
    app[STATE] = ServerState(config=config, catalog=catalog, journal=Journal(config.journal_size, config.journal_max_bytes))
    app[ACCESS] = AdminAccess.of(config)
    app.on_response_prepare.append(on_prepare)
    app.on_startup.append(_quiet_protocol_errors)
    app.on_shutdown.append(_close_streams)
    add_upstreams(app, config)
    _add_dialect_routes(app)
    admin.add_routes(app)
    ui.add_routes(app)
    app_routes.add_routes(app)  # the catch-all: keep it last
    return app


def _add_dialect_routes(app: web.Application) -> None:
    """Every dialect's chat routes and listings, from the registry's manifest: a dialect's module is imported on its first request.

    A route two dialects declare is served by the first (an app framing may
    inherit a provider dialect's routes); a listing path several dialects
    share is answered per request (see `_listing_handler`). A dialect that
    keeps state per app (stored answers) serves from its `for_app()` instance.
    """
    serving = _Serving()
    listings: dict[str, list[str]] = {}
    routes: set[str] = set()
    for entry in DIALECTS.entries():
        for route in entry.routes:
            if route in routes:
                continue
            routes.add(route)
            method, path = route.split(" ", 1)
            app.router.add_route(method, path, _chat_handler(entry, serving))
        for path in entry.listings:
            listings.setdefault(path, []).append(entry.name)
    for path, names in listings.items():
        app.router.add_get(path, _listing_handler(path, names, serving))


class _Serving(dict[str, Dialect]):
    """The dialect instances one app serves from, each made on its first request."""

    def __missing__(self, name: str) -> Dialect:
        self[name] = DIALECTS[name].for_app()
        return self[name]


def _chat_handler(entry: Entry, serving: _Serving) -> Handler:
    name = entry.name
    if entry.socket:

        async def session(request: web.Request) -> web.StreamResponse:
            return await serve_event_socket(request, cast(EventSocketDialect, serving[name]))

        return session

    async def chat(request: web.Request) -> web.StreamResponse:
        if find_route(request.app[STATE].catalog, request.path) is not None:
            return await app_routes.serve_app_route(request)  # the folder's routes map wins over a built-in route
        return await handle_chat(request, serving[name])

    return chat


def _listing_handler(path: str, names: list[str], serving: _Serving) -> Handler:
    """Answer a listing path; where several dialects list it (`GET /v1/models`), the one that recognizes the client.

    Otherwise the first dialect that recognizes no particular client answers.
    """

    async def answer(request: web.Request) -> web.StreamResponse:
        offers = [serving[name] for name in names]
        fallback = next((d for d in offers if type(d).recognizes is Dialect.recognizes), offers[0])
        dialect = next((d for d in offers if d.recognizes(request.headers, request.query)), fallback)
        respond = dialect.listings()[path](request.app[STATE].view(request_session(request)).names, request.match_info)
        return as_response(respond)

    return answer


async def _quiet_protocol_errors(app: web.Application) -> None:
    """Log malformed requests and fd exhaustion as one line each (an `on_startup` hook: see `quiet_protocol_errors`)."""
    quiet_protocol_errors()


def warm_up(app: web.Application) -> None:
    """Build the faker instances the scenarios use in a thread, `WARM_UP_AFTER_S` from now, so a later first request does not wait.

    Called once the server listens and has announced it, and started a moment
    later: the thread's imports hold the interpreter, so a readiness probe sent
    right after the banner is answered first. A request that needs fake text
    sooner builds what it needs itself, as it would without a warm-up.
    """
    asyncio.get_running_loop().call_later(WARM_UP_AFTER_S, _start_warm_up, app)


def _start_warm_up(app: web.Application) -> None:
    locales = text.faker_locales(list(app[STATE].catalog.scenarios.values()))
    if locales:
        warming = asyncio.get_running_loop().run_in_executor(None, text_render.warm_up, sorted(locales))
        warming.add_done_callback(_warmed)


def _warmed(warming: asyncio.Future[None]) -> None:
    """Note a warm-up that failed (out of file descriptors, say): the first request builds what it needs instead."""
    if not warming.cancelled() and warming.exception() is not None:
        log.info("fake-text warm-up skipped: %s", warming.exception())


async def _close_streams(app: web.Application) -> None:
    """Cancel open streams so shutdown is prompt."""
    tasks = list(app[STATE].tasks)
    if tasks:
        log.info("closing %d open stream(s)", len(tasks))
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
