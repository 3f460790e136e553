"""No 500 from any input, no second response inside a stream, a journal that keeps no secret and stays bounded."""

from __future__ import annotations

import asyncio
import gzip
import json
import random
from typing import Any, Iterator

import pytest
from aiohttp.test_utils import TestClient
from fuzzcases import TracebackCounter, captured_log, request_bytes, route_targets, send, unexpected_5xx
from test_app import MakeClient, make_client  # noqa: F401 (a fixture)

from mockllm.core.redact import REDACTED
from mockllm.server.journal import Journal
from mockllm.server.state import STATE

Client = TestClient[Any, Any]
CHAT = "/v1/chat/completions"
HI = [{"role": "user", "content": "你好"}]


@pytest.fixture
def tracebacks() -> Iterator[TracebackCounter]:
    """Every log record of the test, tracebacks counted."""
    with captured_log() as counter:
        yield counter


async def raw(client: Client, data: bytes) -> bytes:
    """Send raw request bytes to the test server; the raw reply up to the server's close."""
    reply = await send(client.port, data)  # type: ignore[arg-type]
    return reply.raw


def post_bytes(path: str, body: bytes, *headers: bytes) -> bytes:
    head = [b"POST " + path.encode() + b" HTTP/1.1", b"Host: 127.0.0.1", *headers, b"Content-Length: %d" % len(body), b"Connection: close"]
    return b"\r\n".join(head) + b"\r\n\r\n" + body


def error_of(reply: bytes) -> tuple[int, dict[str, Any]]:
    head, _, body = reply.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, json.loads(body)["error"]


# --- the seeded fuzz over every route ------------------------------------------------------------


async def test_fuzz_every_route(make_client: MakeClient, tracebacks: TracebackCounter) -> None:
    """2,000 seeded hostile requests: no 5xx a scenario did not ask for, no traceback in the log."""
    client = await make_client(max_stream_s=0.3, read_timeout_s=1.0)
    routes = await (await client.get("/_mock/routes")).json()
    targets = route_targets(routes, random.Random(1))
    limit = asyncio.Semaphore(32)
    statuses: dict[int | None, int] = {}
    unexpected = []

    async def one(seed: int) -> None:
        data = request_bytes(random.Random(seed), targets)
        async with limit:
            reply = await send(client.port, data)  # type: ignore[arg-type]
        statuses[reply.status] = statuses.get(reply.status, 0) + 1
        if unexpected_5xx(reply):
            unexpected.append((data[:200], reply.raw[:200]))

    await asyncio.gather(*(one(seed) for seed in range(2000)))
    assert unexpected == []
    assert tracebacks.tracebacks == []
    assert statuses.get(200, 0) > 200 and statuses.get(400, 0) > 100  # it reached the handlers, good and bad
    journal = await client.get("/_mock/journal")
    assert journal.status == 200 and isinstance(await journal.json(), list)


# --- bodies and headers that used to give a 500 --------------------------------------------------


@pytest.mark.parametrize(
    "body, headers, status, says",
    [
        pytest.param(b'{"model": "hello", "max_tokens": 1' + b"0" * 5000 + b"}", (), 400, "digits", id="huge-integer"),
        pytest.param(b'{"model": "hello", "temperature": 1e999}', (), 400, "too large", id="float-overflow"),
        pytest.param(b'{"model": "hello", "temperature": NaN}', (), 400, "NaN", id="nan"),
        pytest.param(b'{"model": "hello", "messages": [{"role": "user", "content": "\\ud800"}]}', (), 400, "surrogate", id="lone-surrogate"),
        pytest.param(b"[" * 100_000 + b"]" * 100_000, (), 400, "deeply", id="deep-nesting"),
        pytest.param(b'{"model": "\xff"}', (), 400, "UTF-8", id="not-utf8"),
        pytest.param(b"not gzip", (b"Content-Encoding: gzip",), 400, "could not be read", id="bad-gzip"),
        pytest.param(b"not deflate", (b"Content-Encoding: deflate",), 400, "could not be read", id="bad-deflate"),
    ],
)
async def test_hostile_body_is_a_400_in_the_route_shape(make_client: MakeClient, tracebacks: TracebackCounter, body: bytes, headers: tuple[bytes, ...], status: int, says: str) -> None:
    client = await make_client()
    got, error = error_of(await raw(client, post_bytes(CHAT, body, b"Content-Type: application/json", *headers)))
    assert got == status and says in error["message"] and error["type"] == "invalid_request_error"
    assert tracebacks.tracebacks == []
    assert (await client.get("/_mock/journal")).status == 200


