"""Cross-cutting HTTP behaviour: CORS for browser pages, errors shaped, never a second response in a stream."""

from __future__ import annotations

import logging
from typing import Awaitable, Callable, Iterable

from aiohttp import web
from aiohttp.web_protocol import RequestPayloadError

from mockllm.core.events import Error, Respond
from mockllm.dialects.registry import DIALECTS, routing_dialect

log = logging.getLogger("mockllm")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_RATE_LIMITS = [f"x-ratelimit-{kind}-{of}" for kind in ("limit", "remaining", "reset") for of in ("requests", "tokens")]
#: The response headers a page on another origin may read (a prefix such as `x-ratelimit-*` cannot be exposed: each is named).
EXPOSED = ", ".join(
    ["X-Mock-Scenario", "X-Mock-Why", "X-Mock-Seed", "X-Mock-Session", "X-Mock-Attempt", "X-Request-Id", "Retry-After", "Retry-After-Ms", "x-should-retry", *_RATE_LIMITS]
)
ADMIN_PREFIX = "/_mock/"
#: The request key under which the response that began (its status line sent) is kept.
STARTED = web.RequestKey("started", web.StreamResponse)


@web.middleware
async def cors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer preflight `OPTIONS` requests for any path."""
    if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
        return web.Response(status=204)
    return await handler(request)


async def on_prepare(request: web.Request, response: web.StreamResponse) -> None:
    """Note that `request`'s response began, then add its CORS headers."""
    request[STARTED] = response
    add_cors_headers(request, response)


def add_cors_headers(request: web.Request, response: web.StreamResponse) -> None:
    """Let a page on any origin read model responses, streamed ones included; admin ones only same-origin."""
    origin = request.headers.get("Origin")
    if is_admin_path(request.path) and origin is not None and not same_origin(request):
        return
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


def is_admin_path(path: str) -> bool:
    """Whether `path` is under `/_mock/` (admin and health)."""
    return path.startswith(ADMIN_PREFIX) or path == ADMIN_PREFIX.rstrip("/")


def same_origin(request: web.Request) -> bool:
    """Whether the request's `Origin` is this server as the client addressed it (scheme and Host)."""
    return request.headers.get("Origin") == f"{request.scheme}://{request.headers.get('Host', '')}"


@web.middleware
async def shaped_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn routing errors into the error shape of the provider whose API holds the path, unexpected exceptions into OpenAI's.

    An error after the response began cannot become a second response: the
    connection is closed after what was sent, so the client sees the stream
    end unfinished, as a broken upstream ends it.
    """
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        if request.get(STARTED) is not None:
            return _end_started(request)
        allowed = exc.allowed_methods if isinstance(exc, web.HTTPMethodNotAllowed) else ()
        return routing_error(request, exc.status, _routing_message(request, exc), allowed)
    except RequestPayloadError as exc:
        return error_response(400, unreadable_body(exc))
    except Exception:
        log.exception("internal error serving %s %s", request.method, request.path)
        if request.get(STARTED) is not None:
            return _end_started(request)
        return error_response(500, "mockllm hit an internal error; the server log has the details.")


def unreadable_body(exc: RequestPayloadError) -> str:
    """What to tell a client whose body aiohttp could not read (a `Content-Encoding` that does not decode)."""
    cause = exc.__cause__ or exc
    return f"The request body could not be read: {getattr(cause, 'message', None) or cause}."


def _end_started(request: web.Request) -> web.StreamResponse:
    """Close a connection whose response already began, and hand aiohttp that response (not a new one)."""
    if request.transport is not None:
        request.transport.close()
    response: web.StreamResponse = request[STARTED]
    return response


def _routing_message(request: web.Request, exc: web.HTTPException) -> str:
    if isinstance(exc, web.HTTPMethodNotAllowed):
        return not_allowed_message(request, exc.allowed_methods)
    if isinstance(exc, web.HTTPNotFound):
        return f"No route {request.method} {request.path}. See GET /_mock/routes for what this server answers."
    return exc.text or exc.reason


def not_allowed_message(request: web.Request, allowed: Iterable[str]) -> str:
    """What a 405 says: the methods the path answers."""
    return f"Method {request.method} is not allowed on {request.path}; use {', '.join(sorted(allowed))}."


def routing_error(request: web.Request, status: int, message: str, allowed: Iterable[str] = ()) -> web.Response:
    """A request no route answers, in the error shape of the provider whose API holds its path (OpenAI's elsewhere).

    A 405 names the methods the path answers in `Allow`.
    """
    dialect = routing_dialect(request.path, request.headers, request.query) or DIALECTS["openai"]
    return allowing(as_response(dialect.error_response(Error(message, status=status))), allowed)


def allowing(response: web.Response, allowed: Iterable[str]) -> web.Response:
    """`response` naming the methods the path answers in `Allow` (when there are any)."""
    if allowed:
        response.headers["Allow"] = ", ".join(sorted(allowed))
    return response


def as_response(respond: Respond) -> web.Response:
    """A complete `Respond` as an aiohttp response."""
    return web.Response(status=respond.status, body=respond.body, headers={**dict(respond.headers), "Content-Type": respond.content_type})


def error_response(status: int, message: str) -> web.Response:
    """An OpenAI-shaped JSON error response."""
    return as_response(DIALECTS["openai"].error_response(Error(message, status=status)))
