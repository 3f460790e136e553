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
from .dialects.base import Dialect, Incoming, RequestError, bad_request
from .journal import Journal
from .metrics import Metrics
from .overrides import Overrides, new_seed, read_overrides
from .pacer import Pacer
from .pipeline import wire_items
from .player import Outcome, play
from .select import select
from .wire.overrides import request_wire
from .workers import attempts_refusal

log = logging.getLogger("mockllm")

STREAM_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
_JOURNAL_BODY_LIMIT = 64 * 1024
#: API keys a client may send (Gemini's in `x-goog-api-key` or `?key=`): the journal keeps none of them.
SECRET_HEADERS = ("authorization", "x-api-key", "api-key", "x-goog-api-key")
SECRET_QUERY = "key"


@dataclass
class ServerState:
    """Everything the request handlers share."""

    config: ServerConfig
    catalog: Catalog
    journal: Journal
    tasks: set[asyncio.Task[Any]] = field(default_factory=set)
    sessions: Sessions = field(default_factory=Sessions)
    pacer: Pacer = field(default_factory=Pacer)
    metrics: Metrics = field(default_factory=Metrics)


STATE = web.AppKey("state", ServerState)


async def handle_chat(request: web.Request, dialect: Dialect) -> web.StreamResponse:
    """Answer a chat request in `dialect`; bad input gets the dialect's 4xx error shape."""
    state = request.app[STATE]
    started = time.monotonic()
    outcome = Outcome()
    route = route_label(request, dialect)
    call: Call | None = None
    entry = state.journal.record(_request_entry(request))
    task = asyncio.current_task()
    if task:
        state.tasks.add(task)
    try:
        incoming = await read_incoming(request, entry)
        call = _make_call(request, incoming, dialect, state)
        entry.update(scenario=call.scenario.name, seed=call.seed, stream=call.chat.stream)
        headers = {**STREAM_HEADERS, **dialect.headers(call), "X-Mock-Scenario": call.scenario.name, "X-Mock-Seed": str(call.seed)}
        if call.attempt:
            entry.update(session=call.attempt.session, attempt=call.attempt.number)
            headers.update({SESSION_HEADER: call.attempt.session, "X-Mock-Attempt": str(call.attempt.number)})
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
        return web.Response(status=respond.status, body=respond.body, headers=headers)
    finally:
        if task:
            state.tasks.discard(task)
        entry.update(status=outcome.status, ended=outcome.ended, writes=outcome.writes, bytes=outcome.bytes, write_log=outcome.write_log)
        if outcome.write_log_truncated:
            entry["write_log_truncated"] = True
        entry["duration_ms"] = round((time.monotonic() - started) * 1000, 1)
        state.journal.finished(entry)
        state.metrics.closed(outcome, route, entry["scenario"], call.faults_struck if call else ())
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


def _make_call(request: web.Request, incoming: Incoming, dialect: Dialect, state: ServerState) -> Call:
    chat: ChatRequest = dialect.parse(incoming)
    overrides: Overrides = read_overrides(request.headers, request.query)
    config = state.config
    scenario = select(
        state.catalog, chat, headers=request.headers, query=request.query, path=request.path, default=config.default
    )
    if scenario.attempts and config.workers > 1:
        raise bad_request(attempts_refusal(config.workers, scenario.name))
    scenario, attempt = take_attempt(state.sessions, state.catalog.scenarios, scenario, request.headers, request.path, chat)
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
    )


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


def route_label(request: web.Request, dialect: Dialect) -> str:
    """The route a request came by, for metrics: its route's path pattern; app routes by framing."""
    resource = request.match_info.route.resource
    canonical = resource.canonical if resource is not None else request.path
    return canonical if canonical != "/{path}" else f"/{dialect.name}/…"


def request_session(request: web.Request) -> str | None:
    """The request's session: header `X-Mock-Session`, else query `mock_session`, else None."""
    return request.headers.get(SESSION_HEADER) or request.query.get(SESSION_QUERY) or None


def _log(request: web.Request, entry: dict[str, Any]) -> None:
    what = f"{entry['scenario']} seed={entry.get('seed')}" if entry.get("scenario") else "-"
    mode = "stream" if entry.get("stream") else "whole"
    log.info(
        "%s %s → %s %s %s, %d writes, %.0f ms, %s",
        request.method,
        request.path_qs,
        what,
        entry["status"],
        mode,
        entry["writes"],
        entry["duration_ms"],
        entry["ended"],
    )
