"""Which scenario answers a request that names none: posted layers first, each whole (match rules, then its default)."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from conftest import SCENARIOS

from mockllm.scenarios.loading import load_catalog
from mockllm.server.app import create_app
from mockllm.server.config import ServerConfig

Client = TestClient[Any, Any]
CHAT = "/v1/chat/completions"
TOOLS = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {}}}}]
ASK = {"messages": [{"role": "user", "content": "weather?"}], "tools": TOOLS}


@pytest.fixture
async def client(aiohttp_client: Any) -> Client:
    return await aiohttp_client(create_app(ServerConfig(scenarios=SCENARIOS, speed=0, seed=1)))


async def post(client: Client, session: str | None, name: str, steps: list[Any], **fields: Any) -> None:
    document = {"schema": 1, "name": name, "description": "posted", "steps": steps, **fields}
    response = await client.post("/_mock/scenarios", params={"session": session} if session else {}, data=json.dumps(document))
    assert response.status == 201, await response.text()


async def answered_by(client: Client, session: str | None = None, body: dict[str, Any] = ASK) -> str:
    response = await client.post(CHAT, json=body, headers={"X-Mock-Session": session} if session else {})
    await response.read()
    return str(response.headers["X-Mock-Scenario"])


async def test_a_session_s_posted_default_beats_the_folder_s_match_rules(client: Client) -> None:
    assert await answered_by(client, "t1") == "agent-call-tool"  # the shipped example matches a request with tools
    await post(client, "t1", "default", [{"error": "rate_limited"}])
    response = await client.post(CHAT, json=ASK, headers={"X-Mock-Session": "t1"})
    assert (response.status, response.headers["X-Mock-Scenario"]) == (429, "default")
    assert await answered_by(client, "t2") == "agent-call-tool"
    assert await answered_by(client) == "agent-call-tool"


async def test_within_a_layer_match_rules_come_before_its_default(client: Client) -> None:
    await post(client, "t1", "default", [{"say": "d"}])
    await post(client, "t1", "weather", [{"say": "w"}], match={"message": "weather"})
    assert await answered_by(client, "t1") == "weather"
    assert await answered_by(client, "t1", {"messages": [{"role": "user", "content": "hi"}], "tools": TOOLS}) == "default"


async def test_the_session_layer_comes_before_everyone_s_and_everyone_s_before_the_folder(client: Client) -> None:
    await post(client, None, "default", [{"say": "everyone"}])
    assert await answered_by(client, "t1") == "default"  # everyone's posted default beats the folder's match rules
    await post(client, None, "everyone-weather", [{"say": "w"}], match={"message": "weather"})
    await post(client, "t1", "default", [{"say": "t1"}])
    assert await answered_by(client, "t1") == "default"
    assert await answered_by(client, "t2") == "everyone-weather"


async def test_a_named_scenario_or_model_still_beats_every_layer(client: Client) -> None:
    await post(client, "t1", "default", [{"say": "d"}])
    assert await answered_by(client, "t1", {**ASK, "model": "hello"}) == "hello"
    response = await client.post(CHAT, json=ASK, headers={"X-Mock-Session": "t1", "X-Mock-Scenario": "echo"})
    assert response.headers["X-Mock-Scenario"] == "echo"


async def test_an_unknown_name_says_did_you_mean_and_where_the_names_are(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="mockllm"):
        response = await client.post(CHAT, json=ASK, headers={"X-Mock-Scenario": "helo"})
    error = (await response.json())["error"]
    assert response.status == 404 and error["code"] == "scenario_not_found"
    known = len(load_catalog(SCENARIOS).scenarios)
    assert error["message"] == f"Unknown scenario 'helo' (from header X-Mock-Scenario). Did you mean 'hello'? GET /_mock/scenarios lists the {known} known scenarios."
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "Did you mean 'hello'?" in logged and "recharge-required" not in logged


async def test_a_short_list_of_names_is_given_whole(aiohttp_client: Any, tmp_path: Any) -> None:
    for name in ("default", "hello"):
        (tmp_path / f"{name}.yaml").write_text(f"schema: 1\nname: {name}\ndescription: d\nsteps:\n  - say: hi\n", encoding="utf-8")
    client = await aiohttp_client(create_app(ServerConfig(scenarios=tmp_path, speed=0, seed=1)))
    response = await client.post(CHAT, json=ASK, params={"scenario": "zzz"})
    assert (await response.json())["error"]["message"] == "Unknown scenario 'zzz' (from query ?scenario=). Known scenarios: default, hello."
