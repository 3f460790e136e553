"""WebSocket messages for one answer on an open socket: each write one message, framed here and handed to the socket directly.

The socket was upgraded by aiohttp (`web.WebSocketResponse`, without
compression), which also reads the client's frames and answers its pings. This
transport writes the server's frames itself (RFC 6455 §5.2: unmasked, FIN,
opcode, length), so a message can be cut into continuation frames — even
inside a UTF-8 character, which is legal on a WebSocket — and so a fault can
drop the connection without a close frame (the client sees 1006).

One socket serves several answers in turn: `end` finishes an answer and keeps
the socket open; a `Close` fault sends a close frame (or, not clean, none).
"""

from __future__ import annotations

import asyncio
import struct
from typing import Callable, Iterable, Sequence

from aiohttp import web

from mockllm.core.events import Close, Respond
from mockllm.delivery.transports.base import Transport, reset_connection

TEXT, BINARY, CONTINUATION, CLOSE = 0x1, 0x2, 0x0, 0x8
NORMAL_CLOSURE = 1000

Fragmenter = Callable[[bytes], Iterable[bytes]]


def frame(opcode: int, payload: bytes, fin: bool = True) -> bytes:
    """One server-to-client WebSocket frame (never masked)."""
    head = (0x80 if fin else 0) | opcode
    size = len(payload)
    if size < 126:
        return struct.pack("!BB", head, size) + payload
    if size < 1 << 16:
        return struct.pack("!BBH", head, 126, size) + payload
    return struct.pack("!BBQ", head, 127, size) + payload


def message_frames(payload: bytes, opcode: int, pieces: Iterable[bytes] | None = None) -> bytes:
    """A message as one frame, or as a first frame and continuation frames holding `pieces` of it."""
    parts = [p for p in pieces or (payload,) if p] or [b""]
    last = len(parts) - 1
    return b"".join(frame(opcode if i == 0 else CONTINUATION, part, fin=i == last) for i, part in enumerate(parts))


def close_frame(code: int, reason: str = "") -> bytes:
    """A close frame with a status code and a reason (at most 123 bytes of UTF-8)."""
    return frame(CLOSE, struct.pack("!H", code) + reason.encode()[:123])


class WebSocketMessages(Transport):
    """The answer to one request on an upgraded socket, each write one message.

    `binary` sends binary messages instead of text; `fragment` cuts each
    message's payload into the pieces of its continuation frames (None: one
    frame per message).
    """

    def __init__(self, request: web.Request, socket: web.WebSocketResponse, *, binary: bool = False, fragment: Fragmenter | None = None) -> None:
        self.socket = socket
        self.opcode = BINARY if binary else TEXT
        self.fragment = fragment
        self.closed = False
        self._raw: asyncio.Transport | None = request.transport  # type: ignore[assignment]

    def write(self, data: bytes) -> None:
        if not self.gone():
            self._raw.write(self._message(data))  # type: ignore[union-attr]

    def write_many(self, parts: Sequence[bytes]) -> None:
        if not self.gone():
            self._raw.write(b"".join(map(self._message, parts)))  # type: ignore[union-attr]

    def buffered(self) -> int:
        return self._raw.get_write_buffer_size() if self._raw is not None else 0

    def gone(self) -> bool:
        return self._raw is None or self._raw.is_closing() or self.socket.closed

    async def end(self) -> None:
        """The answer is complete; the socket stays open for the next request."""

    def abort(self) -> None:
        self.closed = True
        reset_connection(self._raw)

    def drop(self) -> None:
        self.closed = True
        if self._raw is not None:
            self._raw.abort()

    async def close(self, item: Close) -> None:
        self.closed = True
        if self._raw is None:
            return
        if item.clean:
            self._raw.write(close_frame(item.code or NORMAL_CLOSURE, item.reason))
        self._raw.close()  # after what is buffered; the client's close handshake reply is not awaited

    async def respond(self, item: Respond) -> None:
        """An answer that is complete before its first byte (an error): its body as one message."""
        self.write(item.body)

    def _message(self, data: bytes) -> bytes:
        return message_frames(data, self.opcode, self.fragment(data) if self.fragment else None)
