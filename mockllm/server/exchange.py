"""Serve one chat request: read it, choose a scenario, run the pipeline, play it, journal it."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from aiohttp import web

from mockllm.core.errors import RequestError
from mockllm.core.events import Error
from mockllm.core.redact import redact_pairs, redact_target, safe_text
from mockllm.delivery.player import Outcome, play
from mockllm.dialects.base import Dialect
from mockllm.server.calls import make_call
from mockllm.server.incoming import read_incoming
from mockllm.server.sessions import SESSION_HEADER, request_session
from mockllm.server.state import STATE
from mockllm.stream.call import Call
from mockllm.stream.pipeline import wire_items

log = logging.getLogger("mockllm")

STREAM_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
#: The journal fields a JSON log line carries for each request.
_LOGGED = ("id", "method", "path", "session", "scenario", "override", "seed", "status", "stream", "writes", "bytes", "duration_ms", "ended", "errors")


async def handle_chat(request: web.Request, dialect: Dialect) -> web.StreamResponse:
    """Answer a chat request in `dialect`; bad input gets the dialect's 4xx error shape."""
    state = request.app[STATE]
    started = time.monotonic()
    outcome = Outcome(status=None)  # until the pipeline plays: no status line sent
    route = route_label(request, dialect)
    entry = state.journal.record(request_entry(request))
    task = asyncio.current_task()
    call: Call | None = None
    try:
        incoming = await read_incoming(request, entry, state.config.read_timeout_s)
        if task:
            state.tasks.add(task)  # an open stream from here: its body has arrived
        call, override = make_call(incoming, dialect, state)
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


async def _answer_and_close(request: web.Request, response: web.Response) -> None:
    """Send `response` and close the connection now, not after waiting for the rest of a body that is not coming."""
    response.force_close()
    await response.prepare(request)
    await response.write_eof()
    if request.transport is not None:
        request.transport.close()


def request_entry(request: web.Request) -> dict[str, Any]:
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
    entry = journal.record({**request_entry(request), **done, **fields})
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
