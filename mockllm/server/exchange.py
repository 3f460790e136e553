"""Serve one chat request: read it, choose a scenario, run the pipeline, play it, journal it."""

from __future__ import annotations

import asyncio
import json
import logging
import math
import re
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Mapping
from urllib.parse import parse_qsl

from aiohttp import web
from aiohttp.web_protocol import RequestPayloadError
from multidict import CIMultiDict, CIMultiDictProxy, MultiDict, MultiDictProxy

from mockllm.scenarios.attempts import SESSION_HEADER, SESSION_QUERY, Sessions, take_attempt
from mockllm.stream.call import Call, ChatRequest
from mockllm.scenarios.catalog import Catalog
from mockllm.server.config import ServerConfig
from mockllm.server.demo import DemoOverrides, Override, names_own_scenario
from mockllm.dialects.base import Dialect, Incoming, RequestError, bad_request
from mockllm.core.events import Error
from mockllm.server.journal import Journal
from mockllm.server.middleware import unreadable_body
from mockllm.server.metrics import Metrics
from mockllm.server.request_overrides import Overrides, new_seed, read_overrides
from mockllm.delivery.pacer import Pacer
from mockllm.stream.pipeline import wire_items
from mockllm.delivery.player import Outcome, play
from mockllm.core.redact import redact_json, redact_pairs, redact_target, safe_text
from mockllm.server.posted import RuntimeScenarios
from mockllm.scenarios.scenario import Scenario
from mockllm.server.selection import select
from mockllm.server.wire_overrides import request_wire
from mockllm.ops.workers import attempts_refusal

if sys.version_info >= (3, 11):
    from asyncio import timeout
else:  # pragma: no cover - aiohttp installs async-timeout on Python 3.10
    from async_timeout import timeout

log = logging.getLogger("mockllm")

STREAM_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
_JOURNAL_BODY_LIMIT = 64 * 1024
#: Integers longer than this many digits are refused (Python's own limit is 4,300; no API needs more than 20).
_MAX_INT_DIGITS = 1000
#: The journal fields a JSON log line carries for each request.
_LOGGED = ("id", "method", "path", "session", "scenario", "override", "seed", "status", "stream", "writes", "bytes", "duration_ms", "ended", "errors")


@dataclass
class ServerState:
    """Everything the request handlers share."""

    config: ServerConfig
    catalog: Catalog
    journal: Journal
    tasks: set[asyncio.Task[Any]] = field(default_factory=set)
    sessions: Sessions = field(default_factory=Sessions)
    demo: DemoOverrides = field(default_factory=DemoOverrides)
    runtime: RuntimeScenarios = field(default_factory=RuntimeScenarios)

    def view(self, session: str | None) -> Catalog:
        """The scenarios a request of `session` sees: its posted ones, the global posted ones, the folder's."""
        return self.runtime.view(self.catalog, session)
    pacer: Pacer = field(default_factory=Pacer)
    metrics: Metrics = field(default_factory=Metrics)


STATE = web.AppKey("state", ServerState)


async def handle_chat(request: web.Request, dialect: Dialect) -> web.StreamResponse:
    """Answer a chat request in `dialect`; bad input gets the dialect's 4xx error shape."""
    state = request.app[STATE]
    started = time.monotonic()
    outcome = Outcome(status=None)  # until the pipeline plays: no status line sent
    route = route_label(request, dialect)
    entry = state.journal.record(_request_entry(request))
    task = asyncio.current_task()
    call: Call | None = None
    try:
        incoming = await read_incoming(request, entry, state.config.read_timeout_s)
        if task:
            state.tasks.add(task)  # an open stream from here: its body has arrived
        call, override = _make_call(incoming, dialect, state)
        entry.update(scenario=call.scenario.name, seed=call.seed, stream=call.chat.stream, override=override.id if override else None)
        _log_start(request, entry)
        headers = {**STREAM_HEADERS, **dialect.headers(call), "X-Mock-Scenario": call.scenario.name, "X-Mock-Seed": str(call.seed)}
        if call.attempt:
            entry.update(session=call.attempt.session, attempt=call.attempt.number)
            headers.update({SESSION_HEADER: call.attempt.session, "X-Mock-Attempt": str(call.attempt.number)})
        outcome.status = 200
        state.metrics.opened(outcome, route, call.scenario.name)
        return await play(
            request,
            wire_items(call, dialect),
            outcome,
            pacer=state.pacer,
            speed=call.speed,
            headers=headers,
            content_type=dialect.stream_content_type(call),
            max_stream_s=state.config.max_stream_s,
        )
    except RequestError as exc:
        respond = dialect.error_response(exc.error)
        outcome.whole(respond.status, len(respond.body))
        outcome.ended = exc.error.message
        headers = {**dict(respond.headers), "Content-Type": respond.content_type}
        response = web.Response(status=respond.status, body=respond.body, headers=headers)
        if exc.error.status == 408:
            await _answer_and_close(request, response)
        return response
    except ConnectionError:
        outcome.status, outcome.ended = None, "client went away"
        return web.Response(status=499)  # never sent: the connection is gone
    except Exception as exc:
        outcome.ended = f"internal error ({type(exc).__name__})"
        if not outcome.writes:
            outcome.status = 500
        raise
    finally:
        if task:
            state.tasks.discard(task)
        close_entry(request, entry, outcome, started, route, call, dialect.provider)


