"""App routes: `GET|POST /{framing}/{any/path}` and the exact paths of the folder's routes maps.

One catch-all route, registered last, serves both; it is looked up per request
so `POST /_mock/reload` picks up new framings and routes. Any other path gets
the 404 (listing the framings) or 405 the router would have given, in the error
shape of the provider whose API holds the path (see `routing_dialect`).
"""

from __future__ import annotations

import logging

from aiohttp import web

from mockllm.core.redact import redact_target
from mockllm.dialects.apps.base import AppFraming
from mockllm.dialects.apps.routes import app_framing
from mockllm.scenarios.catalog import Catalog
from mockllm.scenarios.routes_map import find_route, framing_names
from mockllm.server.exchange import handle_chat, journal_unrouted
from mockllm.server.middleware import allowing, error_response, not_allowed_message, routing_error
from mockllm.server.state import STATE
from mockllm.server.websocket import serve_socket

log = logging.getLogger("mockllm")

APP_METHODS = ("GET", "POST")
#: Paths of provider and admin routes: an unknown one there gets the plain 404.
NOT_APP_PREFIXES = ("/v1/", "/_mock/")


async def serve_app_route(request: web.Request) -> web.StreamResponse:
    """Serve a chat in the path's app framing; 404/405 for paths no route answers."""
    catalog = request.app[STATE].catalog
    framing, methods = framing_for(catalog, request.path)
    route = find_route(catalog, request.path)
    if framing is not None and route is not None and route.transport == "websocket":
        return await _socket_or_426(request, framing)
    if framing is not None and request.method in methods:
        return await handle_chat(request, framing)
    allowed = await _allowed_elsewhere(request) | set(methods)
    _note_unanswered(request, 405 if allowed else 404)
    if methods:  # an app's own path: its 405 is the app's, whatever provider's API the path looks like
        return allowing(error_response(405, not_allowed_message(request, allowed)), allowed)
    if allowed:
        raise web.HTTPMethodNotAllowed(request.method, allowed)
    if request.path.startswith(NOT_APP_PREFIXES):
        raise web.HTTPNotFound()
    names = ", ".join(framing_names(catalog))
    return routing_error(
        request,
        404,
        f"No route {request.method} {request.path}. See GET /_mock/routes for what this server answers. "
        f"App streams are served at /{{framing}}/{{any/path}} with a framing of: {names}; or at a path of a routes map.",
    )


def _note_unanswered(request: web.Request, status: int) -> None:
    """Log and journal a request no route answers, so a client calling the wrong URL shows up."""
    log.warning("%s %s → %d %s", request.method, redact_target(request.path_qs), status, "no route" if status == 404 else "method not allowed")
    journal_unrouted(request, status)


def framing_for(catalog: Catalog, path: str) -> tuple[AppFraming | None, tuple[str, ...]]:
    """The framing serving `path` and the methods it answers: a routes-map entry first, then the first segment."""
    route = find_route(catalog, path)
    if route is not None:
        framing = app_framing(catalog, route.framing)
        return (framing.for_route(route.scenario) if framing else None), tuple(route.methods)
    framing = app_framing(catalog, path.lstrip("/").split("/", 1)[0])
    return framing, (APP_METHODS if framing else ())


async def serve_socket_route(request: web.Request) -> web.StreamResponse:
    """`GET /ws/{framing}/{any/path}`: the framing's answers as WebSocket messages."""
    name = request.match_info["framing"]
    framing = app_framing(request.app[STATE].catalog, name)
    if framing is None:
        names = ", ".join(framing_names(request.app[STATE].catalog))
        return error_response(404, f"No framing {name!r} for /ws/{{framing}}/{{any/path}}; known: {names}.")
    return await _socket_or_426(request, framing)


async def _socket_or_426(request: web.Request, framing: AppFraming) -> web.StreamResponse:
    if request.method != "GET" or request.headers.get("Upgrade", "").lower() != "websocket":
        return error_response(426, f"{request.path} is a WebSocket route: connect with a WebSocket client (Upgrade: websocket).")
    return await serve_socket(request, framing)


async def _allowed_elsewhere(request: web.Request) -> set[str]:
    """Methods other routes answer on this path (for a 405 instead of a 404)."""
    mine = request.match_info.route.resource
    allowed: set[str] = set()
    for resource in request.app.router.resources():
        if resource is not mine:
            _, methods = await resource.resolve(request)
            allowed |= methods
    return allowed


def add_routes(app: web.Application) -> None:
    """Register the WebSocket route and the catch-all; call it after every other route."""
    app.router.add_route("*", "/ws/{framing}/{path:.*}", serve_socket_route)
    app.router.add_route("*", "/{path:.*}", serve_app_route)
