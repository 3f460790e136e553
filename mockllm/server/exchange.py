"""Serve one chat request: read it, choose a scenario, run the pipeline, play it, journal it."""

from __future__ import annotations

import asyncio
import logging
import time
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, AsyncIterator

from aiohttp import web

from mockllm.core.errors import RequestError
from mockllm.core.events import Error, Respond
from mockllm.core.incoming import Incoming
from mockllm.core.redact import redact_pairs, redact_target, safe_text
from mockllm.delivery.pacer import Outcome
from mockllm.delivery.transports.base import Transport
from mockllm.delivery.transports.http import HttpChunked
from mockllm.dialects.base import Dialect
from mockllm.server.calls import FallThrough, make_call
from mockllm.server.incoming import read_incoming
from mockllm.server.selection import FORWARDED_WHY, WHY_HEADER, why_header
from mockllm.server.sessions import SESSION_HEADER, request_session
from mockllm.server.state import STATE
from mockllm.server.upstream import described, forward, upstream_for
from mockllm.stream.call import Call
from mockllm.stream.pipeline import wire_items

if TYPE_CHECKING:
    from mockllm.record.proxy import Upstream

log = logging.getLogger("mockllm")

STREAM_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
#: `X-Mock-Why` of an answer refused before a scenario was chosen.
REFUSED_WHY = "no scenario: the request was refused before one was chosen"
#: The journal fields a JSON log line carries for each request.
_LOGGED = ("id", "method", "path", "session", "scenario", "override", "seed", "status", "stream", "writes", "bytes", "duration_ms", "ended", "errors")


class Exchange:
    """One request served on any transport: its journal entry, its call and how its answer went, closed exactly once.

    Every transport serves a request the same way: `exchange()` opens the
    journal entry, `begin` turns the request into a call (and counts the
    stream as opened), `play` hands the call's wire items to the pacer through
    the transport, `refuse` shapes a `RequestError` in the dialect's error
    shape, and leaving the `async with` closes the entry: journal, metrics, log.
    """

    def __init__(self, request: web.Request, dialect: Dialect, route: str, entry: dict[str, Any], outcome: Outcome) -> None:
        self.request, self.dialect, self.route, self.entry, self.outcome = request, dialect, route, entry, outcome
        self.state = request.app[STATE]
        self.started = time.monotonic()
        self.call: Call | None = None
        self.why = REFUSED_WHY

    def begin(self, incoming: Incoming, fall_through: bool = False) -> Call:
        """The call that answers `incoming` (its scenario chosen, its attempt counted), noted in the journal and metrics.

        With `fall_through`, a request that names and matches no scenario raises FallThrough instead (an upstream answers it).
        """
        call, selection = make_call(incoming, self.dialect, self.state, fall_through)
        self.call, self.why = call, selection.reason
        self.entry.update(scenario=call.scenario.name, seed=call.seed, speed=call.speed, stream=call.chat.stream, override=selection.override, why=selection.trace())
        if call.attempt:
            self.entry.update(session=call.attempt.session, attempt=call.attempt.number)
        _log_start(self.request, self.entry)
        return call

    async def play(self, transport: Transport, call: Call) -> None:
        """Pace the call's wire items through `transport` (the pacer is the only code that sleeps and writes)."""
        self.state.metrics.opened(self.outcome, self.route, call.scenario.name)
        await self.state.pacer.play(transport, wire_items(call, self.dialect), self.outcome, speed=call.speed, max_stream_s=self.state.config.max_stream_s)

    def refuse(self, exc: RequestError) -> Respond:
        """The dialect's error response for a request it cannot serve, noted as the outcome."""
        respond = self.dialect.error_response(exc.error)
        self.outcome.whole(respond.status, len(respond.body))
        self.outcome.ended = exc.error.message
        return respond

    def close(self) -> None:
        """Complete the journal entry, count and log the answer."""
        close_entry(self.request, self.entry, self.outcome, self.started, self.route, self.call, self.dialect.provider)


@asynccontextmanager
async def exchange(request: web.Request, dialect: Dialect, route: str, outcome: Outcome, **entry: Any) -> AsyncIterator[Exchange]:
    """Serve one request as an `Exchange`: journaled on entry, closed on leaving, whatever happens in between."""
    served = Exchange(request, dialect, route, request.app[STATE].journal.record({**request_entry(request), **entry}), outcome)
    try:
        yield served
    finally:
        served.close()


