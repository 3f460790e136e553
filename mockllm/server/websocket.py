"""Serve app framings over WebSocket: `GET /ws/{framing}/{any/path}`, and routes-map paths with `transport: websocket`.

Each text (or binary) message a client sends is one request, read as an app
route reads its body (JSON with `message`, `messages`, `prompt`, … or plain
text as the prompt). The answer comes back as messages, one per frame of the
framing (the end marker and business errors included), paced by the pacer as
an HTTP stream is. Requests on one socket are answered in turn, and
`attempts:` advance per socket unless the client names a session.

Per socket, in the upgrade URL's query: `binary=true` (binary messages),
`mock_pong=false` (never answer the client's pings), `mock_ping_ms=N` (ping
the client every N ms), plus every per-request override (`scenario`,
`mock_seed`, `mock_speed`, `mock_wire`, …). On a socket, `split_utf8` and
`max_write_bytes` cut each message into continuation frames instead of
network writes.
"""

from __future__ import annotations

import itertools
from typing import Any

from aiohttp import WSMsgType, web

from mockllm.core.errors import RequestError
from mockllm.core.incoming import Incoming
from mockllm.core.redact import redact_json
from mockllm.core.strict_json import parse_json
from mockllm.delivery.pacer import Outcome
from mockllm.delivery.transports.websocket import Fragmenter, WebSocketMessages
from mockllm.dialects.base import Dialect
from mockllm.scenarios.wire import WireConfig
from mockllm.server.exchange import exchange
from mockllm.server.incoming import clean_headers, clean_query
from mockllm.server.sessions import request_session
from mockllm.server.state import STATE
from mockllm.stream.wire import apply_wire

_FALSE = ("0", "false", "no", "off")
_sockets = itertools.count(1)


async def serve_socket(request: web.Request, framing: Dialect) -> web.StreamResponse:
    """Upgrade to a WebSocket and answer each message the client sends, in turn, until either side closes."""
    query = request.query
    ping_ms = query.get("mock_ping_ms", "")
    socket = web.WebSocketResponse(
        compress=False,
        autoping=query.get("mock_pong", "").lower() not in _FALSE,
        heartbeat=int(ping_ms) / 1000 if ping_ms.isdigit() and int(ping_ms) > 0 else None,
        max_msg_size=request.app[STATE].config.max_body_bytes,
    )
    await socket.prepare(request)
    session = request_session(request) or f"ws-{next(_sockets)}"
    binary = query.get("binary", "").lower() in ("1", "true", "yes", "on")
    async for message in socket:
        if message.type not in (WSMsgType.TEXT, WSMsgType.BINARY):
            continue  # pings the client sends while `mock_pong=false`
        data = message.data.encode() if message.type == WSMsgType.TEXT else message.data
        if await answer(request, socket, framing, data, session, binary):
            break
    return socket


async def answer(request: web.Request, socket: web.WebSocketResponse, framing: Dialect, data: bytes, session: str, binary: bool) -> bool:
    """Answer one message with its scenario's frames as messages, through the one exchange; return whether the socket closed."""
    transport = WebSocketMessages(request, socket, binary=binary)
    async with exchange(request, framing, _route(framing), Outcome(), transport="websocket", session=session) as served:
        try:
            call = served.begin(_incoming(request, data, session, served.entry))
            call.wire, transport.fragment = socket_wire(call.wire)
            await served.play(transport, call)
        except RequestError as exc:
            transport.write(served.refuse(exc).body)
    return transport.closed


def socket_wire(wire: WireConfig) -> tuple[WireConfig, Fragmenter | None]:
    """The wire options of an answer on a socket, and how its messages are cut into continuation frames.

    Each frame is one message, so the options that break writes inside a
    frame (`split_utf8`, `max_write_bytes`) cut the message's frames instead.
    """
    kept = wire.model_copy(update={"split_utf8": "off", "max_write_bytes": None})
    if wire.split_utf8 == "off" and wire.max_write_bytes is None:
        return kept, None
    cutting = WireConfig(split_utf8=wire.split_utf8, max_write_bytes=wire.max_write_bytes, gap_ms=0)

    def fragment(message: bytes) -> list[bytes]:
        return [piece for piece in apply_wire([message], cutting) if isinstance(piece, bytes)]

    return kept, fragment


def _incoming(request: web.Request, data: bytes, session: str, entry: dict[str, Any]) -> Incoming:
    """One message as the body of a request to the socket's path (plain text is the prompt), in the socket's session."""
    parsed, error = parse_json(data)
    if error is not None and data.strip():
        parsed, error = {"prompt": data.decode("utf-8", "replace")}, None
    entry["body"] = redact_json(parsed)
    return Incoming("POST", request.path, clean_query(request.query), clean_headers(request.headers), data, parsed, error, dict(request.match_info), session)


def _route(framing: Dialect) -> str:
    return f"/ws/{framing.name}/…"
