"""The official openai SDK (sync and async) against a live server: every shipped scenario, usage, errors."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import openai
import pytest
from conftest import SCENARIOS
from openai import AsyncOpenAI, OpenAI

from mockllm.core import tokens
from mockllm.core.events import Error
from mockllm.core.request import ChatRequest
from mockllm.scenarios.loading import load_catalog
from mockllm.scenarios.scenario import Scenario
from mockllm.stream.attempts import for_attempt
from mockllm.stream.call import Call
from mockllm.stream.compile import compile_scenario
from mockllm.stream.faults import uses_faults

MESSAGES: list[Any] = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "你好，介绍一下你自己。"}]
SEED = {"X-Mock-Seed": "123", "X-Mock-Speed": "0"}


def scenario_error(scenario: Scenario) -> Error | None:
    """The error a scenario ends with for this test's seed, if any."""
    chat = ChatRequest(messages=tuple((m["role"], m["content"]) for m in MESSAGES))
    call = Call(chat, scenario, seed=int(SEED["X-Mock-Seed"]), seeded=True, speed=0, stream_config=scenario.stream)
    played = for_attempt(scenario, 1, CATALOG.scenarios)
    return next((e for e in compile_scenario(played, call) if isinstance(e, Error)), None)


CATALOG = load_catalog(SCENARIOS)
NAMES = CATALOG.names
#: shipped scenarios that fail on purpose, with their error
FAILING: dict[str, Error] = {
    name: error for name, scenario in CATALOG.scenarios.items() if (error := scenario_error(scenario)) is not None
}
#: transport-fault scenarios are read with the SDK in tests/test_faults_sdk.py
COMPLETE = [name for name in NAMES if name not in FAILING and not uses_faults(CATALOG.scenarios[name])]
#: Scenarios that end as a model cut off by its token limit does (`finish: length`).
CUT_OFF = {name for name, scenario in CATALOG.scenarios.items() if any(step.finish == "length" for step in scenario.steps)}


@pytest.fixture
def server(live_server: Any) -> Any:
    """One live server at speed 1 (requests ask for speed 0 themselves), with the shipped scenarios."""
    return live_server(speed=1)


def sync_client(server: Any) -> OpenAI:
    return OpenAI(base_url=server.url + "/v1", api_key="sk-unused", max_retries=0)


def async_client(server: Any) -> AsyncOpenAI:
    return AsyncOpenAI(base_url=server.url + "/v1", api_key="sk-unused", max_retries=0)


@pytest.mark.parametrize("name", COMPLETE)
def test_sync_stream_matches_whole_answer(server: Any, name: str) -> None:
    client = sync_client(server)
    stream = client.chat.completions.create(model=name, messages=MESSAGES, stream=True, extra_headers=SEED)
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    whole = client.chat.completions.create(model=name, messages=MESSAGES, extra_headers=SEED)
    assert text and text == whole.choices[0].message.content
    assert chunks[0].choices[0].delta.role == "assistant"
    assert chunks[-1].choices[0].finish_reason == whole.choices[0].finish_reason == ("length" if name in CUT_OFF else "stop")
    assert len({c.id for c in chunks}) == 1 and chunks[0].id == whole.id
    assert whole.model == name


@pytest.mark.parametrize("name", COMPLETE)
async def test_async_stream_with_usage(server: Any, name: str) -> None:
    async with async_client(server) as client:
        stream = await client.chat.completions.create(
            model=name, messages=MESSAGES, stream=True, stream_options={"include_usage": True}, extra_headers=SEED
        )
        chunks = [chunk async for chunk in stream]
    deltas = [c.choices[0].delta for c in chunks if c.choices]
    text = "".join(d.content or "" for d in deltas)
    reasoning = "".join(getattr(d, "reasoning_content", None) or "" for d in deltas)
    arguments = "".join(call.function.arguments or "" for d in deltas for call in d.tool_calls or () if call.function)
    usage = chunks[-1].usage
    assert chunks[-1].choices == [] and usage is not None
    assert all(c.usage is None for c in chunks[:-1])
    assert usage.prompt_tokens == tokens.count_messages([m["content"] for m in MESSAGES])
    # each streamed delta is at least one token, as with the service: text and reasoning are counted delta by delta
    streamed = sum(tokens.count(d.content) for d in deltas if d.content) + sum(tokens.count(r) for d in deltas if (r := getattr(d, "reasoning_content", None)))
    assert usage.completion_tokens == streamed + tokens.count(arguments) > 0 and streamed >= tokens.count(text) + tokens.count(reasoning)
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens


@pytest.mark.parametrize("name", sorted(FAILING))
def test_failing_scenarios_raise_the_sdk_error(server: Any, name: str) -> None:
    """Streamed, the SDK raises with the scenario's message; whole, a status error with its status."""
    error = FAILING[name]
    client = sync_client(server)
    with pytest.raises(openai.APIError) as streamed:
        for _ in client.chat.completions.create(model=name, messages=MESSAGES, stream=True, extra_headers=SEED):
            pass
    assert _error_body(streamed.value) == (error.message, error.code)
    with pytest.raises(openai.APIStatusError) as whole:
        client.chat.completions.create(model=name, messages=MESSAGES, extra_headers=SEED)
    assert whole.value.status_code == error.status
    assert _error_body(whole.value) == (error.message, error.code)


def _error_body(error: openai.APIError) -> tuple[Any, Any]:
    """The message and code of the error object the SDK read from the response."""
    assert isinstance(error.body, dict)
    return error.body["message"], error.body["code"]


@pytest.mark.parametrize("name", sorted(FAILING))
async def test_async_failing_scenarios_raise(server: Any, name: str) -> None:
    async with async_client(server) as client:
        with pytest.raises(openai.APIError, match=re.escape(FAILING[name].message)):
            stream = await client.chat.completions.create(model=name, messages=MESSAGES, stream=True, extra_headers=SEED)
            async for _ in stream:
                pass


def test_echo_returns_the_last_user_message(server: Any) -> None:
    whole = sync_client(server).chat.completions.create(model="echo", messages=MESSAGES, extra_headers=SEED)
    assert whole.choices[0].message.content == "你好，介绍一下你自己。"


def test_models_list(server: Any) -> None:
    assert [m.id for m in sync_client(server).models.list()] == NAMES


def test_unknown_scenario_raises_not_found_pointing_to_the_names(server: Any) -> None:
    with pytest.raises(openai.NotFoundError) as info:
        sync_client(server).chat.completions.create(model="x", messages=MESSAGES, extra_headers={"X-Mock-Scenario": "helo"})
    assert f"Did you mean 'hello'? GET /_mock/scenarios lists the {len(NAMES)} known scenarios." in str(info.value)
    assert info.value.code == "scenario_not_found"


async def test_async_unknown_scenario_raises_not_found(server: Any) -> None:
    async with async_client(server) as client:
        with pytest.raises(openai.NotFoundError, match="Unknown scenario 'nope'"):
            await client.chat.completions.create(model="x", messages=MESSAGES, stream=True, extra_body={"mock_scenario": "nope"})


@pytest.fixture
def error_server(live_server: Any, tmp_path: Path) -> Any:
    """A live server with an early 429 scenario and one that fails mid-stream."""
    (tmp_path / "errors.yaml").write_text(
        "schema: 1\nname: default\ndescription: d\nsteps:\n  - say: hi\n"
        "---\nschema: 1\nname: limited\ndescription: d\nsteps:\n"
        "  - error: {message: slow down, status: 429, headers: {retry-after-ms: '10'}}\n"
        "---\nschema: 1\nname: broken-midway\ndescription: d\nstream: {unit: char, first_token_ms: 0, delay_ms: 0}\nsteps:\n"
        "  - say: 半途\n  - error: {message: 服务中断, code: 101}\n",
        encoding="utf-8",
    )
    return live_server(scenarios=tmp_path)


def test_error_before_first_byte_is_the_sdk_status_error(error_server: Any) -> None:
    with pytest.raises(openai.RateLimitError) as info:
        sync_client(error_server).chat.completions.create(model="limited", messages=MESSAGES, stream=True)
    assert info.value.status_code == 429 and _error_body(info.value) == ("slow down", None)


def test_error_after_first_byte_raises_while_iterating(error_server: Any) -> None:
    stream = sync_client(error_server).chat.completions.create(model="broken-midway", messages=MESSAGES, stream=True)
    received: list[str] = []
    with pytest.raises(openai.APIError, match="服务中断"):
        for chunk in stream:
            received.append(chunk.choices[0].delta.content or "")
    assert "".join(received) == "半途"
