"""The journal by session: filters, long-poll (`wait`), clearing one session, unrouted requests, clients that give up."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from conftest import SCENARIOS

from mockllm.server.app import create_app
from mockllm.server.config import ServerConfig
from mockllm.server.state import STATE

Client = TestClient[Any, Any]
CHAT = "/v1/chat/completions"
HI = [{"role": "user", "content": "你好"}]


@pytest.fixture
async def client(aiohttp_client: Any) -> Client:
    return await aiohttp_client(create_app(ServerConfig(scenarios=SCENARIOS, speed=0, seed=1)))


async def chat(client: Client, session: str | None = None, model: str = "hello", **kwargs: Any) -> None:
    headers = {"X-Mock-Session": session} if session else {}
    await (await client.post(CHAT, json={"model": model, "messages": HI}, headers=headers, **kwargs)).read()


async def journal(client: Client, headers: dict[str, str] | None = None, **params: Any) -> list[dict[str, Any]]:
    response = await client.get("/_mock/journal", params=params, headers=headers)
    assert response.status == 200, await response.text()
    return await response.json()  # type: ignore[no-any-return]


async def test_every_entry_names_its_session_and_filters_by_it(client: Client) -> None:
    await chat(client, "a")
    await chat(client, "b", model="echo")
    await chat(client, params={"mock_session": "a"}, model="echo")
    await chat(client)
    assert [e["session"] for e in await journal(client)] == ["a", "b", "a", None]
    assert [e["id"] for e in await journal(client, session="a")] == [1, 3]
    assert [e["id"] for e in await journal(client, session="a", since=1)] == [3]
    assert [e["id"] for e in await journal(client, session="a", scenario="echo")] == [3]
    assert [e["id"] for e in await journal(client, path=CHAT, since=2)] == [3, 4]
    assert [e["id"] for e in await journal(client, headers={"X-Mock-Session": "b"})] == [2]


async def test_clearing_one_session_keeps_the_others(client: Client) -> None:
    for session in ("a", "b", "a"):
        await chat(client, session)
    assert await (await client.delete("/_mock/journal", params={"session": "a"})).json() == {"cleared": 2}
    assert [e["session"] for e in await journal(client)] == ["b"]


async def test_wait_answers_when_a_matching_request_finishes(client: Client) -> None:
    state = client.server.app[STATE]
    await chat(client, "mine")
    poll = asyncio.ensure_future(journal(client, session="mine", since=1, wait=30))
    await _until(lambda: bool(state.journal._subscribers))  # the long-poll is listening
    await chat(client, "someone-else")
    await _until(lambda: not any(queue.qsize() for queue in state.journal._subscribers))  # the long-poll has read that entry
    for _ in range(10):
        await asyncio.sleep(0)
    assert state.journal._subscribers and not poll.done()  # and goes on waiting
    await chat(client, "mine", model="echo")
    entries = await asyncio.wait_for(poll, 10)
    assert [(e["id"], e["session"], e["scenario"], e["status"]) for e in entries] == [(3, "mine", "echo", 200)]
    assert not state.journal._subscribers


async def test_wait_answers_at_once_with_what_already_matches(client: Client) -> None:
    await chat(client, "done")
    assert [e["id"] for e in await journal(client, session="done", wait=30)] == [1]


async def test_wait_ends_empty_after_its_time(client: Client) -> None:
    assert await journal(client, session="nobody", wait=0.05) == []


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"wait": "soon"}, "?wait= must be a number of seconds; got 'soon'."),
        ({"wait": "-1"}, "?wait= must be a number of seconds; got '-1'."),
        ({"since": "x"}, "?since= must be a whole number; got 'x'."),
    ],
)
async def test_bad_journal_parameters_are_400(client: Client, params: dict[str, str], message: str) -> None:
    response = await client.get("/_mock/journal", params=params)
    assert response.status == 400 and (await response.json())["error"]["message"] == message


async def test_requests_no_route_serves_are_journaled(client: Client) -> None:
    await (await client.post("/v1/chat/completion", json={}, headers={"X-Mock-Session": "typo"})).read()
    await (await client.put(CHAT, headers={"X-Mock-Session": "typo"})).read()
    await (await client.post("/nowhere/at/all", params={"mock_session": "typo"})).read()
    entries = await journal(client, session="typo")
    assert [(e["method"], e["path"], e["status"], e["ended"], e["scenario"]) for e in entries] == [
        ("POST", "/v1/chat/completion", 404, "no route", None),
        ("PUT", CHAT, 405, "no route", None),
        ("POST", "/nowhere/at/all", 404, "no route", None),
    ]


async def test_admin_requests_are_not_journaled(client: Client) -> None:
    await client.get("/_mock/health")
    await client.get("/_mock/scenarios")
    assert await journal(client) == []


async def test_routes_list_the_app_routes_and_the_routes_maps_paths(aiohttp_client: Any, tmp_path: Path) -> None:
    (tmp_path / "default.yaml").write_text("schema: 1\nname: default\ndescription: d\nsteps:\n  - say: hi\n", encoding="utf-8")
    (tmp_path / "routes.yaml").write_text("kind: routes\nroutes:\n  /chat: miniprogram\n  /api/ask: {framing: text, methods: [POST]}\n", encoding="utf-8")
    client = await aiohttp_client(create_app(ServerConfig(scenarios=tmp_path, speed=0)))
    routes = await (await client.get("/_mock/routes")).json()
    assert {"GET /miniprogram/{path}", "POST /text/{path}", "GET /chat", "POST /chat", "POST /api/ask", "POST /_mock/scenarios"} <= set(routes)
    assert "GET /api/ask" not in routes and not [r for r in routes if r.startswith("*")]


async def test_a_client_that_gives_up_before_the_status_line_is_journaled_without_one(live_server: Any) -> None:
    server = live_server(speed=1)
    body = json.dumps({"model": "slow-first-token", "stream": True, "messages": HI}).encode()
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nX-Mock-Session: gone\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    await writer.drain()
    poll = server.call(lambda: server.app[STATE].journal.subscribe())
    await _until(lambda: server.call(lambda: server.app[STATE].journal.entries(session="gone", scenario="slow-first-token")))  # the server has the request
    writer.close()
    await writer.wait_closed()
    entry = await asyncio.wait_for(asyncio.wrap_future(asyncio.run_coroutine_threadsafe(poll.get(), server._loop)), 10)
    assert (entry["session"], entry["scenario"], entry["status"], entry["ended"], entry["writes"]) == ("gone", "slow-first-token", None, "client went away", 0)


async def _until(condition: Any, timeout_s: float = 10) -> None:
    """Wait until `condition()` is true, looking every few milliseconds (an event the server does not announce)."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "the condition never came true"
        await asyncio.sleep(0.005)