async def test_gzip_body_is_read(make_client: MakeClient) -> None:
    client = await make_client()
    body = gzip.compress(json.dumps({"model": "hello", "messages": HI, "stream": False}).encode())
    reply = await raw(client, post_bytes(CHAT, body, b"Content-Type: application/json", b"Content-Encoding: gzip"))
    assert reply.startswith(b"HTTP/1.1 200 ")


async def test_header_bytes_that_are_not_utf8(make_client: MakeClient, tracebacks: TracebackCounter) -> None:
    """A session id of raw bytes is journalled as escapes; nothing fails to encode."""
    client = await make_client()
    body = json.dumps({"model": "hello", "messages": HI, "stream": False}).encode()
    reply = await raw(client, post_bytes(CHAT, body, b"Content-Type: application/json", b"X-Mock-Session: s\xff\xfe", b"X-Mock-Speed: \x80"))
    status, error = error_of(reply)
    assert status == 400 and "X-Mock-Speed" in error["message"]
    reply = await raw(client, post_bytes(CHAT, body, b"Content-Type: application/json", b"X-Mock-Session: s\xff\xfe"))
    assert reply.startswith(b"HTTP/1.1 200 ")
    entries = await (await client.get("/_mock/journal")).json()
    assert entries[-1]["session"] == "s\\udcff\\udcfe"
    assert tracebacks.tracebacks == []


@pytest.mark.parametrize("query", ["limit=-1", "limit=abc", "since=1e3", "limit=" + "9" * 40, "since=%ff", "limit=\u0661"])
async def test_admin_query_parameters(make_client: MakeClient, query: str) -> None:
    client = await make_client()
    response = await client.get(f"/_mock/journal?{query}")
    assert response.status == 400 and "whole number" in (await response.json())["error"]["message"]


async def test_a_parser_slip_is_a_400_not_a_500(make_client: MakeClient, monkeypatch: pytest.MonkeyPatch, tracebacks: TracebackCounter) -> None:
    """Input a dialect's parser did not foresee is the client's: a 400 and one log line, no traceback."""
    from mockllm.dialects import DIALECTS

    def slip(incoming: Any) -> Any:
        raise TypeError("'int' object is not subscriptable")

    monkeypatch.setattr(DIALECTS["openai"], "parse", slip)
    client = await make_client()
    response = await client.post(CHAT, json={"model": "hello", "messages": HI})
    assert response.status == 400 and "TypeError" in (await response.json())["error"]["message"]
    assert tracebacks.tracebacks == []


# --- an error after the first byte --------------------------------------------------------------


