"""Overload and slow clients: the body read timeout, idle connections, the connection cap, one-line protocol errors."""

from __future__ import annotations

import asyncio
import json
import socket
from typing import Any, AsyncIterator, Iterator

import pytest
from aiohttp import web
from conftest import SCENARIOS
from fuzzcases import TracebackCounter, captured_log

from mockllm.server.app import create_app
from mockllm.server.config import ServerConfig
from mockllm.server.limits import FD_RESERVE, connection_cap, listen, raise_fd_limit

#: A hang guard for waiting on what the server does not announce (it takes milliseconds).
GUARD_S = 10

#: Timing-sensitive (real pacing, separate network reads): these run one at a time on one worker.
pytestmark = pytest.mark.xdist_group("serial")

CHAT = b"/v1/chat/completions"
BODY = json.dumps({"model": "hello", "messages": [{"role": "user", "content": "hi"}], "stream": False}).encode()


@pytest.fixture
def log_records() -> Iterator[TracebackCounter]:
    with captured_log() as counter:
        yield counter


class Server:
    """The app served through `limits.listen` (as `mockllm serve` serves it) on 127.0.0.1, a free port."""

    def __init__(self, runner: web.AppRunner, server: asyncio.Server) -> None:
        self.runner, self.server = runner, server
        self.port: int = server.sockets[0].getsockname()[1]

    async def connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        return await asyncio.open_connection("127.0.0.1", self.port)

    async def exchange(self, data: bytes) -> bytes:
        reader, writer = await self.connect()
        writer.write(data)
        reply = await asyncio.wait_for(reader.read(-1), 10)
        writer.close()
        return reply


@pytest.fixture
async def start() -> AsyncIterator[Any]:
    servers: list[Server] = []

    async def run(cap: int = 100, **changes: Any) -> Server:
        config = ServerConfig(**{"scenarios": SCENARIOS, "speed": 0, "seed": 1, **changes})
        runner = web.AppRunner(create_app(config), handler_cancellation=True, access_log=None, keepalive_timeout=config.idle_timeout_s)
        await runner.setup()
        servers.append(Server(runner, await listen(runner, "127.0.0.1", 0, backlog=128, cap=cap)))
        return servers[-1]

    yield run
    for server in servers:
        server.server.close()
        await server.runner.cleanup()


def request(path: bytes, body: bytes = b"", *headers: bytes, length: int | None = None) -> bytes:
    head = [b"POST " + path + b" HTTP/1.1", b"Host: 127.0.0.1", b"Content-Type: application/json", *headers]
    head.append(b"Content-Length: %d" % (len(body) if length is None else length))
    return b"\r\n".join(head) + b"\r\n\r\n" + body


async def health(server: Server) -> dict[str, Any]:
    reply = await server.exchange(b"GET /_mock/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    return json.loads(reply.partition(b"\r\n\r\n")[2])  # type: ignore[no-any-return]


async def test_a_body_that_never_finishes_gets_408_and_is_not_an_open_stream(start: Any) -> None:
    server = await start(read_timeout_s=0.3)
    reader, writer = await server.connect()
    writer.write(request(CHAT, b'{"model": "hel', length=100))
    await writer.drain()
    assert (await health(server))["open_streams"] == 0
    reply = await asyncio.wait_for(reader.read(-1), 10)  # the server closes the connection
    assert reply.startswith(b"HTTP/1.1 408 ") and b"--read-timeout" in reply and b"Connection: close" in reply
    writer.close()
    entries = await server.exchange(b"GET /_mock/journal HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    assert json.loads(entries.partition(b"\r\n\r\n")[2])[0]["status"] == 408


async def test_an_idle_connection_is_closed(start: Any) -> None:
    """Connected and silent, or idle after a response: closed after --idle-timeout."""
    server = await start(idle_timeout_s=0.3)
    reader, writer = await server.connect()
    assert await asyncio.wait_for(reader.read(-1), 10) == b""
    writer.close()
    reader, writer = await server.connect()
    writer.write(request(CHAT, BODY))
    reply = await asyncio.wait_for(reader.read(-1), 10)  # keep-alive: the server closes it when idle
    assert reply.startswith(b"HTTP/1.1 200 ")
    writer.close()


async def test_past_the_connection_cap_a_503_and_one_log_line(start: Any, log_records: Any) -> None:
    server = await start(cap=3)
    held = [await server.connect() for _ in range(3)]
    for _, writer in held:  # a request on each, so each connection is surely accepted and counted
        writer.write(b"GET /_mock/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    for reader, _ in held:
        await reader.readuntil(b'"status": "ok"')
    replies = [await server.exchange(request(CHAT, BODY)) for _ in range(5)]
    assert all(reply.startswith(b"HTTP/1.1 503 ") and b"connection limit" in reply and b"Retry-After: 1" in reply for reply in replies)
    assert sum("connection cap of 3 reached" in line for line in log_records.lines) == 1
    for _, writer in held:
        writer.close()
        await writer.wait_closed()
    deadline = asyncio.get_running_loop().time() + GUARD_S
    while (await server.exchange(request(CHAT, BODY, b"Connection: close"))).startswith(b"HTTP/1.1 503 "):
        assert asyncio.get_running_loop().time() < deadline, "the server never noticed the closed connections"
        await asyncio.sleep(0.05)  # the server notices the closes on its next loop turns
    assert any("back under the cap of 3; 5 refused" in line or "refused with 503" in line for line in log_records.lines)
    assert log_records.tracebacks == []


async def test_a_burst_of_connections_past_the_cap_is_refused_not_let_in(start: Any) -> None:
    """Connections that wait in the backlog are accepted in one burst: only the cap's worth get a handler."""
    server = await start(cap=5)
    waiting = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(20)]  # the loop is not running: all queue up
    streams = [await asyncio.open_connection(sock=sock) for sock in waiting]
    for _, writer in streams:
        writer.write(b"GET /_mock/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    replies = await asyncio.gather(*(asyncio.wait_for(reader.read(-1), 10) for reader, _ in streams))
    assert sorted(reply.split(b" ", 2)[1] for reply in replies) == [b"200"] * 5 + [b"503"] * 15
    for _, writer in streams:
        writer.close()


def test_the_cap_stays_below_the_fd_limit() -> None:
    limit = raise_fd_limit()
    assert limit >= 1024 or limit > FD_RESERVE
    assert connection_cap(0, limit) == max(16, limit - FD_RESERVE) and connection_cap(50, limit) == 50


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"GET /\xff HTTP/1.1\r\nHost: x\r\n\r\n", id="bad-target"),
        pytest.param(b"GET / HTTP/1.1\r\nHost: x\r\nX-A: \x01\r\n\r\n", id="control-in-header"),
        pytest.param(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", id="smuggling"),
        pytest.param(b"POST /v1/models HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\nContent-Length: 3\r\n\r\nabc", id="undecodable-body"),
    ],
)
async def test_malformed_http_is_one_log_line(start: Any, log_records: Any, data: bytes) -> None:
    server = await start()
    reply = await server.exchange(data)
    assert reply.startswith(b"HTTP/1.") and b" 400 " in reply.split(b"\r\n", 1)[0] or b" 405 " in reply.split(b"\r\n", 1)[0]
    assert log_records.tracebacks == []
    assert sum("malformed HTTP request from" in line for line in log_records.lines) == 1


async def test_tls_to_the_http_port_is_not_logged_as_an_error(start: Any, log_records: Any) -> None:
    server = await start()
    await server.exchange(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 40)
    assert log_records.tracebacks == []
