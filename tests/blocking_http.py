"""A blocking raw HTTP/1.1 exchange that keeps every byte that arrived, and how the connection ended.

Unlike an asyncio reader (whose error hides bytes still buffered), a blocking
`recv` returns everything the server sent before a reset, then the reset.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rawhttp import RawResponse, _Dechunker

CHAT = "/v1/chat/completions"
GUARD_S = 10.0  # no test waits this long unless something is broken


@dataclass
class Exchange:
    """What the socket delivered: raw bytes, the parsed response, and how it ended."""

    raw: bytes = b""
    response: RawResponse = field(default_factory=RawResponse)
    ended: str = "eof"  # "eof" (the server closed) or "reset" (ECONNRESET)

    @property
    def terminated(self) -> bool:
        """Whether the chunked body ended with its zero-length chunk."""
        return self.raw.endswith(b"\r\n0\r\n\r\n")

    @property
    def events(self) -> list[bytes]:
        """The SSE events of the body (without their blank lines); a last event without one is kept."""
        return [event for event in self.response.body.split(b"\n\n") if event]


def request_bytes(port: int, body: Mapping[str, Any], headers: Mapping[str, str], path: str = CHAT) -> bytes:
    """A keep-alive POST, as an HTTP client sends it."""
    data = json.dumps(body, ensure_ascii=False).encode()
    head = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Content-Type: application/json"]
    head += [f"{name}: {value}" for name, value in headers.items()]
    head.append(f"Content-Length: {len(data)}")
    return ("\r\n".join(head) + "\r\n\r\n").encode() + data


def chat(
    port: int,
    scenario: str,
    *,
    stream: bool = True,
    keep_alive: bool = True,
    headers: Mapping[str, str] | None = None,
    path: str = CHAT,
    body: Mapping[str, Any] | None = None,
) -> Exchange:
    """Send one chat request for `scenario` and read until the server closes or resets the connection.

    A keep-alive request (the default, as clients send them) shows that a
    fault closes the connection by itself; `keep_alive=False` asks the server
    to close it after a normal answer. `path` and `body` send another
    dialect's request instead of a Chat Completions one.
    """
    if body is None:
        body = {"model": "m", "stream": stream, "messages": [{"role": "user", "content": "hi"}]}
    extra = {} if keep_alive else {"Connection": "close"}
    message = request_bytes(port, body, {"X-Mock-Scenario": scenario, **extra, **(headers or {})}, path)
    exchange = Exchange()
    parser = _Dechunker(exchange.response)
    with socket.create_connection(("127.0.0.1", port), timeout=GUARD_S) as sock:
        sock.sendall(message)
        while True:
            try:
                data = sock.recv(1 << 16)
            except ConnectionResetError:
                exchange.ended = "reset"
                break
            if not data:
                break
            exchange.raw += data
            parser.feed(data)
    return exchange


def wait_for(check: Callable[[], Any], guard_s: float = GUARD_S) -> Any:
    """Return `check()` once it is truthy, polling until the guard runs out (then fail)."""
    deadline = time.monotonic() + guard_s
    while not (result := check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {guard_s} s: {check}")
        time.sleep(0.01)
    return result


def write_scenarios(folder: Path, tails: Mapping[str, str], say: str = "你好，这是一个会出故障的回答。It breaks.") -> Path:
    """Write one scenario per name: `say` cut per character, then its YAML tail (more steps, `faults:`)."""
    for name, tail in tails.items():
        text = f"schema: 1\nname: {name}\ndescription: test\nstream: {{unit: char}}\nsteps:\n  - say: {json.dumps(say, ensure_ascii=False)}\n{tail}"
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    return folder
