"""Seeded hostile requests for every route, sent as raw bytes, and a log handler that counts tracebacks.

Shared by the fuzz test and `bench/hostile_probe.py`. A request is raw HTTP/1.1
bytes (so header bytes need not be UTF-8); `send` answers its status, whether
the scenario produced it (`X-Mock-Scenario` came back), and the raw response.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import logging
import random
import re
from dataclasses import dataclass
from typing import Iterator

#: Paths with no parameters to fill, beyond the routes the server lists.
EXTRA_PATHS = ("/", "/chat", "/miniprogram/chat", "/text/stream-chat", "/ndjson/x", "/_mock/", "/_mock/nope", "/v1/", "/%2e%2e/etc/passwd")
HEADER_NAMES = ("X-Mock-Scenario", "X-Mock-Speed", "X-Mock-Seed", "X-Mock-Delay-Ms", "X-Mock-Session", "X-Mock-Wire", "Authorization", "Origin", "Content-Type")
QUERY_KEYS = ("scenario", "mock_scenario", "mock_speed", "mock_seed", "mock_delay_ms", "mock_session", "mock_wire", "limit", "since", "path", "q", "message")
JUNK_TEXT = ("", "0", "-1", "1e999", "NaN", "inf", "9" * 30, "x" * 300, "你好", "\u202e", "%00", "../..", "default", "hello", "echo", "split_utf8=every", "slice_bytes=0,x")
JUNK_BYTES = (b"\xff\xfe", b"caf\xc3\xa9", b"\xed\xa0\x80", b"\x80", b"a\tb")


@dataclass(frozen=True)
class Reply:
    """What a fuzzed request got back."""

    status: int | None  # None: the connection closed without a status line
    by_scenario: bool
    raw: bytes


def chat_body(rng: random.Random) -> object:
    """A chat-shaped JSON value with some fields mutated into hostile ones."""
    body: dict[str, object] = {
        "model": rng.choice(["hello", "echo", "gpt-4o", "", None, 5, ["x"], "x" * 500]),
        "messages": [{"role": "user", "content": rng.choice(["hi", "你好", "\ud83d\ude00", "a" * 5000, ""])}],
        "stream": rng.choice([True, False, "yes", None, 1]),
    }
    mutations = [
        lambda: body.update(messages=rng.choice([None, "hi", 5, [], [None], [{"role": 5}], [{"content": {"a": 1}}], [{"role": "user", "content": [{"type": "text", "text": 5}]}]])),
        lambda: body.update(max_tokens=rng.choice([-1, 0, 10**30, "5", 1.5, None])),
        lambda: body.update(n=rng.choice([10**9, -5, "x"])),
        lambda: body.update(tools=rng.choice([5, [5], [{"type": "function"}], [{"type": "function", "function": {"name": 5}}], [{"type": "function", "function": {"name": "f", "parameters": "x"}}]])),
        lambda: body.update(tool_choice=rng.choice([5, {"type": "function"}, {"type": "function", "function": None}, "weird"])),
        lambda: body.update(stream_options=rng.choice([5, {"include_usage": "yes"}, None])),
        lambda: body.update(response_format=rng.choice([5, {"type": "json_schema"}, {"type": "json_schema", "json_schema": 5}, {"type": "json_schema", "json_schema": {"schema": []}}])),
        lambda: body.update(mock_scenario=rng.choice([5, "", "nope", "default", ["x"]])),
        lambda: body.update(temperature=rng.choice([1e308, -0.0, "hot"])),
        lambda: body.update(api_key="sk-secret", password="hunter2"),
        lambda: body.update(input=rng.choice([5, "hi", [{"role": "user", "content": "x"}], [5]])),
        lambda: body.update(prompt=rng.choice([5, "hi", ["a", 5], [[1, 2]]])),
        lambda: body.update(contents=rng.choice([5, [{"parts": [{"text": "hi"}]}], [{"parts": 5}]])),
        lambda: body.update(system=rng.choice([5, "sys", [{"type": "text", "text": 5}]])),
    ]
    for mutate in rng.sample(mutations, rng.randint(0, 3)):
        mutate()
    return body


def body_bytes(rng: random.Random) -> tuple[bytes, dict[str, bytes]]:
    """A request body and headers that go with it: JSON good and bad, broken encodings, random bytes."""
    kind = rng.randrange(12)
    if kind <= 4:
        return json.dumps(chat_body(rng)).encode(), {"Content-Type": b"application/json"}
    if kind == 5:
        return rng.choice([b'{"a": 1' + b"1" * 5000 + b"}", b'{"x": 1e999}', b'{"x": NaN}', b'{"x": "\\ud800"}', b'{"x": "\\udfff\\ud800"}', b"[" * 3000 + b"]" * 3000]), {}
    if kind == 6:
        return bytes(rng.randrange(256) for _ in range(rng.randint(1, 200))), {"Content-Type": b"application/json"}
    if kind == 7:
        return b"not gzip at all", {"Content-Encoding": rng.choice([b"gzip", b"deflate", b"br", b"zstd", b"identity", b"bogus"])}
    if kind == 8:
        return gzip.compress(json.dumps(chat_body(rng)).encode()), {"Content-Encoding": b"gzip", "Content-Type": b"application/json"}
    if kind == 9:
        return b"message=hi&password=p&api_key=k&q=%ff", {"Content-Type": b"application/x-www-form-urlencoded"}
    if kind == 10:
        return json.dumps(rng.choice([[], 5, "s", None, {"messages": {"a": 1}}, {"contents": "x"}])).encode(), {}
    return b"", {}


#: Routes that stream until the client leaves, by design: the playground's live feed.
ENDLESS = {"GET /_mock/live"}


def route_targets(routes: list[str], rng: random.Random) -> list[tuple[str, str]]:
    """(method, path) for each `METHOD /path/{param}` route the server lists, parameters filled with odd values."""
    targets = []
    for route in routes:
        if route in ENDLESS:
            continue
        method, path = route.split(" ", 1)
        path = path.replace("{session}", "s1")
        targets.append((method, re.sub(r"\{[^}]+\}", lambda _: rng.choice(["gpt-4o", "hello", "a/b", "m:x", "%ff", "x" * 300]), path)))
    return targets


def request_bytes(rng: random.Random, targets: list[tuple[str, str]]) -> bytes:
    """One hostile request as raw HTTP/1.1 bytes (ending with `Connection: close`): mostly a route's own method."""
    method, path = rng.choice(targets) if rng.random() < 0.9 else ("POST", rng.choice(EXTRA_PATHS))
    if rng.random() < 0.3:
        method = rng.choice(["POST", "GET", "DELETE", "PUT", "OPTIONS", "HEAD", "PATCH"])
    query = []
    for key in rng.sample(QUERY_KEYS, rng.randint(0, 3)):
        query.append(f"{key}={rng.choice(JUNK_TEXT)}".encode("utf-8", "surrogatepass").replace(b" ", b"%20"))
    target = path.encode() + (b"?" + b"&".join(query) if query else b"")
    target = re.sub(rb"[^\x21-\x7e]", lambda m: b"%%%02X" % m.group()[0], target)
    body, headers = body_bytes(rng) if method in ("POST", "PUT", "PATCH", "DELETE") else (b"", {})
    lines = [b"%s %s HTTP/1.1" % (method.encode(), target), b"Host: 127.0.0.1"]
    for name in rng.sample(HEADER_NAMES, rng.randint(0, 3)):
        value = rng.choice(JUNK_BYTES) if rng.random() < 0.3 else rng.choice(JUNK_TEXT).encode("utf-8", "surrogatepass")
        lines.append(name.encode() + b": " + value)
    if method == "OPTIONS" and rng.random() < 0.5:
        lines.append(b"Access-Control-Request-Method: POST")
    lines += [k.encode() + b": " + v for k, v in headers.items()]
    lines += [b"Content-Length: %d" % len(body), b"Connection: close"]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


