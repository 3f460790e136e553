"""Serve event-socket dialects (OpenAI Realtime, `GET /v1/realtime`): a WebSocket session of JSON events; each response is one exchange.

The connection's dialect (`EventSocketDialect.connect`) keeps the session and
its conversation and answers the client events that need no scenario
(`session.update`, `conversation.item.create`, the audio buffer) at once. A
response it asks for (`response.create`) is served like any request —
selection, the pipeline, the pacer, a journal entry — as a task, so the
client's next events (`response.cancel`) are read while it plays. The upgrade
request's headers and query (`X-Mock-Scenario`, `?scenario=`, `X-Mock-Seed`,
`mock_speed`, …) apply to every response, and `attempts:` advance per
connection unless the client names a session.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from typing import Any

from aiohttp import WSMsgType, web

from mockllm.core.errors import RequestError, bad_request
from mockllm.core.events import Close
from mockllm.core.incoming import Incoming
from mockllm.core.redact import redact_json
from mockllm.core.strict_json import parse_json
from mockllm.delivery.pacer import Outcome
from mockllm.delivery.transports.websocket import WebSocketMessages
from mockllm.dialects.base import EventSocketDialect, SocketReply
from mockllm.server.calls import PARSER_SLIPS
from mockllm.server.exchange import exchange
from mockllm.server.incoming import clean_headers, clean_query
from mockllm.server.middleware import as_response
from mockllm.server.request_overrides import new_seed, read_overrides
from mockllm.server.sessions import request_session
from mockllm.server.state import STATE

_connections = itertools.count(1)
#: The close code of a response that failed inside the server (RFC 6455 §7.4.1).
INTERNAL_ERROR = 1011
log = logging.getLogger("mockllm")


async def serve_event_socket(request: web.Request, dialect: EventSocketDialect) -> web.StreamResponse:
    """Upgrade to a WebSocket, send the dialect's opening events, then answer each client event until either side closes."""
    state = request.app[STATE]
    if request.headers.get("Upgrade", "").lower() != "websocket":
        return as_response(dialect.error_response(bad_request(f"{request.path} is a WebSocket route: connect with a WebSocket client (Upgrade: websocket).", status=426).error))
    socket = web.WebSocketResponse(protocols=dialect.subprotocols, compress=False, max_msg_size=state.config.max_body_bytes)
    await socket.prepare(request)
    session = request_session(request) or f"{dialect.name}-{next(_connections)}"
    upgrade = Incoming("GET", request.path, clean_query(request.query), clean_headers(request.headers), b"", session=session)
    overrides = read_overrides(upgrade.headers, upgrade.query)
    seed = overrides.seed if overrides.seed is not None else state.config.seed
    connection = dialect.connect(upgrade, seed if seed is not None else new_seed(), seeded=seed is not None)
    transport = WebSocketMessages(request, socket)
    transport.write_many(connection.opening())
    responding: asyncio.Task[Any] | None = None
    try:
        async for message in socket:
            if message.type not in (WSMsgType.TEXT, WSMsgType.BINARY):
                continue
            responding = await _receive(request, connection, transport, upgrade, message.data, responding)
            if transport.closed:
                break
    finally:
        if responding is not None and not responding.done():
            responding.cancel()
            await asyncio.gather(responding, return_exceptions=True)
    return socket


async def _receive(
    request: web.Request, connection: EventSocketDialect, transport: WebSocketMessages, upgrade: Incoming, data: str | bytes, responding: asyncio.Task[Any] | None
) -> asyncio.Task[Any] | None:
    """Apply one client event; return the task of the response it started (or the one still playing)."""
    event, problem = parse_json(data.encode() if isinstance(data, str) else data)
    try:
        if problem is not None:
            raise bad_request(f"The client event is not valid JSON: {problem}.", code="invalid_json")
        reply = _received(connection, event)
    except RequestError as exc:
        transport.write(connection.refusal(exc.error, event))
        return responding
    transport.write_many(reply.events)
    if reply.cancel and responding is not None:
        ending = connection.cancelled()  # before the task stops: its end clears what the response was
        responding.cancel()
        await asyncio.gather(responding, return_exceptions=True)
        transport.write_many(ending)
    if reply.respond is None:
        return responding
    incoming = Incoming("POST", upgrade.path, upgrade.query, upgrade.headers, b"", reply.respond, None, session=upgrade.session)
    task = asyncio.create_task(_respond(request, connection, transport, incoming))
    request.app[STATE].tasks.add(task)
    task.add_done_callback(request.app[STATE].tasks.discard)
    return task


def _received(connection: EventSocketDialect, event: Any) -> SocketReply:
    """`connection.receive`, with an event its reader did not foresee refused (and one log line) instead of failing the socket."""
    try:
        return connection.receive(event)
    except PARSER_SLIPS as exc:
        log.warning("%s could not read a client event: %s: %s", connection.name, type(exc).__name__, exc)
        raise bad_request(f"This event could not be read ({type(exc).__name__}: {str(exc)[:200]}).") from None


async def _respond(request: web.Request, connection: EventSocketDialect, transport: WebSocketMessages, incoming: Incoming) -> None:
    """Play one response through the one exchange, journaled with the client event that asked for it as its body."""
    session = incoming.session
    try:
        async with exchange(request, connection, request.path, Outcome(), transport="websocket", session=session) as served:
            served.entry.update(dialect=connection.name, body=redact_json(incoming.json))
            try:
                await served.play(transport, served.begin(incoming))
            except RequestError as exc:
                transport.write(served.refuse(exc).body)
            except asyncio.CancelledError:
                served.outcome.ended = "cancelled"
                raise
    except Exception:  # a bug: say so in the log and close with 1011, never leave the client waiting
        log.exception("%s: a response failed on %s", connection.name, request.path)
        await transport.close(Close(code=INTERNAL_ERROR, reason="internal error"))
    finally:
        connection.finished()