def close_entry(
    request: web.Request, entry: dict[str, Any], outcome: Outcome, started: float, route: str, call: Call | None, provider: str | None = None
) -> None:
    """Complete a journal entry with how the answer went (its errors as `provider` sent them), announce it, count it and log it."""
    state = request.app[STATE]
    entry.update(status=outcome.status, ended=outcome.ended, writes=outcome.writes, bytes=outcome.bytes)
    entry["errors"] = [_error_json(e.sent_by(provider)) for e in call.errors] if call else []
    entry["write_log"] = outcome.write_log
    if outcome.write_log_truncated:
        entry["write_log_truncated"] = True
    entry["duration_ms"] = round((time.monotonic() - started) * 1000, 1)
    state.journal.finished(entry)
    state.metrics.closed(outcome, route, entry["scenario"], call.faults_struck if call else ())
    _log(request, entry)


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
    )


async def _read_body(request: web.Request, timeout_s: float | None) -> bytes:
    try:
        async with timeout(timeout_s):  # not wait_for: no extra task, so a body already here is read before a close is seen
            return await request.read()
    except web.HTTPRequestEntityTooLarge as exc:
        raise bad_request(f"Request body too large: {exc.text or 'over the limit'}.", status=413) from None
    except RequestPayloadError as exc:
        raise bad_request(unreadable_body(exc)) from None
    except asyncio.TimeoutError:
        message = f"The request body did not arrive within {timeout_s:g} s (the server's --read-timeout); closing the connection."
        raise bad_request(message, status=408, code="request_timeout") from None


async def _answer_and_close(request: web.Request, response: web.Response) -> None:
    """Send `response` and close the connection now, not after waiting for the rest of a body that is not coming."""
    response.force_close()
    await response.prepare(request)
    await response.write_eof()
    if request.transport is not None:
        request.transport.close()


#: A `\uD800`-`\uDFFF` escape: only a body with one can hold a lone surrogate (most text, Chinese included, has none).
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def parse_json(body: bytes) -> tuple[Any, str | None]:
    """Parse a JSON body as strict JSON: finite numbers, integers of sane length, no lone surrogates."""
    if not body.strip():
        return None, "the body is empty"
    try:
        parsed = json.loads(body, parse_constant=_no_constant, parse_float=_finite_float, parse_int=_sane_int)
    except UnicodeDecodeError:
        return None, "the body is not UTF-8"
    except json.JSONDecodeError as exc:
        return None, f"{exc.msg} at line {exc.lineno} column {exc.colno}"
    except RecursionError:
        return None, "it nests arrays or objects too deeply"
    except ValueError as exc:
        return None, str(exc)
    if _SURROGATE_ESCAPE.search(body) and _has_lone_surrogate(parsed):
        return None, "a string holds a lone UTF-16 surrogate escape (like \\ud800), which is not valid Unicode"
    return parsed, None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:40]} is too large")
    return value


def _sane_int(text: str) -> int:
    if len(text) > _MAX_INT_DIGITS:
        raise ValueError(f"an integer has {len(text)} digits; at most {_MAX_INT_DIGITS} are accepted")
    return int(text)


