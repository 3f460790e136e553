"""Outcomes by attempt, counted per session: SDK retries advance them, tests can inspect and reset them."""

from __future__ import annotations

import asyncio
import json
import urllib.request
from pathlib import Path
from typing import Any

import openai
import pytest
from aiohttp.test_utils import TestClient
from openai import OpenAI
from pydantic import ValidationError

from mockllm.core.request import ChatRequest
from mockllm.scenarios.attempts import AttemptOutcome, outcome_index
from mockllm.scenarios.loading import load_catalog
from mockllm.scenarios.problems import ProblemsError
from mockllm.scenarios.scenario import Scenario
from mockllm.server.app import create_app
from mockllm.server.config import ServerConfig
from mockllm.server.state import STATE
from mockllm.stream.attempts import Sessions, session_key

MESSAGES: list[Any] = [{"role": "user", "content": "你好"}]
FAST = {"X-Mock-Speed": "0", "X-Mock-Seed": "7"}
HELLO = "你好！我是 mockllm，一个用于测试的模拟大模型。Hello! How can I help you today?"


@pytest.mark.parametrize(
    ("attempt", "after", "expected"),
    [
        pytest.param(1, "repeat_last", 0, id="first"),
        pytest.param(3, "repeat_last", 2, id="last"),
        pytest.param(4, "repeat_last", 2, id="after-last-repeats-it"),
        pytest.param(9, "repeat_last", 2, id="long-after-last"),
        pytest.param(4, "cycle", 0, id="cycle-starts-over"),
        pytest.param(8, "cycle", 1, id="cycle-second-round"),
    ],
)
def test_outcome_index(attempt: int, after: Any, expected: int) -> None:
    assert outcome_index(attempt, 3, after) == expected


def test_sessions_count_per_session_and_scenario() -> None:
    sessions = Sessions()
    assert [sessions.next_attempt("a", "s") for _ in range(3)] == [1, 2, 3]
    assert (sessions.next_attempt("b", "s"), sessions.next_attempt("a", "t")) == (1, 1)
    assert [(e["session"], e["scenario"], e["attempts"]) for e in sessions.entries()] == [("a", "s", 3), ("b", "s", 1), ("a", "t", 1)]
    assert [e["scenario"] for e in sessions.entries("a")] == ["s", "t"]


def test_sessions_drop_the_least_recently_used_past_their_size() -> None:
    sessions = Sessions(size=2)
    sessions.next_attempt("old", "s")
    sessions.next_attempt("kept", "s")
    sessions.next_attempt("old", "s")  # used again: now the most recent
    sessions.next_attempt("new", "s")
    assert [e["session"] for e in sessions.entries()] == ["old", "new"]
    assert len(sessions) == 2


def test_sessions_reset_one_or_all() -> None:
    sessions = Sessions()
    for key in ("a", "a", "b"):
        sessions.next_attempt(key, "s")
    sessions.next_attempt("a", "t")
    assert sessions.reset("a") == 2
    assert sessions.next_attempt("b", "s") == 2
    assert sessions.reset() == 1 and len(sessions) == 0


def chat(text: str = "你好", model: str | None = "m") -> ChatRequest:
    return ChatRequest(messages=(("user", text),), model=model)


def test_session_key_given_wins() -> None:
    assert session_key("test-42", "/v1/chat/completions", chat()) == "test-42"


