"""Tool choice: a forced choice is answered with a call of the forced tool, `none` with no call, on every route."""

from __future__ import annotations

import json
from typing import Any

import anthropic
import jsonschema
import openai
import pytest
from google import genai
from google.genai import types

from mockllm.core.events import Error, Event, Finish, Text, Think, ToolCall
from mockllm.core.request import ChatRequest, Tool
from mockllm.scenarios.scenario import Scenario
from mockllm.stream.call import Call
from mockllm.stream.compile import compile_scenario
from mockllm.stream.transforms.tool_choice import obey_tool_choice

WEATHER = {"type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer", "minimum": 1, "maximum": 7}}, "required": ["city", "days"]}
ANSWER = {"type": "object", "properties": {"answer": {"type": "string"}}, "required": ["answer"]}
TOOLS = (Tool("get_weather", "", WEATHER), Tool("final_answer", "", ANSWER))
SEED = {"X-Mock-Seed": "3"}


def events(steps: list[Any], choice: str | None, forced: str | None = None, **fields: Any) -> list[Event]:
    scenario = Scenario.model_validate({"schema": 1, "name": "t", "description": "t", "steps": steps, **fields})
    chat = ChatRequest(messages=(("user", "hi"),), tools=TOOLS, tool_choice=choice, forced_tool=forced)
    call = Call(chat, scenario, seed=3, seeded=True, speed=0, stream_config=scenario.stream)
    return list(obey_tool_choice(compile_scenario(scenario, call), call))


def calls(out: list[Event]) -> list[ToolCall]:
    return [event for event in out if isinstance(event, ToolCall)]


# ── the transform ──────────────────────────────────────────────────────────────


def test_a_named_tool_replaces_the_text_with_its_call_drawn_from_its_schema():
    out = events([{"think": "hmm"}, {"say": "hello"}], "required", "get_weather")
    [call] = calls(out)
    assert call.name == "get_weather" and call.index == 0 and call.id is None
    jsonschema.validate(json.loads(call.arguments), WEATHER)
    assert out[0] == Think("hmm") and out[-1] == Finish("tool_calls")
    assert not any(isinstance(event, Text) for event in out)


def test_the_arguments_are_seeded_like_from_schema():
    forced = calls(events([{"say": "hello"}], "required", "get_weather"))[0].arguments
    generated = calls(events([{"tool_call": {"name": "get_weather", "arguments": {"from_schema": True}}}], None))[0].arguments
    assert forced == generated


def test_required_alone_calls_the_last_tool_offered():
    assert [call.name for call in calls(events([{"say": "hello"}], "required"))] == ["final_answer"]


def test_an_answer_that_calls_a_tool_or_fails_is_left_as_it_is():
    called = [{"say": "ok"}, {"tool_call": {"name": "get_weather", "arguments": {"city": "北京", "days": 1}}}]
    assert events(called, "required", "final_answer") == events(called, None)
    failing = [{"say": "ok"}, {"error": "server_error"}]
    assert [type(event) for event in events(failing, "required")] == [Text, Error]


def test_none_drops_the_calls_and_keeps_the_text():
    steps = [{"say": "好的。"}, {"tool_call": {"name": "get_weather", "arguments": {"city": "北京", "days": 1}}}]
    assert events(steps, "none") == [Text("好的。"), Finish("stop")]
    assert events([{"tool_call": {"name": "get_weather", "arguments": {}}}], "none") == [Finish("stop")]


def test_a_scenario_can_ignore_the_choice():
    assert events([{"say": "hello"}], "required", "get_weather", tool_choice="as_is") == [Text("hello")]

# ── every route, with the official SDKs ────────────────────────────────────────

CHAT_TOOLS = [{"type": "function", "function": {"name": "get_weather", "parameters": WEATHER}}]


@pytest.fixture
def server(live_server: Any) -> Any:
    return live_server()


@pytest.mark.parametrize("choice", ["required", {"type": "function", "function": {"name": "get_weather"}}], ids=["required", "named"])
def test_chat_forced_choice_gets_the_tool_call(server: Any, closing: Any, choice: Any):
    sdk = closing(openai.OpenAI(base_url=server.url + "/v1", api_key="x", max_retries=0))
    choice_of = sdk.chat.completions.create(model="hello", messages=[{"role": "user", "content": "hi"}], tools=CHAT_TOOLS, tool_choice=choice, extra_headers=SEED).choices[0]
    assert choice_of.finish_reason == "tool_calls" and choice_of.message.content is None
    jsonschema.validate(json.loads(choice_of.message.tool_calls[0].function.arguments), WEATHER)
    streamed = sdk.chat.completions.create(model="hello", messages=[{"role": "user", "content": "hi"}], tools=CHAT_TOOLS, tool_choice=choice, stream=True, extra_headers=SEED)
    chunks = list(streamed)
    assert chunks[-1].choices[0].finish_reason == "tool_calls"
    arguments = "".join(c.choices[0].delta.tool_calls[0].function.arguments or "" for c in chunks if c.choices[0].delta.tool_calls)
    assert arguments == choice_of.message.tool_calls[0].function.arguments