async def handle_chat(request: web.Request, dialect: Dialect) -> web.StreamResponse:
    """Answer a chat request in `dialect` over HTTP; bad input gets the dialect's 4xx error shape."""
    state = request.app[STATE]
    task = asyncio.current_task()
    async with exchange(request, dialect, route_label(request, dialect), Outcome(status=None)) as served:  # no status line yet
        try:
            incoming = await read_incoming(request, served.entry, state.config.read_timeout_s)
            if task:
                state.tasks.add(task)  # an open stream from here: its body has arrived
            upstream = upstream_for(request, dialect)
            call = served.begin(incoming, fall_through=upstream is not None)
            served.outcome.status = 200
            transport = HttpChunked(request, _answer_headers(dialect, call, served.why), dialect.stream_content_type(call))
            await served.play(transport, call)
            return transport.response
        except FallThrough as miss:
            assert upstream is not None
            served.entry["stream"] = miss.chat.stream
            if miss.why is not None:
                served.entry["why"] = {**miss.why.trace(), "scenario": None, "by": "upstream", "reason": FORWARDED_WHY}
            return await _forward(request, incoming, upstream, served)
        except RequestError as exc:
            return await _error_response(request, served.refuse(exc), exc.error.status)
        except ConnectionError:
            served.outcome.status, served.outcome.ended = None, "client went away"
            return web.Response(status=499)  # never sent: the connection is gone
        except Exception as exc:
            served.outcome.ended = f"internal error ({type(exc).__name__})"
            if not served.outcome.writes:
                served.outcome.status = 500
            raise
        finally:
            if task:
                state.tasks.discard(task)


async def _forward(request: web.Request, incoming: Incoming, upstream: Upstream, served: Exchange) -> web.StreamResponse:
    """Answer with what the upstream sends (recorded for next time); an unreachable upstream is a 502 in the dialect's shape."""
    log.info("%s %s ← forwarded to %s", request.method, redact_target(request.path_qs), upstream.url, extra=_logged(served.entry))
    relayed = await forward(request, incoming.body, served.dialect, upstream)
    ended, fields = described(relayed, upstream, served.state.config)
    served.entry.update(fields)
    if relayed.response is None:
        respond = served.refuse(RequestError(Error(f"mockllm: {relayed.error} ({upstream.url})", status=502, type="upstream_error")))
        served.outcome.ended = ended
        return await _error_response(request, respond, respond.status)
    served.outcome.status, served.outcome.writes, served.outcome.bytes, served.outcome.ended = relayed.status, relayed.writes, relayed.bytes, ended
    return relayed.response


def _answer_headers(dialect: Dialect, call: Call, why: str) -> dict[str, str]:
    """The headers of an answer: no buffering, the dialect's own, and which scenario (and why), seed and attempt answered."""
    headers = {**STREAM_HEADERS, **dialect.headers(call), "X-Mock-Scenario": call.scenario.name, "X-Mock-Seed": str(call.seed)}
    headers[WHY_HEADER] = why_header(why)
    if call.attempt:
        headers.update({SESSION_HEADER: call.attempt.session, "X-Mock-Attempt": str(call.attempt.number)})
    return headers


async def _error_response(request: web.Request, respond: Respond, status: int) -> web.Response:
    """The error as an HTTP response; a 408 closes the connection at once (the rest of the body is not coming)."""
    headers = {**dict(respond.headers), "Content-Type": respond.content_type, WHY_HEADER: REFUSED_WHY}
    response = web.Response(status=respond.status, body=respond.body, headers=headers)
    if status == 408:
        await _answer_and_close(request, response)
    return response


def close_entry(
    request: web.Request, entry: dict[str, Any], outcome: Outcome, started: float, route: str, call: Call | None, provider: str | None = None
) -> None:
    """Complete a journal entry with how the answer went (its errors as `provider` sent them), announce it, count it and log it."""
    state = request.app[STATE]
    entry.update(status=outcome.status, ended=outcome.ended, writes=outcome.writes, bytes=outcome.bytes)
    sent = [e.sent_by(provider) for e in call.errors] if call else []
    entry["errors"] = [_error_json(e) for e in sent]
    if outcome.status is not None and outcome.status >= 400 and sent:
        entry["retry_after_ms"] = sent[-1].retry_after_ms  # the wait the error response asked for (the report card reads it)
    if call and call.faults_struck:
        entry["faults"] = list(call.faults_struck)
    entry["write_log"] = outcome.write_log
    if outcome.close and entry.get("transport") == "websocket":
        entry["close"] = {"code": outcome.close[0], "reason": outcome.close[1]}
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
