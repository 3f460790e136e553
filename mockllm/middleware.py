"""Cross-cutting HTTP behaviour: CORS for browser pages, errors shaped, never a traceback."""

from __future__ import annotations

import logging
from typing import Awaitable, Callable

from aiohttp import web

from .dialects.base import DIALECTS
from .events import Error

log = logging.getLogger("mockllm")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_RATE_LIMITS = [f"x-ratelimit-{kind}-{of}" for kind in ("limit", "remaining", "reset") for of in ("requests", "tokens")]
#: The response headers a page on another origin may read (a prefix such as `x-ratelimit-*` cannot be exposed: each is named).
EXPOSED = ", ".join(
    ["X-Mock-Scenario", "X-Mock-Seed", "X-Mock-Session", "X-Mock-Attempt", "X-Request-Id", "Retry-After", "Retry-After-Ms", "x-should-retry", *_RATE_LIMITS]
)


@web.middleware
async def cors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer preflight `OPTIONS` requests for any path."""
    if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
        return web.Response(status=204)
    return await handler(request)


async def add_cors_headers(request: web.Request, response: web.StreamResponse) -> None:
    """Let a page on any origin read every response, streamed ones included."""
    origin = request.headers.get("Origin")
    response.headers["Access-Control-Allow-Origin"] = origin or "*"
    if origin:
        response.headers["Vary"] = "Origin"
        response.headers["Access-Control-Allow-Credentials"] = "true"
    response.headers["Access-Control-Expose-Headers"] = EXPOSED
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
        asked = request.headers.get("Access-Control-Request-Headers")
        response.headers["Access-Control-Allow-Headers"] = asked or "*"
        response.headers["Access-Control-Max-Age"] = "86400"


@web.middleware
async def shaped_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn routing errors and unexpected exceptions into OpenAI-shaped JSON errors."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return error_response(exc.status, _routing_message(request, exc))
    except Exception:
        log.exception("internal error serving %s %s", request.method, request.path)
        return error_response(500, "mockllm hit an internal error; the server log has the details.")


def _routing_message(request: web.Request, exc: web.HTTPException) -> str:
    if isinstance(exc, web.HTTPMethodNotAllowed):
        allowed = ", ".join(sorted(exc.allowed_methods))
        return f"Method {request.method} is not allowed on {request.path}; use {allowed}."
    if isinstance(exc, web.HTTPNotFound):
        return f"No route {request.method} {request.path}. See GET /_mock/routes for what this server answers."
    return exc.text or exc.reason


def error_response(status: int, message: str) -> web.Response:
    """An OpenAI-shaped JSON error response."""
    respond = DIALECTS["openai"].error_response(Error(message, status=status))
    return web.Response(status=status, body=respond.body, content_type="application/json")