def test_chat_none_gets_text_and_as_is_scenarios_keep_theirs(server: Any, closing: Any):
    sdk = closing(openai.OpenAI(base_url=server.url + "/v1", api_key="x", max_retries=0))
    answer = sdk.chat.completions.create(model="tool-call", messages=[{"role": "user", "content": "hi"}], tools=CHAT_TOOLS, tool_choice="none").choices[0]
    assert (answer.finish_reason, answer.message.tool_calls, answer.message.content) == ("stop", None, "")


def test_responses_forced_choice_gets_a_function_call(server: Any, closing: Any):
    sdk = closing(openai.OpenAI(base_url=server.url + "/v1", api_key="x", max_retries=0))
    tools = [{"type": "function", "name": "get_weather", "parameters": WEATHER, "strict": False}]
    response = sdk.responses.create(model="hello", input="hi", tools=tools, tool_choice={"type": "function", "name": "get_weather"}, extra_headers=SEED)
    [item] = response.output
    assert item.type == "function_call" and item.name == "get_weather" and response.status == "completed"
    jsonschema.validate(json.loads(item.arguments), WEATHER)


def test_azure_forced_choice_gets_the_tool_call(server: Any, closing: Any):
    sdk = closing(openai.AzureOpenAI(azure_endpoint=server.url, api_key="x", api_version="2024-10-21", max_retries=0))
    answer = sdk.chat.completions.create(model="hello", messages=[{"role": "user", "content": "hi"}], tools=CHAT_TOOLS, tool_choice="required").choices[0]
    assert answer.finish_reason == "tool_calls" and answer.message.tool_calls[0].function.name == "get_weather"


@pytest.mark.parametrize("choice", [{"type": "any"}, {"type": "tool", "name": "get_weather"}], ids=["any", "tool"])
def test_anthropic_forced_choice_gets_a_tool_use(server: Any, closing: Any, choice: dict[str, Any]):
    sdk = closing(anthropic.Anthropic(base_url=server.url, api_key="x", max_retries=0))
    tools = [{"name": "get_weather", "input_schema": WEATHER}]
    message = sdk.messages.create(model="hello", max_tokens=100, messages=[{"role": "user", "content": "hi"}], tools=tools, tool_choice=choice)
    assert message.stop_reason == "tool_use" and [block.type for block in message.content] == ["tool_use"]
    jsonschema.validate(message.content[0].input, WEATHER)
    with sdk.messages.stream(model="hello", max_tokens=100, messages=[{"role": "user", "content": "hi"}], tools=tools, tool_choice=choice) as stream:
        final = stream.get_final_message()
    assert final.stop_reason == "tool_use" and final.content[0].name == "get_weather"


def test_anthropic_none_answers_without_a_tool_use(server: Any, closing: Any):
    sdk = closing(anthropic.Anthropic(base_url=server.url, api_key="x", max_retries=0))
    tools = [{"name": "get_weather", "input_schema": WEATHER}]
    message = sdk.messages.create(model="agent-call-tool", max_tokens=100, messages=[{"role": "user", "content": "hi"}], tools=tools, tool_choice={"type": "none"})
    assert message.stop_reason == "end_turn" and [block.type for block in message.content] == ["text"]


def test_gemini_mode_any_gets_a_function_call(server: Any, closing: Any):
    sdk = closing(genai.Client(api_key="x", http_options=types.HttpOptions(base_url=server.url)))
    declaration = types.FunctionDeclaration(name="get_weather", parameters_json_schema=WEATHER)
    config = types.GenerateContentConfig(
        tools=[types.Tool(function_declarations=[declaration])],
        tool_config=types.ToolConfig(function_calling_config=types.FunctionCallingConfig(mode="ANY")),
    )
    response = sdk.models.generate_content(model="hello", contents="hi", config=config)
    [call] = response.function_calls
    assert call.name == "get_weather" and response.candidates[0].finish_reason == "STOP"
    jsonschema.validate(call.args, WEATHER)
