"""Output-token limits: an answer is cut at the request's limit, counted as usage counts, with each route's length finish."""

from __future__ import annotations

import json
from typing import Any

import anthropic
import ollama
import openai
import pytest
from conftest import SCENARIOS
from google import genai
from google.genai import types

from mockllm.core import tokens
from mockllm.core.events import Event, Finish, Text, Think, ToolCall, Usage
from mockllm.core.request import ChatRequest, Tool
from mockllm.scenarios.scenario import Scenario
from mockllm.server.app import create_app
from mockllm.server.config import ServerConfig
from mockllm.stream.call import Call
from mockllm.stream.compile import compile_scenario
from mockllm.stream.transforms.limit import limit

LONG = "好的，下面是一个较长的回答。\n\n"  # the start of `long-chinese`
CUT = "".join(list(tokens.tokens(LONG))[:5])


def events(steps: list[Any], max_tokens: int | None, hides_thinking: bool = False) -> list[Event]:
    scenario = Scenario.model_validate({"schema": 1, "name": "t", "description": "t", "steps": steps})
    tools = (Tool("f", "", {"type": "object"}),)
    chat = ChatRequest(messages=(("user", "hi"),), tools=tools, max_tokens=max_tokens, hides_thinking=hides_thinking)
    call = Call(chat, scenario, seed=1, seeded=True, speed=0, stream_config=scenario.stream)
    return list(limit(compile_scenario(scenario, call), call))


# ── the transform ──────────────────────────────────────────────────────────────


def test_the_answer_is_cut_on_a_token_boundary_and_finishes_with_length():
    assert events([{"say": "Hello world, how are you"}], 3) == [Text("Hello world,"), Finish("length")]


def test_an_answer_within_the_limit_is_untouched():
    assert events([{"say": "Hello world"}], 2) == [Text("Hello world")]
    assert events([{"say": "Hello world"}], None) == [Text("Hello world")]


def test_reasoning_counts_unless_the_route_hides_it():
    steps = [{"think": "one two"}, {"say": "three four"}]
    assert events(steps, 3) == [Think("one two"), Text("three"), Finish("length")]
    assert events(steps, 3, hides_thinking=True) == [Think("one two"), Text("three four")]


def test_cut_tool_arguments_stay_invalid_json_and_only_usage_follows():
    steps = [{"tool_call": {"name": "f", "arguments": {"city": "北京", "days": 3}}}, {"say": "after"}, {"usage": {"prompt_tokens": 9}}]
    out = events(steps, 4)
    assert out[1:] == [Finish("length"), Usage(9, None)]
    assert isinstance(out[0], ToolCall) and out[0].arguments == '{"city"'
    with pytest.raises(ValueError):
        json.loads(out[0].arguments)

# ── every route, with the official SDKs: `long-chinese` cut at 5 tokens ────────


@pytest.fixture
def server(live_server: Any) -> Any:
    return live_server()


def test_chat_and_azure_finish_with_length(server: Any, closing: Any):
    sdk = closing(openai.OpenAI(base_url=server.url + "/v1", api_key="x", max_retries=0))
    ask = {"model": "long-chinese", "messages": [{"role": "user", "content": "hi"}]}
    whole = sdk.chat.completions.create(**ask, max_tokens=5).choices[0]
    assert (whole.finish_reason, whole.message.content) == ("length", CUT)
    chunks = list(sdk.chat.completions.create(**ask, max_completion_tokens=5, stream=True, stream_options={"include_usage": True}))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == CUT
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "length" and chunks[-1].usage.completion_tokens == 5
    azure = closing(openai.AzureOpenAI(azure_endpoint=server.url, api_key="x", api_version="2024-10-21", max_retries=0))
    assert azure.chat.completions.create(**ask, max_tokens=5).choices[0].finish_reason == "length"
    with pytest.raises(openai.BadRequestError, match="Expected a value >= 1, but got 0 instead"):
        sdk.chat.completions.create(**ask, max_tokens=0)


def test_responses_is_incomplete_for_max_output_tokens(server: Any, closing: Any):
    sdk = closing(openai.OpenAI(base_url=server.url + "/v1", api_key="x", max_retries=0))
    response = sdk.responses.create(model="long-chinese", input="hi", max_output_tokens=16)
    assert (response.status, response.incomplete_details.reason) == ("incomplete", "max_output_tokens")
    assert response.output_text.startswith(LONG) and tokens.count(response.output_text) == 16
    with sdk.responses.stream(model="long-chinese", input="hi", max_output_tokens=16) as stream:
        kinds = [event.type for event in stream]
    assert kinds[-1] == "response.incomplete"
    with pytest.raises(openai.BadRequestError, match="Expected a value >= 16, but got 5 instead"):
        sdk.responses.create(model="long-chinese", input="hi", max_output_tokens=5)


