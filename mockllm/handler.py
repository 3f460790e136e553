"""Serve one chat request: read it, choose a scenario, run the pipeline, play it, journal it."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from .attempts import SESSION_HEADER, SESSION_QUERY, Sessions, take_attempt
from .call import Call, ChatRequest
from .catalog import Catalog
from .config import ServerConfig
from .demo import DemoOverrides, Override, names_own_scenario
from .dialects.base import Dialect, Incoming, RequestError, bad_request
from .events import Error
from .journal import Journal
from .overrides import Overrides, new_seed, read_overrides
from .pipeline import wire_items
from .player import Outcome, play
from .runtime import RuntimeScenarios
from .scenario import Scenario
from .select import select
from .wire.overrides import request_wire

log = logging.getLogger("mockllm")

STREAM_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
_JOURNAL_BODY_LIMIT = 64 * 1024
#: API keys a client may send (Gemini's in `x-goog-api-key` or `?key=`): the journal keeps none of them.
SECRET_HEADERS = ("authorization", "x-api-key", "api-key", "x-goog-api-key")
SECRET_QUERY = "key"
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


STATE = web.AppKey("state", ServerState)


async def handle_chat(request: web.Request, dialect: Dialect) -> web.StreamResponse:
    """Answer a chat request in `dialect`; bad input gets the dialect's 4xx error shape."""
    state = request.app[STATE]
    started = time.monotonic()
    outcome = Outcome(status=None)  # until the pipeline plays: no status line sent
    entry = state.journal.record(_request_entry(request))
    task = asyncio.current_task()
    if task:
        state.tasks.add(task)
    call: Call | None = None
    try:
        incoming = await read_incoming(request, entry)
        call, override = _make_call(request, incoming, dialect, state)
        entry.update(scenario=call.scenario.name, seed=call.seed, stream=call.chat.stream, override=override.id if override else None)
        _log_start(request, entry)
        headers = {**STREAM_HEADERS, **dialect.headers(call), "X-Mock-Scenario": call.scenario.name, "X-Mock-Seed": str(call.seed)}
        if call.attempt:
            entry.update(session=call.attempt.session, attempt=call.attempt.number)
            headers.update({SESSION_HEADER: call.attempt.session, "X-Mock-Attempt": str(call.attempt.number)})
        outcome.status = 200
        return await play(
            request,
            wire_items(call, dialect),
            outcome,
            speed=call.speed,
            headers=headers,
            content_type=dialect.stream_content_type(call),
            max_stream_s=state.config.max_stream_s,
        )
    except RequestError as exc:
        respond = dialect.error_response(exc.error)
        outcome.status, outcome.ended = respond.status, exc.error.message
        headers = {**dict(respond.headers), "Content-Type": respond.content_type}
        return web.Response(status=respond.status, body=respond.body, headers=headers)
    finally:
        if task:
            state.tasks.discard(task)
        entry.update(status=outcome.status, ended=outcome.ended, writes=outcome.writes, bytes=outcome.bytes)
        entry["errors"] = [_error_json(e) for e in call.errors] if call else []
        entry["duration_ms"] = round((time.monotonic() - started) * 1000, 1)
        state.journal.finished(entry)
        _log(request, entry)


async def read_incoming(request: web.Request, entry: dict[str, Any] | None = None) -> Incoming:
    """Read the body (413 past the size limit) and parse it as JSON when it looks like JSON."""
    try:
        body = await request.read()
    except web.HTTPRequestEntityTooLarge as exc:
        raise bad_request(f"Request body too large: {exc.text or 'over the limit'}.", status=413) from None
    parsed, error = _parse_json(body)
    if entry is not None:
        small = len(body) <= _JOURNAL_BODY_LIMIT
        entry["body"] = parsed if error is None and small else body[:_JOURNAL_BODY_LIMIT].decode("utf-8", "replace")
    return Incoming(
        method=request.method,
        path=request.path,
        query=request.query,
        headers=request.headers,
        body=body,
        json=parsed,
        json_error=error,
        match_info=dict(request.match_info),
    )


