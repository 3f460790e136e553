"""A raw HTTP/1.1 client that records every socket read, to see where a stream's writes break."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any, Mapping

from mockllm.stream.wire.split_utf8 import utf8_length


@dataclass
class Read:
    """One `reader.read()` result: when it came, its raw bytes, and the body bytes it carried (de-chunked)."""

    at: float
    raw: bytes
    payload: bytes


@dataclass
class RawResponse:
    """A response as the socket delivered it."""

    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    reads: list[Read] = field(default_factory=list)
    chunks: list[bytes] = field(default_factory=list)
    body: bytes = b""

    @property
    def payload_reads(self) -> list[bytes]:
        """The body bytes of each read that carried any, in order."""
        return [read.payload for read in self.reads if read.payload]


class _Dechunker:
    """Parses a response incrementally: status line and headers, then a chunked or plain body."""

    def __init__(self, response: RawResponse) -> None:
        self.response = response
        self.buffer = b""
        self.head_done = False
        self.chunked = False
        self.chunk_left: int | None = None  # bytes left in the current chunk; None = expecting a size line
        self.current = b""

    def feed(self, data: bytes) -> bytes:
        """Take one read; return the body bytes it completed."""
        self.buffer += data
        if not self.head_done and not self._head():
            return b""
        if not self.chunked:
            payload, self.buffer = self.buffer, b""
            self.response.body += payload
            return payload
        return self._chunks()

    def _head(self) -> bool:
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return False
        lines = self.buffer[:end].decode("latin-1").split("\r\n")
        self.response.status = int(lines[0].split()[1])
        for line in lines[1:]:
            name, _, value = line.partition(":")
            self.response.headers[name.strip().lower()] = value.strip()
        self.chunked = self.response.headers.get("transfer-encoding", "").lower() == "chunked"
        self.buffer = self.buffer[end + 4 :]
        self.head_done = True
        return True

    def _chunks(self) -> bytes:
        payload = b""
        while True:
            if self.chunk_left is None:
                line_end = self.buffer.find(b"\r\n")
                if line_end < 0:
                    return payload
                self.chunk_left = int(self.buffer[:line_end], 16)
                self.buffer = self.buffer[line_end + 2 :]
                if self.chunk_left == 0:
                    return payload
            if self.chunk_left > 0:
                take = self.buffer[: self.chunk_left]
                self.buffer = self.buffer[len(take) :]
                self.chunk_left -= len(take)
                self.current += take
                payload += take
                if self.chunk_left > 0:
                    return payload
            if len(self.buffer) < 2:
                return payload
            self.buffer = self.buffer[2:]  # the CRLF after the chunk data
            self.response.chunks.append(self.current)
            self.response.body += self.current
            self.current, self.chunk_left = b"", None


async def post(
    host: str, port: int, path: str, body: Mapping[str, Any] | bytes, headers: Mapping[str, str] | None = None
) -> RawResponse:
    """POST `body` (JSON unless bytes) with `Connection: close` and record every read until the server closes."""
    data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    return await request(host, port, "POST", path, data, {"Content-Type": "application/json", **(headers or {})})


async def get(host: str, port: int, path: str, headers: Mapping[str, str] | None = None) -> RawResponse:
    """GET `path` with `Connection: close` and record every read until the server closes."""
    return await request(host, port, "GET", path, None, headers or {})


async def request(host: str, port: int, method: str, path: str, data: bytes | None, headers: Mapping[str, str]) -> RawResponse:
    """Send one request with `Connection: close` and record every read until the server closes."""
    head = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: close"]
    head += [f"{name}: {value}" for name, value in headers.items()]
    if data is not None:
        head.append(f"Content-Length: {len(data)}")
    reader, writer = await asyncio.open_connection(host, port)
    loop = asyncio.get_running_loop()
    response = RawResponse()
    parser = _Dechunker(response)
    try:
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + (data or b""))
        await writer.drain()
        while raw := await reader.read(1 << 16):
            response.reads.append(Read(loop.time(), raw, parser.feed(raw)))
    finally:
        writer.close()
        await writer.wait_closed()
    return response


def ends_inside_character(piece: bytes) -> bool:
    """Whether `piece` ends with an incomplete UTF-8 sequence."""
    for back in range(1, min(4, len(piece)) + 1):
        byte = piece[-back]
        if byte < 0x80 or byte >= 0xC0:  # ASCII or a lead byte: the last sequence starts here
            return utf8_length(byte) > back
    return False