def test_session_key_is_derived_from_route_model_and_messages() -> None:
    key = session_key(None, "/v1/chat/completions", chat())
    assert key.startswith("auto-") and key == session_key(None, "/v1/chat/completions", chat())
    others = {
        session_key(None, "/v1/chat/completions", chat("别的")),
        session_key(None, "/v1/chat/completions", chat(model="n")),
        session_key(None, "/chat", chat()),
    }
    assert key not in others and len(others) == 3


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param([{"say": "hi"}], ("steps", 1), id="list-of-steps"),
        pytest.param({"steps": [{"say": "hi"}]}, ("steps", 1), id="steps-key"),
        pytest.param({"scenario": "hello"}, ("scenario", "hello"), id="scenario"),
    ],
)
def test_attempt_outcome_forms(value: Any, expected: tuple[str, Any]) -> None:
    outcome = AttemptOutcome.model_validate(value)
    got = getattr(outcome, expected[0])
    assert (len(got) if isinstance(got, list) else got) == expected[1]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        pytest.param({}, "a list of steps or {scenario: NAME}", id="neither"),
        pytest.param({"steps": [{"say": "a"}], "scenario": "hello"}, "a list of steps or {scenario: NAME}", id="both"),
        pytest.param([], "at least 1 item", id="no-steps"),
        pytest.param({"scenario": "Hello World"}, "should match pattern", id="bad-name"),
    ],
)
def test_attempt_outcome_problems(value: Any, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        AttemptOutcome.model_validate(value)


@pytest.mark.parametrize(
    "extra",
    [
        pytest.param({"steps": [{"say": "a"}], "attempts": [{"scenario": "hello"}]}, id="both"),
        pytest.param({}, id="neither"),
    ],
)
def test_a_scenario_has_steps_or_attempts(extra: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="a scenario has steps or attempts"):
        Scenario.model_validate({"schema": 1, "name": "s", "description": "d", **extra})


def test_attempt_references_are_checked_at_load(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(
        "schema: 1\nname: default\ndescription: d\nsteps:\n  - say: hi\n"
        "---\nschema: 1\nname: retrying\ndescription: d\nattempts:\n  - [{error: rate_limited}]\n  - {scenario: nowhere}\n"
        "---\nschema: 1\nname: nested\ndescription: d\nattempts:\n  - {scenario: retrying}\n",
        encoding="utf-8",
    )
    with pytest.raises(ProblemsError) as info:
        load_catalog(tmp_path)
    path = tmp_path / "s.yaml"
    assert [str(p) for p in info.value.problems] == [
        f"{path}:12: attempts[1].scenario: unknown scenario 'nowhere'; known: default, nested, retrying",
        f"{path}:18: attempts[0].scenario: scenario 'retrying' has attempts itself; name one with steps",
    ]


def journal(server: Any, name: str) -> list[dict[str, Any]]:
    assert server.app is not None
    return server.call(lambda: server.app[STATE].journal.entries(scenario=name))


def header(entry: dict[str, Any], name: str) -> str | None:
    return next((v for k, v in entry["headers"].items() if k.lower() == name.lower()), None)


@pytest.mark.parametrize("stream", [True, False], ids=["stream", "whole"])
def test_sdk_succeeds_on_its_own_third_attempt(live_server: Any, stream: bool) -> None:
    server = live_server()
    sdk = OpenAI(base_url=server.url + "/v1", api_key="sk-unused")  # default: 2 retries, honouring retry-after-ms
    answer = sdk.chat.completions.create(model="fail-twice-then-succeed", messages=MESSAGES, stream=stream, extra_headers=FAST)
    text = "".join(c.choices[0].delta.content or "" for c in answer) if stream else answer.choices[0].message.content  # type: ignore[union-attr]
    assert text == HELLO
    entries = journal(server, "fail-twice-then-succeed")
    assert [(e["attempt"], e["status"], header(e, "x-stainless-retry-count")) for e in entries] == [
        (1, 429, "0"),
        (2, 429, "1"),
        (3, 200, "2"),
    ]
    assert len({e["session"] for e in entries}) == 1 and entries[0]["session"].startswith("auto-")


def test_without_sdk_retries_the_app_sees_each_failure(live_server: Any) -> None:
    server = live_server()
    sdk = OpenAI(base_url=server.url + "/v1", api_key="sk-unused", max_retries=0)

    def ask() -> str | None:
        return sdk.chat.completions.create(model="fail-twice-then-succeed", messages=MESSAGES, extra_headers=FAST).choices[0].message.content

    for _ in range(2):
        with pytest.raises(openai.RateLimitError):
            ask()
    assert ask() == HELLO
    assert ask() == HELLO  # after the last outcome, it repeats


@pytest.fixture
async def client(aiohttp_client: Any, tmp_path: Path) -> TestClient[Any, Any]:
    """The app in-process, with the shipped `hello` and a cycling scenario."""
    (tmp_path / "s.yaml").write_text(
        "schema: 1\nname: default\ndescription: d\nsteps:\n  - say: hi\n"
        "---\nschema: 1\nname: hello\ndescription: d\nstream: {first_token_ms: 0, delay_ms: 0}\nsteps:\n  - say: 你好\n"
        "---\nschema: 1\nname: flaky\ndescription: d\nafter_attempts: cycle\n"
        "attempts:\n  - [{error: unavailable}]\n  - {scenario: hello}\n",
        encoding="utf-8",
    )
    return await aiohttp_client(create_app(ServerConfig(scenarios=tmp_path, speed=0, seed=1)))


async def ask(client: TestClient[Any, Any], session: str | None = None, text: str = "你好") -> tuple[int, dict[str, str]]:
    headers = {"X-Mock-Session": session} if session else {}
    body = {"model": "flaky", "messages": [{"role": "user", "content": text}]}
    response = await client.post("/v1/chat/completions", json=body, headers=headers)
    await response.read()
    return response.status, {k: response.headers[k] for k in ("X-Mock-Session", "X-Mock-Attempt")}


async def test_cycle_starts_over_after_the_last_outcome(client: TestClient[Any, Any]) -> None:
    statuses = [(await ask(client))[0] for _ in range(5)]
    assert statuses == [503, 200, 503, 200, 503]


async def test_response_headers_name_the_session_and_attempt(client: TestClient[Any, Any]) -> None:
    assert await ask(client, "t-1") == (503, {"X-Mock-Session": "t-1", "X-Mock-Attempt": "1"})
    assert await ask(client, "t-1") == (200, {"X-Mock-Session": "t-1", "X-Mock-Attempt": "2"})


async def test_sessions_do_not_interfere(client: TestClient[Any, Any]) -> None:
    order = ["a", "b", "a", "c", "b", "a"]
    got = [(await ask(client, key))[1]["X-Mock-Attempt"] for key in order]
    assert got == ["1", "1", "2", "1", "2", "3"]


async def test_a_new_question_is_a_new_session(client: TestClient[Any, Any]) -> None:
    assert (await ask(client, text="一"))[0] == 503
    assert (await ask(client, text="二"))[0] == 503
    assert (await ask(client, text="一"))[0] == 200


async def test_concurrent_requests_of_one_session_get_distinct_attempts(client: TestClient[Any, Any]) -> None:
    results = await asyncio.gather(*(ask(client, "same") for _ in range(20)))
    assert sorted(int(headers["X-Mock-Attempt"]) for _, headers in results) == list(range(1, 21))


async def test_sessions_are_listed_and_reset(client: TestClient[Any, Any]) -> None:
    for key in ("a", "a", "b/with/slashes"):
        await ask(client, key)
    listed = await (await client.get("/_mock/sessions")).json()
    assert [(e["session"], e["scenario"], e["attempts"]) for e in listed] == [("a", "flaky", 2), ("b/with/slashes", "flaky", 1)]
    one = await (await client.get("/_mock/sessions/b/with/slashes")).json()
    assert [e["session"] for e in one] == ["b/with/slashes"]
    assert await (await client.delete("/_mock/sessions/a")).json() == {"cleared": 1}
    assert (await ask(client, "a"))[1]["X-Mock-Attempt"] == "1"
    assert await (await client.delete("/_mock/sessions")).json() == {"cleared": 2}
    assert await (await client.get("/_mock/sessions")).json() == []


async def test_scenarios_without_attempts_count_nothing(client: TestClient[Any, Any]) -> None:
    response = await client.post("/v1/chat/completions", json={"model": "hello", "messages": MESSAGES})
    assert response.status == 200 and "X-Mock-Attempt" not in response.headers
    assert len(client.server.app[STATE].sessions) == 0


def test_live_session_listing_over_http(live_server: Any) -> None:
    server = live_server()
    sdk = OpenAI(base_url=server.url + "/v1", api_key="sk-unused", max_retries=0)
    with pytest.raises(openai.RateLimitError):
        sdk.chat.completions.create(
            model="fail-twice-then-succeed", messages=MESSAGES, extra_headers={**FAST, "X-Mock-Session": "ci-run-1"}
        )
    with urllib.request.urlopen(server.url + "/_mock/sessions/ci-run-1") as response:
        listed = json.loads(response.read())
    assert [(e["session"], e["scenario"], e["attempts"]) for e in listed] == [("ci-run-1", "fail-twice-then-succeed", 1)]
