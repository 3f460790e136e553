"""HTTP/1.1 chunked responses on aiohttp: each write one chunk, framed here and handed to the socket directly.

aiohttp sends the status line and headers (`open`, so CORS and other
response hooks run) and the chunked terminator (`end`); every chunk between
goes straight to the asyncio transport: no coroutine, no drain per write.
"""

from __future__ import annotations

import asyncio
from typing import Mapping, Sequence

from aiohttp import web

from mockllm.core.events import Close, Respond
from mockllm.delivery.transports.base import Transport, reset_connection


class HttpChunked(Transport):
    """The response to one aiohttp request, streamed with chunked transfer.

    `response` is what the handler returns: the streamed response once opened,
    a whole `web.Response` after `respond`, or a placeholder when the
    connection ended before a status line (nothing of it is sent).
    """

    def __init__(self, request: web.Request, headers: Mapping[str, str], content_type: str) -> None:
        self.request = request
        self.headers = headers
        self.content_type = content_type
        self.response: web.StreamResponse = web.Response(status=499)
        self._socket: asyncio.Transport | None = request.transport  # type: ignore[assignment]

    async def open(self) -> None:
        response = web.StreamResponse(status=200, headers={**self.headers, "Content-Type": self.content_type})
        response.enable_chunked_encoding()
        await response.prepare(self.request)
        self.response = response

    def write(self, data: bytes) -> None:
        assert self._socket is not None  # the pacer writes only while `gone()` is False
        self._socket.write(b"%x\r\n%b\r\n" % (len(data), data))

    def write_many(self, parts: Sequence[bytes]) -> None:
        assert self._socket is not None
        self._socket.write(b"".join([b"%x\r\n%b\r\n" % (len(data), data) for data in parts]))

    def buffered(self) -> int:
        return self._socket.get_write_buffer_size() if self._socket is not None else 0

    def gone(self) -> bool:
        return self._socket is None or self._socket.is_closing()

    async def end(self) -> None:
        if not self.response.prepared:
            await self.open()
        await self.response.write_eof()

    def abort(self) -> None:
        reset_connection(self._socket)

    def drop(self) -> None:
        if self._socket is not None:
            self._socket.abort()

    async def close(self, item: Close) -> None:
        if item.clean and self.response.prepared:
            self.response.force_close()
            await self.response.write_eof()
        elif self._socket is not None:
            self._socket.close()  # after sending what is buffered; no chunked terminator

    async def respond(self, item: Respond) -> None:
        merged = {**self.headers, **dict(item.headers), "Content-Type": item.content_type}
        if not item.chunked:
            merged.pop("X-Accel-Buffering", None)
            self.response = web.Response(status=item.status, body=item.body, headers=merged)
            return
        response = web.StreamResponse(status=item.status, headers=merged)
        response.enable_chunked_encoding()
        await response.prepare(self.request)
        self.response = response
        await response.write(item.body)
        await response.write_eof()