async def test_error_after_the_first_byte_never_writes_a_second_response(make_client: MakeClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """The stream ends unfinished (no terminating chunk, no 500 status line inside it), and the journal says why."""
    import mockllm.server.exchange

    def broken(call: Any, dialect: Any) -> Iterator[bytes]:
        yield b'data: {"partial": true}\n\n'
        raise RuntimeError("a bug in a stage")

    monkeypatch.setattr(mockllm.server.exchange, "wire_items", broken)
    client = await make_client()
    body = json.dumps({"model": "hello", "messages": HI, "stream": True}).encode()
    reply = await raw(client, post_bytes(CHAT, body, b"Content-Type: application/json"))
    assert reply.startswith(b"HTTP/1.1 200 ")
    assert reply.count(b"HTTP/1.") == 1 and b"500" not in reply.split(b"\r\n", 1)[1]
    assert b'data: {"partial": true}' in reply and not reply.endswith(b"0\r\n\r\n")
    entry = (await (await client.get("/_mock/journal")).json())[-1]
    assert entry["ended"] == "internal error (RuntimeError)" and entry["status"] == 200


# --- secrets and the journal's bounds ------------------------------------------------------------

SECRET = "s3cr3t-value"
SECRET_HEADERS = ("Authorization", "Proxy-Authorization", "X-Api-Key", "Api-Key", "Cookie", "X-Goog-Api-Key")
SECRET_QUERY = ("api_key", "key", "access_token", "token")
SECRET_BODY = ("api_key", "token", "password")


async def test_fourteen_kinds_of_secret_are_redacted(make_client: MakeClient) -> None:
    client = await make_client()
    headers = {name: (f"Bearer {SECRET}" if "auth" in name.lower() else SECRET) for name in SECRET_HEADERS}
    query = {name: SECRET for name in SECRET_QUERY}
    body = {"model": "hello", "messages": HI, "stream": False, **{name: SECRET for name in SECRET_BODY}}
    body["metadata"] = {"nested": [{"client_secret": SECRET}]}
    response = await client.post(CHAT, json=body, headers=headers, params=query)
    assert response.status == 200
    text = await (await client.get("/_mock/journal")).text()
    assert SECRET not in text
    entry = json.loads(text)[-1]
    kept = {name for name, value in entry["headers"].items() if value == REDACTED}
    assert {h.lower() for h in SECRET_HEADERS} <= {k.lower() for k in kept}
    assert all(entry["query"][name] == REDACTED for name in SECRET_QUERY)
    assert all(entry["body"][name] == REDACTED for name in SECRET_BODY)
    assert entry["body"]["metadata"]["nested"][0]["client_secret"] == REDACTED
    assert entry["body"]["model"] == "hello" and entry["body"]["stream"] is False  # the rest stays readable


async def test_form_bodies_are_redacted(make_client: MakeClient) -> None:
    client = await make_client()
    await client.post("/miniprogram/chat", data={"message": "hi", "password": SECRET, "api_key": SECRET})
    entry = (await (await client.get("/_mock/journal")).json())[-1]
    assert entry["body"] == {"message": "hi", "password": REDACTED, "api_key": REDACTED}


def finished_entry(journal: Journal, body: Any, **fields: Any) -> dict[str, Any]:
    entry = journal.record({"path": "/x", "headers": {}, "query": {}, "body": body, **fields})
    journal.finished(entry)
    return entry


def test_journal_is_bounded_by_bytes() -> None:
    journal = Journal(size=1000, max_bytes=200_000)
    for _ in range(100):
        finished_entry(journal, {"text": "x" * 10_000})
    assert 15 <= len(journal) <= 20 and journal.bytes <= 200_000
    assert [e["id"] for e in journal.entries()][-1] == 100


def test_journal_stores_only_json() -> None:
    """Whatever a handler put on an entry, reading it back is strict JSON (no NaN, no lone surrogate)."""
    journal = Journal()
    finished_entry(journal, {"\udcff": float("nan"), "x": [float("inf"), b"bytes", {1, 2}]}, ended="bad \ud800 text")
    data = b"".join(journal.json_chunks())
    parsed = json.loads(data)
    assert parsed[0]["ended"] == "bad \\ud800 text" and parsed[0]["body"]["x"][0] == "inf"
    data.decode("utf-8")


def test_journal_pages_with_since_and_limit() -> None:
    journal = Journal()
    for n in range(10):
        finished_entry(journal, None, scenario=f"s{n % 2}")
    assert [e["id"] for e in journal.entries(limit=3)] == [8, 9, 10]
    assert [e["id"] for e in journal.entries(since=4, limit=3)] == [5, 6, 7]
    assert [e["id"] for e in journal.entries(since=4, scenario="s0")] == [5, 7, 9]
    assert json.loads(b"".join(journal.json_chunks(since=8))) == journal.entries(since=8)


async def test_journal_route_pages(make_client: MakeClient) -> None:
    client = await make_client()
    for _ in range(5):
        await client.post(CHAT, json={"model": "hello", "messages": HI, "stream": False})
    first = await (await client.get("/_mock/journal?limit=2&since=0")).json()
    rest = await (await client.get(f"/_mock/journal?since={first[-1]['id']}")).json()
    assert [e["id"] for e in first + rest] == [1, 2, 3, 4, 5]


async def test_a_large_journal_read_is_streamed(make_client: MakeClient) -> None:
    """A read of many large entries goes out as a chunked stream in several writes, valid JSON at the end."""
    client = await make_client()
    big = {"model": "hello", "messages": [{"role": "user", "content": "x" * 60_000}], "stream": False}
    for _ in range(12):
        await client.post(CHAT, json=big)
    response = await client.get("/_mock/journal")
    assert response.headers.get("Transfer-Encoding") == "chunked"
    entries = json.loads(await response.read())
    assert len(entries) == 12 and entries[0]["body"]["messages"][0]["content"] == "x" * 60_000
    assert client.app[STATE].journal.bytes > 12 * 60_000  # type: ignore[union-attr]
