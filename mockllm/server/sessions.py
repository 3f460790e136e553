"""Which session a request belongs to: header `X-Mock-Session`, query `mock_session`, or none."""

from __future__ import annotations

from typing import Mapping

from aiohttp import web

SESSION_HEADER = "X-Mock-Session"
SESSION_QUERY = "mock_session"


def request_session(request: web.Request) -> str | None:
    """The request's session: header `X-Mock-Session`, else query `mock_session`, else None."""
    return session_of(request.headers, request.query)


def session_of(headers: Mapping[str, str], query: Mapping[str, str]) -> str | None:
    """The session named by these headers or query parameters (see `request_session`)."""
    return headers.get(SESSION_HEADER) or query.get(SESSION_QUERY) or None