def _has_lone_surrogate(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if safe_text(item) is not item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


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


def _make_call(incoming: Incoming, dialect: Dialect, state: ServerState) -> tuple[Call, Override | None]:
    chat = parse_request(dialect, incoming)
    headers, query, path = incoming.headers, incoming.query, incoming.path
    overrides: Overrides = read_overrides(headers, query)
    config = state.config
    session = session_of(headers, query)
    catalog = state.view(session)
    override, scenario = _demo_override(chat, catalog, state.demo, path, session, headers, query)
    scenario = scenario or select(catalog, chat, headers=headers, query=query, path=path, default=config.default)
    if scenario.attempts and config.workers > 1:
        raise bad_request(attempts_refusal(config.workers, scenario.name))
    scenario, attempt = take_attempt(state.sessions, catalog.scenarios, scenario, session, path, chat)
    seed = overrides.seed if overrides.seed is not None else config.seed
    stream_config = scenario.stream
    if overrides.delay_ms is not None:
        stream_config = stream_config.model_copy(update={"delay_ms": overrides.delay_ms})
    return Call(
        chat=chat,
        scenario=scenario,
        seed=seed if seed is not None else new_seed(),
        seeded=seed is not None,
        speed=overrides.speed if overrides.speed is not None else config.speed,
        stream_config=stream_config,
        wire=request_wire(scenario.wire, headers, query),
        attempt=attempt,
        last_event_id=last_event_id(headers),
    ), override


def _demo_override(
    chat: ChatRequest, catalog: Catalog, demo: DemoOverrides, path: str, session: str | None, headers: Mapping[str, str], query: Mapping[str, str]
) -> tuple[Override | None, Scenario | None]:
    """The demo override meant for this request and its scenario (see `mockllm.server.demo` for the precedence)."""
    if not len(demo) or names_own_scenario(chat, headers, query):
        return None, None
    override = demo.take(path, session, set(catalog.scenarios))
    return override, catalog.scenarios[override.scenario] if override else None


#: What a dialect's parser raises on input it failed to check (a bug to fix there, but the client's input is at fault).
_PARSER_SLIPS = (TypeError, ValueError, AttributeError, KeyError, IndexError, OverflowError, RecursionError, UnicodeError)


def parse_request(dialect: Dialect, incoming: Incoming) -> ChatRequest:
    """`dialect.parse`, with input its parser did not foresee answered as a 400 (and one log line) instead of a 500."""
    try:
        return dialect.parse(incoming)
    except _PARSER_SLIPS as exc:
        reason = f"{type(exc).__name__}: {safe_text(str(exc))[:200]}"
        log.warning("%s parser could not read %s %s: %s", dialect.name, incoming.method, safe_text(incoming.path), reason)
        raise bad_request(f"This request could not be read as a {dialect.name} request ({reason}).") from None


def last_event_id(headers: Mapping[str, str]) -> int | None:
    """The `Last-Event-ID` a reconnecting EventSource sends (a number; anything else starts over)."""
    value = headers.get("Last-Event-ID", "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


def _request_entry(request: web.Request) -> dict[str, Any]:
    session = request_session(request)
    return {
        "time": time.time(),
        "method": request.method,
        "path": safe_text(request.path),
        "query": redact_pairs(request.query.items()),
        "headers": redact_pairs(request.headers.items()),
        "session": safe_text(session) if session else None,
        "scenario": None,
    }


def journal_answered(request: web.Request, status: int, ended: str, **fields: Any) -> dict[str, Any]:
    """Journal a request answered at once (an admin change, an unknown route) and announce it to subscribers."""
    journal = request.app[STATE].journal
    done = {"status": status, "ended": ended, "writes": 0, "bytes": 0, "errors": [], "duration_ms": 0.0}
    entry = journal.record({**_request_entry(request), **done, **fields})
    journal.finished(entry)
    return entry


def journal_unrouted(request: web.Request, status: int) -> None:
    """Journal a request no route serves, so a test sees what its client got wrong."""
    journal_answered(request, status, "no route", writes=1)


def route_label(request: web.Request, dialect: Dialect) -> str:
    """The route a request came by, for metrics: its route's path pattern; app routes by framing."""
    resource = request.match_info.route.resource
    canonical = resource.canonical if resource is not None else request.path
    return canonical if canonical != "/{path}" else f"/{dialect.name}/…"


def request_session(request: web.Request) -> str | None:
    """The request's session: header `X-Mock-Session`, else query `mock_session`, else None."""
    return session_of(request.headers, request.query)


def session_of(headers: Mapping[str, str], query: Mapping[str, str]) -> str | None:
    """The session named by these headers or query parameters (see `request_session`)."""
    return headers.get(SESSION_HEADER) or query.get(SESSION_QUERY) or None


def _error_json(error: Error) -> dict[str, Any]:
    return {"status": error.status, "code": error.code, "type": error.type, "message": error.message}


def _logged(entry: dict[str, Any]) -> dict[str, Any]:
    """The fields a JSON log line carries about the request."""
    return {"request": {k: entry.get(k) for k in _LOGGED}}


def _log_start(request: web.Request, entry: dict[str, Any]) -> None:
    override = f" (demo override #{entry['override']})" if entry.get("override") else ""
    log.info("%s %s ← %s seed=%s%s", request.method, redact_target(request.path_qs), entry["scenario"], entry["seed"], override, extra=_logged(entry))


def _log(request: web.Request, entry: dict[str, Any]) -> None:
    """The line a request ends with: outcome, how the stream ended, and the error it carried (a warning then)."""
    what = f"{entry['scenario']} seed={entry.get('seed')}" if entry.get("scenario") else "-"
    mode = "stream" if entry.get("stream") else "whole"
    errors = [_describe_error(e, entry["status"]) for e in entry["errors"]]
    log.log(
        logging.WARNING if errors or (entry["status"] or 500) >= 400 else logging.INFO,
        "%s %s → %s %s %s, %d writes, %.0f ms, %s%s",
        request.method,
        redact_target(request.path_qs),
        what,
        entry["status"],
        mode,
        entry["writes"],
        entry["duration_ms"],
        entry["ended"],
        "".join(f"; {e}" for e in errors),
        extra=_logged(entry),
    )


def _describe_error(error: dict[str, Any], status: int | None) -> str:
    where = "in the stream" if status == 200 else f"as HTTP {error['status']}"
    code = f" code {error['code']}" if error["code"] is not None else ""
    return f"error{code} {error['message']!r} {where}"
