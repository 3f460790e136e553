"""Sessions in the URL: every route under `/s/{session}/…` counts as that session's, exactly as `X-Mock-Session` would."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from conftest import SCENARIOS, LiveServer
from openai import OpenAI

from mockllm.server.app import create_app
from mockllm.server.config import ServerConfig
from mockllm.server.sessions import PATH_SESSION_RULE

Client = TestClient[Any, Any]
HI = [{"role": "user", "content": "你好"}]


@pytest.fixture
async def client(aiohttp_client: Any) -> Client:
    return await aiohttp_client(create_app(ServerConfig(scenarios=SCENARIOS, speed=0, seed=1)))


async def post_scenario(client: Client, session: str | None, say: str, name: str = "default") -> None:
    document = {"schema": 1, "name": name, "description": "posted", "steps": [{"say": say}]}
    params = {"session": session} if session else {}
    response = await client.post("/_mock/scenarios", params=params, data=json.dumps(document))
    assert response.status == 201, await response.text()


async def journal(client: Client, **params: str) -> list[dict[str, Any]]:
    return await (await client.get("/_mock/journal", params=params)).json()  # type: ignore[no-any-return]


def test_an_openai_client_given_only_the_base_url_is_that_session(live_server: Any) -> None:
    server: LiveServer = live_server()
    post = json.dumps({"schema": 1, "name": "default", "description": "t1's answer", "steps": [{"say": "only for t1"}]}).encode()
    import urllib.request

    with urllib.request.urlopen(urllib.request.Request(f"{server.url}/_mock/scenarios?session=t1", data=post, method="POST"), timeout=10):
        pass
    with OpenAI(base_url=f"{server.url}/s/t1/v1", api_key="unused", max_retries=0) as bare:
        reply = bare.chat.completions.create(model="gpt-4o", messages=HI)  # type: ignore[arg-type]
        streamed = "".join(chunk.choices[0].delta.content or "" for chunk in bare.chat.completions.create(model="gpt-4o", messages=HI, stream=True) if chunk.choices)  # type: ignore[arg-type]
    with OpenAI(base_url=f"{server.url}/v1", api_key="unused", max_retries=0) as no_session:
        other = no_session.chat.completions.create(model="gpt-4o", messages=HI)  # type: ignore[arg-type]
    assert (reply.choices[0].message.content, streamed) == ("only for t1", "only for t1")
    assert other.choices[0].message.content != "only for t1"
    with urllib.request.urlopen(f"{server.url}/_mock/journal?session=t1", timeout=10) as response:
        entries = json.load(response)
    assert [(e["path"], e["session"], e["scenario"], e["status"]) for e in entries] == [("/v1/chat/completions", "t1", "default", 200)] * 2


@pytest.mark.parametrize(
    ("path", "body"),
    [
        pytest.param("/v1/chat/completions", {"messages": HI}, id="openai"),
        pytest.param("/v1/messages", {"model": "m", "max_tokens": 10, "messages": HI}, id="anthropic"),
        pytest.param("/v1beta/models/m:generateContent", {"contents": [{"parts": [{"text": "hi"}]}]}, id="gemini"),
        pytest.param("/api/chat", {"model": "m", "messages": HI, "stream": False}, id="ollama"),
        pytest.param("/miniprogram/chat", {"message": "hi"}, id="app-framing"),
    ],
)
async def test_every_route_answers_under_the_prefix_with_the_session_s_scenario(client: Client, path: str, body: dict[str, Any]) -> None:
    await post_scenario(client, "t1", "鑫")  # one character: in every framing whole
    prefixed = await client.post(f"/s/t1{path}", json=body)
    bare = await client.post(path, json=body)
    assert prefixed.status == bare.status == 200
    assert (prefixed.headers["X-Mock-Scenario"], bare.headers["X-Mock-Scenario"]) == ("default", "default")
    assert "鑫" in await prefixed.text() and "鑫" not in await bare.text()
    assert [(e["path"], e["session"]) for e in await journal(client)] == [(path, "t1"), (path, None)]


async def test_the_prefix_counts_as_the_header_for_attempts_and_overrides(client: Client) -> None:
    statuses = [(await client.post("/s/a/v1/chat/completions", json={"model": "fail-twice-then-succeed", "messages": HI})).status for _ in range(3)]
    header = await client.post("/v1/chat/completions", json={"model": "fail-twice-then-succeed", "messages": HI}, headers={"X-Mock-Session": "a"})
    other = await client.post("/s/b/v1/chat/completions", json={"model": "fail-twice-then-succeed", "messages": HI})
    assert statuses[:2] != [200, 200] and statuses[2] == 200
    assert (header.status, header.headers["X-Mock-Attempt"]) == (200, "4")  # the same session's counter
    assert other.headers["X-Mock-Attempt"] == "1"
    override = await client.post("/_mock/overrides", json={"scenario": "echo", "session": "c", "count": 1})
    assert override.status == 201, await override.text()
    answered = await client.post("/s/c/v1/chat/completions", json={"messages": HI})
    assert answered.headers["X-Mock-Scenario"] == "echo"
    assert await (await client.get("/_mock/overrides")).json() == []


async def test_admin_routes_under_the_prefix_are_about_that_session(client: Client) -> None:
    await post_scenario(client, None, "everyone's", name="shared")
    response = await client.post("/s/t2/_mock/scenarios", data=json.dumps({"schema": 1, "name": "mine", "description": "d", "steps": [{"say": "x"}]}))
    assert (response.status, (await response.json())["session"]) == (201, "t2")
    await client.post("/s/t2/v1/chat/completions", json={"model": "mine", "messages": HI})
    await client.post("/v1/chat/completions", json={"model": "shared", "messages": HI})
    entries = await (await client.get("/s/t2/_mock/journal")).json()
    assert [(e["path"], e["session"], e["scenario"]) for e in entries] == [("/v1/chat/completions", "t2", "mine")]
    assert (await client.post("/v1/chat/completions", json={"messages": HI}, headers={"X-Mock-Scenario": "mine"})).status == 404


async def test_the_admin_token_guards_admin_routes_under_the_prefix_too(aiohttp_client: Any) -> None:
    client = await aiohttp_client(create_app(ServerConfig(scenarios=SCENARIOS, speed=0, seed=1, admin_token="secret")))
    assert (await client.get("/s/t1/_mock/journal")).status == 401
    assert (await client.get("/s/t1/_mock/journal", headers={"Authorization": "Bearer secret"})).status == 200
    assert (await client.post("/s/t1/v1/chat/completions", json={"messages": HI})).status == 200


@pytest.mark.parametrize(
    ("path", "session"),
    [
        pytest.param("/s/bad!name/v1/chat/completions", "bad!name", id="punctuation"),
        pytest.param("/s/%E4%BD%A0/v1/chat/completions", "你", id="not-ascii"),
        pytest.param("/s//v1/chat/completions", "", id="empty"),
        pytest.param(f"/s/{'x' * 129}/v1/chat/completions", "x" * 60 + "…", id="too-long"),
    ],
)
async def test_a_bad_session_name_in_the_path_is_a_400_saying_the_rule(client: Client, path: str, session: str) -> None:
    response = await client.post(path, json={"messages": HI}, skip_auto_headers=())
    error = (await response.json())["error"]
    assert response.status == 400
    assert error["message"].startswith(f"The session in the path /s/{session}/… is not a session name: use 1 to 128 letters, digits")
    assert await journal(client) == []


@pytest.mark.parametrize(("name", "usable"), [("t1", True), ("a.b_c-d~e", True), ("x" * 128, True), (".", False), ("..", False), ("...", True), ("a/b", False), ("a b", False), ("", False)])
def test_the_session_name_rule(name: str, usable: bool) -> None:
    assert bool(PATH_SESSION_RULE.match(name)) is usable


async def test_two_different_sessions_in_one_request_are_a_400(client: Client) -> None:
    for kwargs in ({"headers": {"X-Mock-Session": "t2"}}, {"params": {"mock_session": "t2"}}):
        response = await client.post("/s/t1/v1/chat/completions", json={"messages": HI}, **kwargs)
        assert response.status == 400
        assert (await response.json())["error"]["message"] == (
            "This request names two sessions: 't1' in the path and 't2' in X-Mock-Session or ?mock_session=; name one."
        )
    same = await client.post("/s/t1/v1/chat/completions", json={"messages": HI}, headers={"X-Mock-Session": "t1"})
    assert same.status == 200


async def test_an_unknown_route_under_the_prefix_is_the_route_s_own_404(client: Client) -> None:
    response = await client.post("/s/t1/v9/nothing", json={})
    assert response.status == 404
    assert (await response.json())["error"]["message"].startswith("No route POST /v9/nothing. See GET /_mock/routes")
    assert [(e["path"], e["session"], e["status"]) for e in await journal(client)] == [("/v9/nothing", "t1", 404)]


async def test_a_websocket_under_the_prefix_is_that_session_s(client: Client) -> None:
    await post_scenario(client, "t1", "鑫")
    async with client.ws_connect("/s/t1/ws/miniprogram/chat") as socket:
        await socket.send_json({"message": "hi"})
        received = ""
        while "0\r\n\r\n" not in received:
            received += (await socket.receive(timeout=10)).data
    assert "鑫" in received
    assert [(e["path"], e["session"], e["scenario"]) for e in await journal(client)] == [("/ws/miniprogram/chat", "t1", "default")]
