"""The interface between the pacer and a connection: send bytes, end, abort, close.

The pacer calls a transport from two places. From its scheduler, which never
waits, come the synchronous calls: `write`/`write_many` (put bytes on the
wire as one unit each: an HTTP chunk, a WebSocket message), `buffered` (bytes
accepted but not yet sent: above `HIGH_WATER` the pacer holds the stream
instead of awaiting a drain), `gone` (the client has left: the pacer stops),
`abort` (a reset fault: RST at once) and `drop` (the maximum stream duration
passed: close at once, discarding what is unsent). From the stream's own task
come the awaited calls, each at most once per stream: `open` (before the first
write; HTTP sends its status line and headers here), `end` (the items ran out:
finish normally), `close(item)` (a `Close` fault, or the end of a `Hang`:
`item.clean` says whether to end the body properly first) and
`respond(item)` (a complete `Respond` before anything was written).

A transport never sleeps and never decides timing; it raises
`ConnectionResetError` from an awaited call when the client is gone.
"""

from __future__ import annotations

import asyncio
import socket
import struct
from abc import ABC, abstractmethod
from typing import Sequence

from mockllm.core.events import Close, Respond

#: Bytes a transport may hold unsent before the pacer stops writing to it.
HIGH_WATER = 64 * 1024
_LINGER_OFF = struct.pack("ii", 1, 0)  # SO_LINGER on, 0 s: close() sends RST


def reset_connection(raw: asyncio.Transport | None) -> None:
    """Abort a connection with a TCP RST (the client sees ECONNRESET, a WebSocket client 1006)."""
    if raw is None:
        return
    sock = raw.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _LINGER_OFF)
    raw.abort()


class Transport(ABC):
    """One client connection as the pacer sees it."""

    async def open(self) -> None:  # noqa: B027 (optional: a transport with nothing to send first keeps it)
        """Get ready for the first write (HTTP: send the status line and headers)."""

    @abstractmethod
    def write(self, data: bytes) -> None:
        """Send `data` as one unit (an HTTP chunk, a WebSocket message) without waiting."""

    def write_many(self, parts: Sequence[bytes]) -> None:
        """Send each of `parts` as its own unit, in one go where the transport can."""
        for part in parts:
            self.write(part)

    @abstractmethod
    def buffered(self) -> int:
        """Bytes accepted by `write` but not yet handed to the network."""

    @abstractmethod
    def gone(self) -> bool:
        """Whether the client has left (or the connection is closing)."""

    @abstractmethod
    async def end(self) -> None:
        """Finish the response normally (HTTP: the chunked terminator)."""

    @abstractmethod
    def abort(self) -> None:
        """Reset the connection at once (a TCP RST where the transport can)."""

    @abstractmethod
    def drop(self) -> None:
        """Close the connection at once, discarding anything unsent."""

    @abstractmethod
    async def close(self, item: Close) -> None:
        """Close the connection as `item` says: after ending the body properly when `item.clean`."""

    async def respond(self, item: Respond) -> None:
        """Answer with a complete response before anything was written; by default its body as one unit, then the end."""
        await self.open()
        self.write(item.body)
        await self.end()
