"""Overload without collapse: the fd limit raised, a cap on open connections, one log line per bad episode.

Past the cap a new connection gets a short 503 and is closed, so the server
never runs out of file descriptors; running out anyway (other processes,
a tiny limit) is one log line per episode, as is reaching the cap. A
malformed request is one log line, not aiohttp's traceback.
"""

from __future__ import annotations

import asyncio
import errno
import json
import logging
import time
from collections import deque
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_protocol import RequestPayloadError

log = logging.getLogger("mockllm")

#: File descriptors kept free for the listening socket, scenario files, logs and refusals in flight.
FD_RESERVE = 128
#: Refusals (503 sent, waiting for the client to go) kept at once, well inside the reserve; past it the oldest is closed.
MAX_REFUSING = FD_RESERVE // 2
_REFUSAL_LINGER_S = 2.0
_CONNECTED_WITHIN_S = 1.0  # a handed-out handler is connected well within this (a loop turn or two)
_FD_CEILING = 1 << 16


def raise_fd_limit() -> int:
    """Raise the soft RLIMIT_NOFILE towards the hard one (at most 65,536) where allowed; return the soft limit."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not on POSIX
        return 1024
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = min(hard if hard != resource.RLIM_INFINITY else _FD_CEILING, _FD_CEILING)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            soft = wanted
        except (ValueError, OSError):
            pass
    return _FD_CEILING if soft == resource.RLIM_INFINITY else soft


def connection_cap(max_connections: int, fd_limit: int) -> int:
    """The cap on open connections: `max_connections`, else the fd limit less the reserve (at least 16)."""
    return max_connections if max_connections > 0 else max(16, fd_limit - FD_RESERVE)


class CappedFactory:
    """The protocol factory for `loop.create_server`: aiohttp's handler below the cap, a 503 at it.

    A burst of accepted connections gets its protocols before any of them is
    connected (aiohttp counts a connection once it is), so the handlers handed
    out and not yet connected count too: a burst past the cap is refused, not
    let in to run the server out of file descriptors.
    """

    def __init__(self, server: web.Server, cap: int) -> None:
        self.server = server
        self.cap = cap
        self.refusing: deque[_Refusal] = deque()  # oldest first
        self.refused = 0  # in the current episode
        self._connecting: deque[tuple[float, Any]] = deque()  # (when, handler) handed out, oldest first

    def __call__(self) -> asyncio.BaseProtocol:
        open_now = len(self.server.connections) + self._still_connecting()
        if open_now < self.cap:
            if self.refused and open_now < self.cap * 0.9:
                log.warning("connections back under the cap of %d; %d refused with 503 meanwhile", self.cap, self.refused)
                self.refused = 0
            handler = self.server()
            self._connecting.append((time.monotonic(), handler))
            return handler
        if not self.refused:
            log.warning("connection cap of %d reached: new connections get 503 until some close", self.cap)
        self.refused += 1
        return _Refusal(self)

    def _still_connecting(self) -> int:
        """Handlers handed out whose connection is not made yet (connected in order; one that went in a blink ages out)."""
        connecting, stale = self._connecting, time.monotonic() - _CONNECTED_WITHIN_S
        while connecting and (connecting[0][1].transport is not None or connecting[0][0] < stale):
            connecting.popleft()
        return len(connecting)


class _Refusal(asyncio.Protocol):
    """Answer one connection with a 503 and close it: half-close, then wait briefly for the client to go."""

    BODY = json.dumps(
        {"error": {"message": "mockllm is at its connection limit; retry shortly.", "type": "server_error", "param": None, "code": "overloaded"}}
    ).encode()
    RESPONSE = (
        b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"
        b"Connection: close\r\nContent-Length: %d\r\n\r\n%s" % (len(BODY), BODY)
    )

    def __init__(self, factory: CappedFactory) -> None:
        self.factory = factory
        self.transport: asyncio.Transport | None = None
        self.timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        refusing = self.factory.refusing
        refusing.append(self)
        if len(refusing) > MAX_REFUSING:
            refusing.popleft().close()  # the oldest has had its 503: it goes, so every new client still gets one
        self.transport.write(self.RESPONSE)  # type: ignore[union-attr]
        if self.transport.can_write_eof():  # type: ignore[union-attr]
            self.transport.write_eof()  # type: ignore[union-attr]
        self.timer = asyncio.get_running_loop().call_later(_REFUSAL_LINGER_S, self.close)

    def data_received(self, data: bytes) -> None:
        """Discard the request: the answer does not depend on it."""

    def eof_received(self) -> bool:
        return False  # close now

    def close(self) -> None:
        """Stop waiting for the client: close the connection (its 503 is sent first)."""
        if self.transport is not None:
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        if self in self.factory.refusing:
            self.factory.refusing.remove(self)
        if self.timer is not None:
            self.timer.cancel()


async def listen(runner: web.AppRunner, host: str, port: int, *, backlog: int, cap: int, reuse_port: bool = False) -> asyncio.Server:
    """Listen on host:port serving `runner`'s app, at most `cap` connections at once (`reuse_port`: beside other workers)."""
    loop = asyncio.get_running_loop()
    factory = CappedFactory(runner.server, cap)  # type: ignore[arg-type]
    return await loop.create_server(factory, host, port, backlog=backlog, reuse_address=True, reuse_port=reuse_port)  # type: ignore[arg-type]


def quiet_protocol_errors() -> None:
    """Log a malformed HTTP request as one line, and running out of fds at accept as one line per episode."""
    server_log = logging.getLogger("aiohttp.server")
    if not any(isinstance(f, _OneLineBadRequests) for f in server_log.filters):
        server_log.addFilter(_OneLineBadRequests())
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(_AcceptErrors(loop.get_exception_handler()))


class _OneLineBadRequests(logging.Filter):
    """Turn aiohttp's traceback for a malformed request (its head, or a body it could not decode) into one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, RequestPayloadError) and isinstance(exc.__cause__, HttpProcessingError):
            exc = exc.__cause__
        if isinstance(exc, HttpProcessingError):
            peer = record.args[0] if isinstance(record.args, tuple) and record.args else "a client"
            record.msg = "malformed HTTP request from %s: %s %s"
            record.args = (peer, exc.code, " ".join(str(exc.message).split()) or type(exc).__name__)
            record.exc_info = None
            record.exc_text = None
            record.levelno, record.levelname = logging.INFO, "INFO"
        return True


class _AcceptErrors:
    """The loop's exception handler: EMFILE/ENFILE at accept becomes one line per episode; the rest goes on as before."""

    def __init__(self, previous: Any) -> None:
        self.previous = previous
        self.last = 0.0

    def __call__(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        if isinstance(exc, OSError) and exc.errno in (errno.EMFILE, errno.ENFILE) and "accept" in str(context.get("message", "")):
            if loop.time() - self.last > 10:
                log.warning("out of file descriptors accepting connections (%s); accepting pauses and retries", exc.strerror)
            self.last = loop.time()
            return
        if self.previous is not None:
            self.previous(loop, context)
        else:
            loop.default_exception_handler(context)
