"""Demo overrides: which requests they reach (and never others), their admin API, its validation and journal."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from mockllm.server.app import create_app
from mockllm.server.config import ServerConfig
from mockllm.server.demo import MAX_OVERRIDES, DemoOverrides, OverrideRequest

Client = TestClient[Any, Any]
KNOWN = {"hello", "login-required", "recharge-required"}


@pytest.fixture
async def client(aiohttp_client: Any, base_config: ServerConfig) -> Client:
    return await aiohttp_client(create_app(base_config))


def override(**fields: Any) -> OverrideRequest:
    return OverrideRequest.model_validate(fields)


async def chat(client: Client, path: str = "/miniprogram/chat", headers: dict[str, str] | None = None, **body: Any) -> tuple[str, str]:
    """POST a chat; return (the scenario served, the body)."""
    response = await client.post(path, json={"message": "你好", **body}, headers=headers or {})
    return response.headers["X-Mock-Scenario"], await response.text()


async def add(client: Client, **fields: Any) -> dict[str, Any]:
    response = await client.post("/_mock/overrides", json=fields)
    assert response.status == 201, await response.text()
    return dict(await response.json())


# ---------------------------------------------------------------- the rules, without a server


def test_a_counted_override_is_used_up() -> None:
    demo = DemoOverrides()
    demo.add(override(scenario="login-required", count=2))
    taken = [demo.take("/chat", None, KNOWN) for _ in range(3)]
    assert [t and t.scenario for t in taken] == ["login-required", "login-required", None]
    assert len(demo) == 0


def test_a_route_override_leaves_other_routes_alone() -> None:
    demo = DemoOverrides()
    demo.add(override(scenario="login-required", route="/chat"))
    assert demo.take("/other", None, KNOWN) is None
    assert demo.take("/chat/x", None, KNOWN) is None
    assert demo.take("/chat", None, KNOWN).scenario == "login-required"  # type: ignore[union-attr]


def test_a_session_override_leaves_other_sessions_alone() -> None:
    demo = DemoOverrides()
    demo.add(override(scenario="login-required", session="phone"))
    assert demo.take("/chat", None, KNOWN) is None
    assert demo.take("/chat", "laptop", KNOWN) is None
    assert demo.take("/chat", "phone", KNOWN).scenario == "login-required"  # type: ignore[union-attr]


def test_counted_overrides_go_first_and_in_order_then_the_sticky_one() -> None:
    demo = DemoOverrides()
    demo.add(override(scenario="hello", sticky=True))
    demo.add(override(scenario="login-required"))
    demo.add(override(scenario="recharge-required"))
    assert [demo.take("/chat", None, KNOWN).scenario for _ in range(4)] == ["login-required", "recharge-required", "hello", "hello"]  # type: ignore[union-attr]


def test_the_narrowest_sticky_override_wins_and_a_new_one_replaces_its_scope() -> None:
    demo = DemoOverrides()
    demo.add(override(scenario="hello", sticky=True))
    demo.add(override(scenario="recharge-required", sticky=True, route="/chat"))
    demo.add(override(scenario="login-required", sticky=True, route="/chat"))
    assert len(demo) == 2
    assert demo.take("/chat", None, KNOWN).scenario == "login-required"  # type: ignore[union-attr]
    assert demo.take("/other", None, KNOWN).scenario == "hello"  # type: ignore[union-attr]


def test_an_override_of_a_scenario_no_longer_known_is_skipped() -> None:
    demo = DemoOverrides()
    demo.add(override(scenario="gone"))
    assert demo.take("/chat", None, KNOWN) is None
    assert len(demo) == 1 and demo.take("/chat", None, KNOWN | {"gone"}).scenario == "gone"  # type: ignore[union-attr]


# ---------------------------------------------------------------- through the server


async def test_next_request_gets_the_override_then_selection_as_usual(client: Client) -> None:
    await add(client, scenario="login-required")
    scenario, body = await chat(client)
    assert scenario == "login-required" and '"code":-1' in body
    assert (await chat(client))[0] == "default"
    entries = (await (await client.get("/_mock/journal")).json())[-2:]
    assert [e.get("override") for e in entries] == [1, None]


async def test_per_route_override_on_a_routes_map_path_and_on_other_routes(client: Client) -> None:
    await add(client, scenario="recharge-required", route="/text/chat", count=2)
    assert (await chat(client, "/miniprogram/chat"))[0] == "default"
    assert (await chat(client, "/v1/chat/completions", messages=[{"role": "user", "content": "hi"}]))[0] == "default"
    assert (await chat(client, "/text/chat"))[0] == "recharge-required"
    assert len(await (await client.get("/_mock/overrides")).json()) == 1


async def test_per_session_override_by_header_or_query(client: Client) -> None:
    await add(client, scenario="login-required", session="phone", count=2)
    assert (await chat(client))[0] == "default"
    assert (await chat(client, headers={"X-Mock-Session": "laptop"}))[0] == "default"
    assert (await chat(client, headers={"X-Mock-Session": "phone"}))[0] == "login-required"
    assert (await chat(client, "/miniprogram/chat?mock_session=phone"))[0] == "login-required"
    assert await (await client.get("/_mock/overrides")).json() == []


async def test_a_request_naming_its_scenario_wins_and_uses_nothing_up(client: Client) -> None:
    await add(client, scenario="login-required")
    assert (await chat(client, headers={"X-Mock-Scenario": "hello"}))[0] == "hello"
    assert (await chat(client, "/miniprogram/chat?scenario=hello"))[0] == "hello"
    assert (await chat(client, mock_scenario="hello"))[0] == "hello"
    assert (await chat(client))[0] == "login-required"


async def test_an_override_beats_the_model_name_and_match_rules(client: Client) -> None:
    await add(client, scenario="hello", count=2)
    assert (await chat(client, model="login-required"))[0] == "hello"
    assert (await chat(client, message="请帮我充值"))[0] == "hello"


async def test_sticky_active_scenario_until_reset(client: Client) -> None:
    made = await add(client, scenario="recharge-required", sticky=True)
    assert (made["sticky"], made["left"]) == (True, None)
    assert [(await chat(client))[0] for _ in range(3)] == ["recharge-required"] * 3
    listed = await (await client.get("/_mock/overrides")).json()
    assert listed[0]["used"] == 3
    reset = await client.delete("/_mock/overrides")
    assert (reset.status, (await reset.json())["overrides"]) == (200, [])
    assert (await chat(client))[0] == "default"


async def test_remove_one_override(client: Client) -> None:
    first = await add(client, scenario="hello", count=5)
    second = await add(client, scenario="login-required", sticky=True)
    response = await client.delete(f"/_mock/overrides/{first['id']}")
    assert [o["id"] for o in (await response.json())["overrides"]] == [second["id"]]
    assert (await client.delete(f"/_mock/overrides/{first['id']}")).status == 404
    assert (await client.delete("/_mock/overrides/x")).status == 404


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"scenario": "nope"}, "Bad override: unknown scenario 'nope'; known: "),
        ({"scenario": "hello", "count": 0}, "Bad override: count: Input should be greater than or equal to 1."),
        ({"scenario": "hello", "count": "many"}, "Bad override: count: Input should be a valid integer"),
        ({"scenario": "hello", "count": 2, "sticky": True}, "Bad override: an override is sticky or has a count, not both."),
        ({"scenario": "hello", "route": "chat"}, "Bad override: route: String should match pattern '^/'."),
        ({"scenario": "hello", "session": ""}, "Bad override: session: String should have at least 1 character."),
        ({"scenario": "hello", "next": 1}, "Bad override: unknown key 'next'; valid keys: count, route, scenario, session, sticky."),
        ({}, "Bad override: scenario: Field required."),
        (["hello"], 'Bad override: send a JSON object such as {"scenario": "login-required", "count": 1}.'),
    ],
    ids=["unknown-scenario", "count-0", "count-text", "count-and-sticky", "relative-route", "empty-session", "unknown-key", "no-scenario", "not-an-object"],
)
async def test_bad_overrides_get_a_400_saying_what_is_wrong(client: Client, body: Any, message: str) -> None:
    response = await client.post("/_mock/overrides", json=body)
    assert response.status == 400
    assert (await response.json())["error"]["message"].startswith(message)
    assert await (await client.get("/_mock/overrides")).json() == []


async def test_overrides_are_bounded(client: Client) -> None:
    for _ in range(MAX_OVERRIDES):
        await add(client, scenario="hello", route="/x")
    response = await client.post("/_mock/overrides", json={"scenario": "hello"})
    assert response.status == 400
    assert (await response.json())["error"]["message"] == "Bad override: 100 overrides are active already; remove some (DELETE /_mock/overrides)."


async def test_a_body_that_is_not_json_gets_a_400(client: Client) -> None:
    response = await client.post("/_mock/overrides", data=b"{", headers={"Content-Type": "application/json"})
    assert response.status == 400
    assert (await response.json())["error"]["message"].startswith("Bad override: send a JSON object (Expecting property name")


async def test_a_body_nested_too_deeply_gets_a_400_not_a_500(client: Client) -> None:
    response = await client.post("/_mock/overrides", data=b"[" * 100_000 + b"]" * 100_000, headers={"Content-Type": "application/json"})
    assert response.status == 400
    assert "too deeply" in (await response.json())["error"]["message"]


async def test_changes_are_journaled_and_logged(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", "mockllm")
    await add(client, scenario="login-required", route="/chat", session="phone", count=2)
    await client.post("/_mock/overrides", json={"scenario": "nope"})
    await client.delete("/_mock/overrides")
    entries = (await (await client.get("/_mock/journal")).json())[-3:]
    assert [(e["method"], e["path"], e["status"]) for e in entries] == [("POST", "/_mock/overrides", 201), ("POST", "/_mock/overrides", 400), ("DELETE", "/_mock/overrides", 200)]
    assert entries[0]["ended"] == "demo override #1: next 2 requests on /chat of session phone → login-required"
    assert entries[2]["ended"] == "demo overrides reset (1 removed)"
    assert "demo override #1: next 2 requests on /chat of session phone → login-required" in caplog.messages


async def test_an_override_of_a_scenario_a_reload_removed_waits_until_it_is_back(aiohttp_client: Any, tmp_path: Any) -> None:
    two = "schema: 1\nname: default\ndescription: d\nsteps: [{say: hi}]\n---\nschema: 1\nname: extra\ndescription: e\nsteps: [{say: x}]\n"
    (tmp_path / "a.yaml").write_text(two)
    client = await aiohttp_client(create_app(ServerConfig(scenarios=tmp_path, speed=0)))
    await add(client, scenario="extra", sticky=True)
    (tmp_path / "a.yaml").write_text(two.split("---")[0])
    assert (await client.post("/_mock/reload")).status == 200
    assert (await chat(client))[0] == "default"
    (tmp_path / "a.yaml").write_text(two)
    assert (await client.post("/_mock/reload")).status == 200
    assert (await chat(client))[0] == "extra"


async def test_an_override_may_name_a_posted_scenario(client: Client) -> None:
    posted = "schema: 1\nname: posted-one\ndescription: p\nsteps: [{say: p}]\n"
    assert (await client.post("/_mock/scenarios?session=phone", data=posted)).status == 201
    assert (await client.post("/_mock/overrides", json={"scenario": "posted-one"})).status == 400  # not for every session
    await add(client, scenario="posted-one", session="phone")
    assert (await chat(client, headers={"X-Mock-Session": "phone"}))[0] == "posted-one"


async def test_an_override_beats_the_scenario_a_routes_map_binds(aiohttp_client: Any, tmp_path: Any) -> None:
    (tmp_path / "a.yaml").write_text(
        "schema: 1\nname: default\ndescription: d\nsteps: [{say: hi}]\n---\nschema: 1\nname: bound\ndescription: b\nsteps: [{say: b}]\n"
        "---\nschema: 1\nkind: routes\nroutes:\n  /chat: {framing: miniprogram, scenario: bound}\n"
    )
    client = await aiohttp_client(create_app(ServerConfig(scenarios=tmp_path, speed=0)))
    assert (await chat(client, "/chat"))[0] == "bound"
    await add(client, scenario="default", route="/chat")
    assert [(await chat(client, "/chat"))[0] for _ in range(2)] == ["default", "bound"]
