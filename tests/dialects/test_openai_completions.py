"""Legacy completions (`POST /v1/completions`): the official SDK streamed and whole, prompts, bad input, scenario errors."""

from __future__ import annotations

import json
from typing import Any, Iterator

import openai
import pytest
from aiohttp.test_utils import TestClient
from conftest import SCENARIOS
from openai import OpenAI

from mockllm.server.app import create_app
from mockllm.server.config import ServerConfig

SEED = {"X-Mock-Seed": "5", "X-Mock-Speed": "0"}
HELLO = "你好！我是 mockllm，一个用于测试的模拟大模型。Hello! How can I help you today?"


@pytest.fixture
def sdk(live_server: Any) -> Iterator[OpenAI]:
    with OpenAI(base_url=live_server(speed=1.0).url + "/v1", api_key="sk-unused", max_retries=0, default_headers=SEED) as client:
        yield client


@pytest.fixture
async def client(aiohttp_client: Any) -> TestClient[Any, Any]:
    return await aiohttp_client(create_app(ServerConfig(scenarios=SCENARIOS, speed=0, seed=1)))


def test_whole_completion(sdk: OpenAI) -> None:
    completion = sdk.completions.create(model="hello", prompt="Say hello")
    assert completion.object == "text_completion" and completion.id.startswith("cmpl-") and completion.model == "hello"
    [choice] = completion.choices
    assert (choice.text, choice.index, choice.logprobs, choice.finish_reason) == (HELLO, 0, None, "stop")
    usage = completion.usage
    assert usage and usage.prompt_tokens > 0 and usage.completion_tokens > 0
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens


def test_streamed_completion_joins_to_the_whole_text_and_ends_with_usage(sdk: OpenAI) -> None:
    chunks = list(sdk.completions.create(model="hello", prompt="Say hello", stream=True, stream_options={"include_usage": True}))
    *texts, finish, last = chunks
    assert len(texts) > 5 and "".join(c.choices[0].text for c in texts) == HELLO
    assert {c.choices[0].finish_reason for c in texts} == {None} and {c.choices[0].logprobs for c in texts} == {None}
    assert finish.choices[0].finish_reason == "stop" and finish.choices[0].text == ""
    assert last.choices == [] and last.usage and last.usage.completion_tokens == sdk.completions.create(model="hello", prompt="Say hello").usage.completion_tokens  # type: ignore[union-attr]
    assert len({c.id for c in chunks}) == 1


async def test_the_stream_is_sse_ending_in_done(client: TestClient[Any, Any]) -> None:
    response = await client.post("/v1/completions", json={"model": "fast", "prompt": "hi", "stream": True}, headers=SEED)
    body = await response.read()
    assert response.headers["Content-Type"].startswith("text/event-stream") and body.endswith(b"data: [DONE]\n\n")
    first = json.loads(body.split(b"\n\n")[0][len(b"data: ") :])
    assert list(first) == ["id", "object", "created", "choices", "model"]
    assert list(first["choices"][0]) == ["text", "index", "logprobs", "finish_reason"]


@pytest.mark.parametrize(
    "prompt",
    [["一", "二", "三"], [[101, 102], [103]]],
    ids=["strings", "token-arrays"],
)
def test_each_prompt_of_a_list_gets_a_choice(sdk: OpenAI, prompt: Any) -> None:
    whole = sdk.completions.create(model="hello", prompt=prompt)
    assert [(c.index, c.text) for c in whole.choices] == [(i, HELLO) for i in range(len(prompt))]
    streamed: dict[int, str] = {}
    for chunk in sdk.completions.create(model="hello", prompt=prompt, stream=True):
        for choice in chunk.choices:
            streamed[choice.index] = streamed.get(choice.index, "") + choice.text
    assert streamed == {i: HELLO for i in range(len(prompt))}


def test_a_token_prompt_is_accepted(sdk: OpenAI) -> None:
    assert sdk.completions.create(model="hello", prompt=[9906, 1917]).choices[0].text == HELLO


def test_echo_puts_the_prompt_before_the_answer(sdk: OpenAI) -> None:
    assert sdk.completions.create(model="hello", prompt="Q: ", echo=True).choices[0].text == "Q: " + HELLO
    streamed = "".join(c.choices[0].text for c in sdk.completions.create(model="hello", prompt="Q: ", echo=True, stream=True))
    assert streamed == "Q: " + HELLO


def test_echo_scenario_reads_the_prompt(sdk: OpenAI) -> None:
    assert "量子" in (sdk.completions.create(model="echo", prompt="量子计算").choices[0].text)


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"prompt": 5}, "prompt"),
        ({"prompt": [1, "a"]}, "prompt"),
        ({"prompt": [[1], [True]]}, "prompt"),
        ({"prompt": []}, "prompt"),
        ({"prompt": "x", "echo": "yes"}, "echo"),
        ({"prompt": "x", "stream": "yes"}, "stream"),
        ({"prompt": "x", "n": 2}, "n"),
        ({"prompt": "x", "stream_options": {"include_usage": True}}, "stream_options"),
    ],
    ids=["number", "mixed-list", "bool-token", "empty-list", "echo-not-bool", "stream-not-bool", "n-2", "options-without-stream"],
)
async def test_bad_input_is_a_400_in_openais_shape(client: TestClient[Any, Any], body: dict[str, Any], param: str) -> None:
    response = await client.post("/v1/completions", json={"model": "hello", **body})
    assert response.status == 400
    error = (await response.json())["error"]
    assert error["param"] == param and error["type"] == "invalid_request_error" and error["message"]


async def test_a_body_that_is_not_json_is_a_400(client: TestClient[Any, Any]) -> None:
    response = await client.post("/v1/completions", data=b"{", headers={"Content-Type": "application/json"})
    assert response.status == 400 and "could not parse the JSON body" in (await response.json())["error"]["message"]


def test_scenario_errors_apply(sdk: OpenAI) -> None:
    with pytest.raises(openai.RateLimitError):
        sdk.completions.create(model="rate-limited", prompt="x")
    received: list[str] = []
    with pytest.raises(openai.APIError, match="The server had an error"):
        for chunk in sdk.completions.create(model="midstream-error", prompt="x", stream=True):
            received.append(chunk.choices[0].text)  # noqa: PERF401 - one by one, so what came before the error is kept
    assert "".join(received) == "好的，我先回答一部分，The answer starts"


async def test_the_journal_and_route_list_know_the_route(client: TestClient[Any, Any]) -> None:
    await client.post("/v1/completions", json={"model": "fast", "prompt": "journal me"}, headers=SEED)
    [entry] = await (await client.get("/_mock/journal", params={"path": "/v1/completions"})).json()
    assert (entry["scenario"], entry["status"], entry["body"]["prompt"]) == ("fast", 200, "journal me")
    assert "POST /v1/completions" in await (await client.get("/_mock/routes")).json()


async def test_an_error_before_any_text_stays_an_http_error_with_echo(client: TestClient[Any, Any]) -> None:
    body = {"model": "rate-limited", "prompt": "Q: ", "echo": True, "stream": True}
    response = await client.post("/v1/completions", json=body, headers=SEED)
    assert response.status == 429 and (await response.json())["error"]["code"] == "rate_limit_exceeded"
