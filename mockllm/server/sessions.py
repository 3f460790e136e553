"""Which session a request belongs to: a `/s/{session}/…` path prefix, header `X-Mock-Session`, query `mock_session`, or none.

The path prefix serves every route a second time under `/s/{session}/`, for
clients that can be given a base URL and nothing else (an app configured with
`OPENAI_BASE_URL`). Such a request is answered as the same request without
the prefix that names its session: the journal keeps the route's own path.
"""

from __future__ import annotations

import re
from typing import Mapping
from urllib.parse import unquote

from aiohttp import web
from yarl import URL

from mockllm.server.middleware import Handler, routing_error

SESSION_HEADER = "X-Mock-Session"
SESSION_QUERY = "mock_session"
#: The session a `/s/{session}/…` path named (set on the request the route answers).
PATH_SESSION = web.RequestKey("path_session", str)
#: `/s/{session}` and what follows it, in the raw (still percent-encoded) path.
_PREFIXED = re.compile(r"^/s/([^/]*)(/.*)?$")
#: What a session in a path may be: characters a URL carries as they are, so it never needs escaping.
PATH_SESSION_RULE = re.compile(r"^(?!\.{1,2}$)[A-Za-z0-9._~-]{1,128}$")


def request_session(request: web.Request) -> str | None:
    """The request's session: its `/s/{session}/` path prefix, else header `X-Mock-Session`, else query `mock_session`, else None."""
    return request.get(PATH_SESSION) or session_of(request.headers, request.query)


def session_of(headers: Mapping[str, str], query: Mapping[str, str]) -> str | None:
    """The session named by these headers or query parameters (see `request_session`)."""
    return headers.get(SESSION_HEADER) or query.get(SESSION_QUERY) or None


@web.middleware
async def session_paths(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer `/s/{session}/rest` as `/rest` of that session: the whole app, other middlewares included, sees `/rest`.

    aiohttp resolves the route before any middleware runs, so the request is
    answered again from the top (`Application._handle`) as a clone with the
    shorter path; this middleware must come first. A session name that breaks
    the rule, or a request naming two different sessions, gets a 400.
    """
    found = _PREFIXED.match(request.rel_url.raw_path)
    if found is None:
        return await handler(request)
    session = unquote(found.group(1))
    rest = URL.build(path=found.group(2) or "/", query_string=request.rel_url.raw_query_string, encoded=True)
    inner = request.clone(rel_url=rest)
    problem = _session_problem(session, session_of(request.headers, request.query))
    if problem:
        return routing_error(inner, 400, problem)
    inner[PATH_SESSION] = session
    response = await request.app._handle(inner)  # noqa: SLF001 - the one way to route a request again, middlewares included
    if not response.prepared:
        await response.prepare(inner)  # so response signals see the route's path, as for any other request
    return response


def _session_problem(session: str, named: str | None) -> str | None:
    """Why a session in the path cannot be used, or None."""
    if not PATH_SESSION_RULE.match(session):
        shown = session if len(session) <= 60 else session[:60] + "…"
        return (
            f"The session in the path /s/{shown}/… is not a session name: use 1 to 128 letters, digits, '-', '_', '.' or '~' "
            f"(not '.' or '..' alone), e.g. /s/test-1/v1."
        )
    if named is not None and named != session:
        return f"This request names two sessions: {session!r} in the path and {named!r} in {SESSION_HEADER} or ?{SESSION_QUERY}=; name one."
    return None
