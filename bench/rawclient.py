"""A lean asyncio HTTP/1.1 client that timestamps each SSE frame as its bytes come off the socket.

Lean so that a thousand concurrent streams cost the client little: it counts
frame ends (`\\n\\n`, which JSON never contains raw) in each read rather than
parsing, and asks for `Connection: close` so the end of the response is EOF.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import dataclass, field

SAMPLE = "流式输出的每一个字都按计划的时间到达，客户端逐字渲染。"
END = b"data: [DONE]\n\n\r\n0\r\n\r\n"


def message(chars: int) -> str:
    """`chars` characters of Chinese text (the `bench` scenario echoes it one character per delta)."""
    return "".join(itertools.islice(itertools.cycle(SAMPLE), chars))


@dataclass
class Stream:
    """One response as it arrived: connect time, each frame's arrival, its size in bytes, whether it ended with [DONE]."""

    started: float
    connected: float = 0.0
    frames: list[float] = field(default_factory=list)
    size: int = 0
    head: bytes = b""
    tail: bytes = b""
    raw: bytearray | None = None  # every byte, when asked to keep them

    @property
    def complete(self) -> bool:
        return self.head.startswith(b"HTTP/1.1 200") and self.tail.endswith(END)

    def content(self) -> str:
        """The answer text carried by the kept bytes' `delta.content` fields."""
        assert self.raw is not None
        body = bytes(self.raw).split(b"\r\n\r\n", 1)[1]
        text = []
        for line in body.split(b"\n"):
            if line.startswith(b"data: {"):
                choices = json.loads(line[6:])["choices"]
                text.append(choices[0]["delta"].get("content") or "" if choices else "")
        return "".join(text)


class _Reader(asyncio.Protocol):
    def __init__(self, request: bytes, stream: Stream, done: asyncio.Future[Stream]) -> None:
        self.request, self.stream, self.done = request, stream, done
        self.loop = asyncio.get_running_loop()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.stream.connected = self.loop.time()
        transport.write(self.request)  # type: ignore[attr-defined]

    def data_received(self, data: bytes) -> None:
        now = self.loop.time()
        stream = self.stream
        if len(stream.head) < 64:
            stream.head += data[:64]
        stream.frames.extend([now] * (stream.tail[-1:] + data).count(b"\n\n"))
        stream.size += len(data)
        if stream.raw is not None:
            stream.raw += data
        stream.tail = (stream.tail + data)[-len(END) :]

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.done.done():
            self.done.set_result(self.stream)


def chat_request(port: int, text: str, headers: dict[str, str] | None = None, model: str = "bench") -> bytes:
    """A streaming chat request for `model` (a scenario name), as bytes."""
    body = json.dumps({"model": model, "stream": True, "messages": [{"role": "user", "content": text}]}).encode()
    lines = [
        "POST /v1/chat/completions HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "Content-Type: application/json",
        "Connection: close",
        f"Content-Length: {len(body)}",
        *(f"{k}: {v}" for k, v in (headers or {}).items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def fetch(port: int, request: bytes, keep: bool = False) -> Stream:
    """Send `request` to 127.0.0.1:`port` and read the response to EOF; `keep` keeps every byte."""
    loop = asyncio.get_running_loop()
    stream = Stream(started=loop.time(), raw=bytearray() if keep else None)
    done: asyncio.Future[Stream] = loop.create_future()
    transport, _ = await loop.create_connection(lambda: _Reader(request, stream, done), "127.0.0.1", port)
    try:
        return await done
    finally:
        transport.close()


async def fetch_many(port: int, request: bytes, count: int) -> list[Stream]:
    """`count` concurrent fetches of the same request."""
    return list(await asyncio.gather(*(fetch(port, request) for _ in range(count))))