def _parse_json(body: bytes) -> tuple[Any, str | None]:
    if not body.strip():
        return None, "the body is empty"
    try:
        return json.loads(body), None
    except UnicodeDecodeError:
        return None, "the body is not UTF-8"
    except json.JSONDecodeError as exc:
        return None, f"{exc.msg} at line {exc.lineno} column {exc.colno}"
    except RecursionError:
        return None, "it nests arrays or objects too deeply"


def _make_call(request: web.Request, incoming: Incoming, dialect: Dialect, state: ServerState) -> tuple[Call, Override | None]:
    chat: ChatRequest = dialect.parse(incoming)
    overrides: Overrides = read_overrides(request.headers, request.query)
    config = state.config
    session = request_session(request)
    catalog = state.view(session)
    override, scenario = _demo_override(request, chat, catalog, state.demo)
    scenario = scenario or select(catalog, chat, headers=request.headers, query=request.query, path=request.path, default=config.default)
    scenario, attempt = take_attempt(state.sessions, catalog.scenarios, scenario, session, request.path, chat)
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
        wire=request_wire(scenario.wire, request.headers, request.query),
        attempt=attempt,
        last_event_id=last_event_id(request),
    ), override


def _demo_override(request: web.Request, chat: ChatRequest, catalog: Catalog, demo: DemoOverrides) -> tuple[Override | None, Scenario | None]:
    """The demo override meant for this request and its scenario (see `mockllm.demo` for the precedence)."""
    if not len(demo) or names_own_scenario(chat, request.headers, request.query):
        return None, None
    override = demo.take(request.path, request_session(request), set(catalog.scenarios))
    return override, catalog.scenarios[override.scenario] if override else None


def last_event_id(request: web.Request) -> int | None:
    """The `Last-Event-ID` a reconnecting EventSource sends (a number; anything else starts over)."""
    value = request.headers.get("Last-Event-ID", "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else None


def _request_entry(request: web.Request) -> dict[str, Any]:
    headers = {k: ("<redacted>" if k.lower() in SECRET_HEADERS else v) for k, v in request.headers.items()}
    return {
        "time": time.time(),
        "method": request.method,
        "path": request.path,
        "query": {k: ("<redacted>" if k == SECRET_QUERY else v) for k, v in request.query.items()},
        "headers": headers,
        "session": request_session(request),
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


def request_session(request: web.Request) -> str | None:
    """The request's session: header `X-Mock-Session`, else query `mock_session`, else None."""
    return request.headers.get(SESSION_HEADER) or request.query.get(SESSION_QUERY) or None


def _error_json(error: Error) -> dict[str, Any]:
    return {"status": error.status, "code": error.code, "type": error.type, "message": error.message}


def _logged(entry: dict[str, Any]) -> dict[str, Any]:
    """The fields a JSON log line carries about the request."""
    return {"request": {k: entry.get(k) for k in _LOGGED}}


def _log_start(request: web.Request, entry: dict[str, Any]) -> None:
    override = f" (demo override #{entry['override']})" if entry.get("override") else ""
    log.info("%s %s ← %s seed=%s%s", request.method, request.path_qs, entry["scenario"], entry["seed"], override, extra=_logged(entry))


def _log(request: web.Request, entry: dict[str, Any]) -> None:
    """The line a request ends with: outcome, how the stream ended, and the error it carried (a warning then)."""
    what = f"{entry['scenario']} seed={entry.get('seed')}" if entry.get("scenario") else "-"
    mode = "stream" if entry.get("stream") else "whole"
    errors = [_describe_error(e, entry["status"]) for e in entry["errors"]]
    log.log(
        logging.WARNING if errors or (entry["status"] or 500) >= 400 else logging.INFO,
        "%s %s → %s %s %s, %d writes, %.0f ms, %s%s",
        request.method,
        request.path_qs,
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
