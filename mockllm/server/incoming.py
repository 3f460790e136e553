"""Read a request's body within the time and size limits, and its headers and query as clean text."""

from __future__ import annotations

import asyncio
import sys
from typing import Any, Mapping
from urllib.parse import parse_qsl

from aiohttp import web
from aiohttp.web_protocol import RequestPayloadError
from multidict import CIMultiDict, CIMultiDictProxy, MultiDict, MultiDictProxy

from mockllm.core.errors import bad_request
from mockllm.core.incoming import Incoming
from mockllm.core.redact import redact_json, redact_pairs, safe_text
from mockllm.core.strict_json import parse_json
from mockllm.server.middleware import unreadable_body
from mockllm.server.sessions import request_session

if sys.version_info >= (3, 11):
    from asyncio import timeout
else:  # pragma: no cover - aiohttp installs async-timeout on Python 3.10
    from async_timeout import timeout


_JOURNAL_BODY_LIMIT = 64 * 1024


async def read_incoming(request: web.Request, entry: dict[str, Any] | None = None, timeout_s: float | None = None) -> Incoming:
    """Read the body within `timeout_s` (408) and the size limit (413); parse it as JSON when it looks like JSON.

    Header and query text comes out clean: bytes that are not UTF-8 are
    shown as `\\udcff` escapes, so nothing read here can fail to encode later.
    """
    body = await _read_body(request, timeout_s)
    parsed, error = parse_json(body)
    if entry is not None:
        entry["body"] = _journal_body(request, body, parsed, error)
    return Incoming(
        method=request.method,
        path=request.path,
        query=clean_query(request.query),
        headers=clean_headers(request.headers),
        body=body,
        json=parsed,
        json_error=error,
        match_info={k: safe_text(v) for k, v in request.match_info.items()},
        session=request_session(request),
    )


async def _read_body(request: web.Request, timeout_s: float | None) -> bytes:
    try:
        async with timeout(timeout_s):  # not wait_for: no extra task, so a body already here is read before a close is seen
            return await request.read()
    except web.HTTPRequestEntityTooLarge as exc:
        raise bad_request(f"Request body too large: {(exc.text or 'over the limit').rstrip('.')}.", status=413) from None
    except RequestPayloadError as exc:
        raise bad_request(unreadable_body(exc)) from None
    except asyncio.TimeoutError:
        message = f"The request body did not arrive within {timeout_s:g} s (the server's --read-timeout); closing the connection."
        raise bad_request(message, status=408, code="request_timeout") from None


def clean_headers(headers: Mapping[str, str]) -> CIMultiDictProxy[str]:
    """Headers with undecodable bytes shown as escapes (the parser keeps them as lone surrogates)."""
    return CIMultiDictProxy(CIMultiDict((safe_text(k), safe_text(v)) for k, v in headers.items()))


def clean_query(query: Mapping[str, str]) -> MultiDictProxy[str]:
    """Query parameters as clean text (see `clean_headers`)."""
    return MultiDictProxy(MultiDict((safe_text(k), safe_text(v)) for k, v in query.items()))


def _journal_body(request: web.Request, body: bytes, parsed: Any, error: str | None) -> Any:
    """What the journal keeps of a body: parsed JSON (or form fields), redacted; else its first 64 KiB as text."""
    if len(body) <= _JOURNAL_BODY_LIMIT:
        if error is None:
            return redact_json(parsed)
        if request.content_type == "application/x-www-form-urlencoded":
            return redact_pairs(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    return body[:_JOURNAL_BODY_LIMIT].decode("utf-8", "replace")
