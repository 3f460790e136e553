"""Scenarios posted at run time: validated like files, scoped to a session or global, listed, removed."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from conftest import SCENARIOS

from mockllm.scenarios.loading import load_catalog
from mockllm.scenarios.problems import ProblemsError
from mockllm.server.app import create_app
from mockllm.server.config import ServerConfig
from mockllm.server.posted import RuntimeScenarios, parse_posted

Client = TestClient[Any, Any]
CHAT = "/v1/chat/completions"
HI = [{"role": "user", "content": "你好"}]
MINE = """schema: 1
name: default
description: this test's answer
steps:
  - say: "only mine"
"""


@pytest.fixture
async def client(aiohttp_client: Any) -> Client:
    return await aiohttp_client(create_app(ServerConfig(scenarios=SCENARIOS, speed=0, seed=1)))


async def answer(client: Client, body: dict[str, Any] | None = None, **kwargs: Any) -> tuple[str, str]:
    """The scenario that answered and the text of its whole answer."""
    response = await client.post(CHAT, json=body or {"messages": HI}, **kwargs)
    assert response.status == 200, await response.text()
    return response.headers["X-Mock-Scenario"], (await response.json())["choices"][0]["message"]["content"]


async def post(client: Client, text: str, status: int = 201, **params: str) -> dict[str, Any]:
    response = await client.post("/_mock/scenarios", data=text.encode(), params=params)
    body = await response.json()
    assert response.status == status, body
    return body


async def test_a_sessions_default_answers_that_session_only(client: Client) -> None:
    assert await post(client, MINE, session="t1") == {"added": ["default"], "session": "t1"}
    assert await answer(client, headers={"X-Mock-Session": "t1"}) == ("default", "only mine")
    assert await answer(client, params={"mock_session": "t1"}) == ("default", "only mine")
    for other in ({"headers": {"X-Mock-Session": "t2"}}, {}):
        scenario, text = await answer(client, **other)
        assert scenario == "default" and text != "only mine"


async def test_a_global_posting_is_selected_like_a_file_scenario(client: Client) -> None:
    await post(client, MINE.replace("name: default", "name: posted-one"))
    assert await answer(client, {"model": "posted-one", "messages": HI}) == ("posted-one", "only mine")
    assert await answer(client, headers={"X-Mock-Scenario": "posted-one"}) == ("posted-one", "only mine")
    models = [m["id"] for m in (await (await client.get("/v1/models")).json())["data"]]
    assert "posted-one" in models


async def test_posted_match_rules_come_before_the_folders(client: Client) -> None:
    posted = MINE.replace("name: default", "name: weather") + 'match: {message: "你好"}\n'
    await post(client, posted, session="s")
    assert await answer(client, headers={"X-Mock-Session": "s"}) == ("weather", "only mine")
    assert (await answer(client))[0] == "default"


async def test_a_session_shadows_a_global_posting_of_the_same_name(client: Client) -> None:
    await post(client, MINE.replace("only mine", "everyone"))
    await post(client, MINE, session="a")
    assert (await answer(client, headers={"X-Mock-Session": "a"}))[1] == "only mine"
    assert (await answer(client, headers={"X-Mock-Session": "b"}))[1] == "everyone"


async def test_problems_point_into_the_posted_text_all_at_once(client: Client) -> None:
    text = "schema: 1\nname: broken\ndescripton: x\nsteps:\n  - say: hi\n  - sya: x\n  - error: rate_limitd\n"
    body = await post(client, text, status=422)
    assert body == {
        "added": [],
        "problems": [
            "<posted>:1: description: field required",
            "<posted>:3: descripton: unknown key 'descripton'; did you mean 'description'? "
            "valid keys: after_attempts, attempts, description, faults, framing, kind, match, name, schema, steps, stream, structured, tool_choice, wire",
            "<posted>:6: steps[1].sya: unknown key 'sya'; did you mean 'say'? "
            "valid keys: disconnect, error, finish, pause, say, think, tool_call, usage",
            "<posted>:7: steps[2].error.preset: unknown error preset 'rate_limitd'; did you mean 'rate_limited'? valid presets: "
            "rate_limited, insufficient_quota, insufficient_balance, invalid_api_key, content_filter, context_length_exceeded, "
            "server_error, bad_gateway, unavailable, overloaded",
        ],
    }
    listed = [s["name"] for s in await (await client.get("/_mock/scenarios")).json()]
    assert "broken" not in listed


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        pytest.param("", "<posted>:1: nothing posted: send a scenario as YAML or JSON", id="empty"),
        pytest.param("schema: 1\nname: x\n\tdescription: y\n", "<posted>:3: invalid YAML: found character '\\t' that cannot start any token; indent with spaces, not tabs", id="tab"),
        pytest.param(
            "kind: framing\nname: f\nframe: '{text}'\n",
            "<posted>:1: kind: only scenarios can be posted; a 'framing' document belongs in the scenarios folder",
            id="not-a-scenario",
        ),
        pytest.param(MINE + "---\n" + MINE, "<posted>:8: name: scenario 'default' is already defined in <posted>", id="twice"),
        pytest.param(
            "schema: 1\nname: retry\ndescription: r\nattempts:\n  - scenario: nowhere\n",
            "<posted>:5: attempts[0].scenario: unknown scenario 'nowhere'; known: ",
            id="unknown-attempt-scenario",
        ),
    ],
)
async def test_refused_postings(client: Client, text: str, problem: str) -> None:
    problems = (await post(client, text, status=422))["problems"]
    assert len(problems) == 1 and problems[0].startswith(problem)


async def test_json_list_of_scenarios_and_attempts_naming_a_folder_scenario(client: Client) -> None:
    docs = [
        {"schema": 1, "name": "flaky", "description": "d", "attempts": [{"scenario": "rate-limited"}, [{"say": "ok now"}]]},
        {"schema": 1, "name": "plain", "description": "d", "steps": [{"say": "plain"}]},
    ]
    assert (await post(client, json.dumps(docs), session="j"))["added"] == ["flaky", "plain"]
    first = await client.post(CHAT, json={"model": "flaky", "messages": HI}, headers={"X-Mock-Session": "j"})
    assert (first.status, first.headers["X-Mock-Attempt"]) == (429, "1")
    assert await answer(client, {"model": "flaky", "messages": HI}, params={"mock_session": "j"}) == ("flaky", "ok now")


async def test_attempts_count_per_query_session_too(client: Client) -> None:
    await post(client, "schema: 1\nname: twice\ndescription: d\nattempts:\n  - [{say: one}]\n  - [{say: two}]\n")
    for session, expected in (("q1", "one"), ("q1", "two"), ("q2", "one")):
        assert (await answer(client, {"model": "twice", "messages": HI}, params={"mock_session": session}))[1] == expected
    assert [e["attempts"] for e in await (await client.get("/_mock/sessions/q1")).json()] == [2]


async def test_listing_shows_the_origin_the_session_sees(client: Client) -> None:
    await post(client, MINE, session="l")
    await post(client, MINE.replace("name: default", "name: extra"))
    seen = {s["name"]: s for s in await (await client.get("/_mock/scenarios", params={"session": "l"})).json()}
    assert (seen["default"]["origin"], seen["default"]["session"], seen["default"]["file"]) == ("posted", "l", "<posted>")
    assert (seen["extra"]["origin"], seen["extra"]["session"]) == ("posted", None)
    assert (seen["hello"]["origin"], seen["hello"]["file"]) == ("file", str(SCENARIOS / "hello.yaml"))
    names = [s["name"] for s in await (await client.get("/_mock/scenarios", params={"session": "l"})).json()]
    assert names[:2] == ["default", "extra"]  # first match first
    plain = {s["name"]: s for s in await (await client.get("/_mock/scenarios")).json()}
    assert plain["default"]["origin"] == "file"


async def test_delete_by_name_by_session_and_all(client: Client) -> None:
    await post(client, MINE, session="d1")
    await post(client, MINE, session="d2")
    await post(client, MINE.replace("name: default", "name: g"))
    assert await (await client.delete("/_mock/scenarios/default", params={"session": "d1"})).json() == {"removed": 1}
    assert (await answer(client, headers={"X-Mock-Session": "d1"}))[1] != "only mine"
    missing = await client.delete("/_mock/scenarios/default", params={"session": "d1"})
    assert missing.status == 404
    assert (await missing.json())["error"]["message"] == (
        f"No posted scenario 'default' for session 'd1'; 'default' comes from {SCENARIOS / 'default.yaml'}: edit that file."
    )
    assert await (await client.delete("/_mock/scenarios", params={"session": "d2"})).json() == {"removed": 1}
    assert await (await client.delete("/_mock/scenarios")).json() == {"removed": 1}
    assert (await client.post(CHAT, json={"model": "g", "messages": HI})).headers["X-Mock-Scenario"] == "default"


async def test_posted_text_must_be_utf8(client: Client) -> None:
    response = await client.post("/_mock/scenarios", data=b"\xff\xfe")
    assert response.status == 400 and (await response.json())["error"]["message"] == "The posted scenarios are not UTF-8 text."


def test_the_store_is_bounded() -> None:
    store = RuntimeScenarios(limit=1)
    view = load_catalog(SCENARIOS)
    store.add(parse_posted(MINE, view), "a")
    store.add(parse_posted(MINE, view), "a")  # replacing is no growth
    with pytest.raises(ProblemsError, match="too many posted scenarios"):
        store.add(parse_posted(MINE, view), "b")
    assert store.clear("a") == 1 and len(store) == 0


async def test_an_attempt_naming_a_removed_posted_scenario_is_a_404(client: Client) -> None:
    await post(client, MINE.replace("name: default", "name: target"), session="r")
    await post(client, "schema: 1\nname: relay\ndescription: d\nattempts:\n  - scenario: target\n", session="r")
    await client.delete("/_mock/scenarios/target", params={"session": "r"})
    response = await client.post(CHAT, json={"model": "relay", "messages": HI}, headers={"X-Mock-Session": "r"})
    assert response.status == 404
    assert (await response.json())["error"]["message"] == "Scenario 'relay' plays 'target' at attempt 1, which is gone."