async def send(port: int, raw: bytes, timeout: float = 10.0) -> Reply:
    """Send `raw` to 127.0.0.1:port and read the reply until the server closes."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(raw)
        await writer.drain()
        data = await asyncio.wait_for(reader.read(-1), timeout)
    except (ConnectionResetError, BrokenPipeError):
        data = b""
    finally:
        writer.close()
    head = data.split(b"\r\n\r\n", 1)[0]
    match = re.match(rb"HTTP/1\.[01] (\d{3})", head)
    return Reply(int(match.group(1)) if match else None, b"\r\nx-mock-scenario:" in head.lower(), data)


def unexpected_5xx(reply: Reply) -> bool:
    """A 5xx the scenario did not ask for (a scenario's answers carry `X-Mock-Scenario`)."""
    return reply.status is not None and reply.status >= 500 and not reply.by_scenario


class TracebackCounter(logging.Handler):
    """Keeps every log line, and the records that carry a traceback (or say 'Traceback')."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.tracebacks: list[str] = []
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        self.lines.append(text)
        if record.exc_info or "Traceback" in text:
            self.tracebacks.append(self.format(record) if len(self.tracebacks) < 5 else text)


@contextlib.contextmanager
def captured_log() -> Iterator[TracebackCounter]:
    """Every log record (INFO and up) while the block runs."""
    counter = TracebackCounter()
    root = logging.getLogger()
    level = root.level
    root.addHandler(counter)
    root.setLevel(logging.INFO)
    try:
        yield counter
    finally:
        root.removeHandler(counter)
        root.setLevel(level)