def test_anthropic_stops_with_max_tokens(server: Any, closing: Any):
    sdk = closing(anthropic.Anthropic(base_url=server.url, api_key="x", max_retries=0))
    message = sdk.messages.create(model="long-chinese", max_tokens=5, messages=[{"role": "user", "content": "hi"}])
    assert (message.stop_reason, message.content[0].text, message.usage.output_tokens) == ("max_tokens", CUT, 5)
    with sdk.messages.stream(model="long-chinese", max_tokens=5, messages=[{"role": "user", "content": "hi"}]) as stream:
        assert stream.get_final_message().stop_reason == "max_tokens"


def test_gemini_finishes_with_max_tokens(server: Any, closing: Any):
    sdk = closing(genai.Client(api_key="x", http_options=types.HttpOptions(base_url=server.url)))
    config = types.GenerateContentConfig(max_output_tokens=5)
    response = sdk.models.generate_content(model="long-chinese", contents="hi", config=config)
    assert (response.candidates[0].finish_reason, response.text) == ("MAX_TOKENS", CUT)
    chunks = list(sdk.models.generate_content_stream(model="long-chinese", contents="hi", config=config))
    assert chunks[-1].candidates[0].finish_reason == "MAX_TOKENS" and "".join(c.text or "" for c in chunks) == CUT


def test_ollama_is_done_for_length(server: Any, closing: Any):
    client = closing(ollama.Client(host=server.url))
    answer = client.chat(model="long-chinese", messages=[{"role": "user", "content": "hi"}], options={"num_predict": 5}, stream=False)
    assert (answer.done_reason, answer.message.content, answer.eval_count) == ("length", CUT, 5)
    last = list(client.chat(model="long-chinese", messages=[{"role": "user", "content": "hi"}], options={"num_predict": 5}, stream=True))[-1]
    assert last.done_reason == "length"


# ── a tool call cut short, on routes that send arguments as an object ──────────

WEATHER = {"type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer"}}, "required": ["city", "days"]}


@pytest.fixture
async def client(aiohttp_client: Any) -> Any:
    return await aiohttp_client(create_app(ServerConfig(scenarios=SCENARIOS, speed=0, seed=1)))


async def test_gemini_and_ollama_leave_a_cut_call_out_and_the_ai_sdk_reports_its_input_error(client: Any) -> None:
    headers = {"X-Mock-Scenario": "tool-call"}
    gemini = {"contents": [{"parts": [{"text": "hi"}]}], "tools": [{"functionDeclarations": [{"name": "f", "parametersJsonSchema": WEATHER}]}]}
    gemini["generationConfig"] = {"maxOutputTokens": 3}
    answer = await (await client.post("/v1beta/models/m:generateContent", json=gemini, headers=headers)).json()
    assert answer["candidates"][0]["finishReason"] == "MAX_TOKENS" and answer["candidates"][0]["content"] == {"role": "model"}
    tools = [{"type": "function", "function": {"name": "f", "parameters": WEATHER}}]
    ollama = {"model": "m", "messages": [{"role": "user", "content": "hi"}], "tools": tools, "stream": False, "options": {"num_predict": 3}}
    done = await (await client.post("/api/chat", json=ollama, headers=headers)).json()
    assert done["done_reason"] == "length" and "tool_calls" not in done["message"]
    ui = {"model": "m", "messages": [{"id": "u", "role": "user", "parts": [{"type": "text", "text": "hi"}]}], "maxOutputTokens": 20}
    raw = (await (await client.post("/ai-sdk/chat", json=ui, headers={"X-Mock-Scenario": "tool-with-output"})).read()).decode()
    parts = [json.loads(line[6:]) for line in raw.splitlines() if line.startswith("data: {")]  # 15 tokens of reasoning, 5 of arguments
    [failed] = [part for part in parts if part["type"] == "tool-input-error"]
    assert failed["input"] == '{"city":' and failed["toolName"] == "get_weather"
    assert not any(part["type"] in ("tool-input-available", "tool-output-available", "text-delta") for part in parts)
    assert parts[-1] == {"type": "finish", "finishReason": "length"}
