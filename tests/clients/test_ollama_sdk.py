"""The official ollama Python client against a live server: chat and generate, streamed and whole, tools, thinking, errors."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from ollama import Client, ResponseError

from mockllm.scenarios.presets import PROVIDER_PRESETS
from mockllm.server.state import STATE

QUESTION = [{"role": "user", "content": "你好，请介绍一下你自己。"}]
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather of a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string", "enum": ["北京", "上海"]}}, "required": ["city"]},
    },
}


@pytest.fixture
def server(live_server):
    return live_server()


@pytest.fixture
def ollama(server) -> Iterator[Client]:
    with Client(host=server.url) as client:
        yield client


def test_a_streamed_chat_joins_to_the_whole_answer_and_ends_with_the_timings(ollama):
    parts = list(ollama.chat(model="hello", messages=QUESTION, stream=True))
    whole = ollama.chat(model="hello", messages=QUESTION)  # the client sends stream: false
    assert "".join(part.message.content for part in parts) == whole.message.content and whole.message.content.startswith("你好！我是 mockllm")
    assert [part.done for part in parts] == [False] * (len(parts) - 1) + [True]
    last = parts[-1]
    assert (last.done_reason, last.model) == ("stop", "hello") and last.eval_count > 0 and last.prompt_eval_count > 0
    assert last.total_duration == last.load_duration + last.prompt_eval_duration + last.eval_duration
    assert (whole.eval_count, whole.total_duration) == (last.eval_count, last.total_duration)


def test_the_model_name_with_its_tag_selects_the_scenario_and_is_echoed(ollama, server):
    response = ollama.chat(model="echo:latest", messages=[{"role": "user", "content": "请重复"}])
    assert response.model == "echo:latest" and response.message.content
    assert server.call(lambda: server.app[STATE].journal.entries()[-1]["scenario"]) == "echo"


def test_generate_streams_response_fragments(ollama):
    parts = list(ollama.generate(model="hello", prompt="你好", stream=True))
    whole = ollama.generate(model="hello", prompt="你好")
    assert "".join(part.response for part in parts) == whole.response and whole.response.startswith("你好！我是 mockllm")
    assert parts[-1].done and parts[-1].done_reason == "stop"


def test_thinking_arrives_in_its_own_field_unless_think_is_false(ollama):
    parts = list(ollama.chat(model="think-then-answer", messages=QUESTION, think=True, stream=True))
    thinking = "".join(part.message.thinking or "" for part in parts)
    content = "".join(part.message.content for part in parts)
    assert thinking.startswith("用户想知道我是谁") and content.startswith("我是 mockllm")
    quiet = ollama.chat(model="think-then-answer", messages=QUESTION, think=False)
    assert quiet.message.thinking is None and quiet.message.content == content
    generated = ollama.generate(model="think-then-answer", prompt="你好", think=True)
    assert generated.thinking == thinking and generated.response == content


@pytest.mark.parametrize("stream", [True, False], ids=["stream", "whole"])
def test_a_tool_call_has_arguments_as_an_object(ollama, stream):
    if stream:
        calls = [call for part in ollama.chat(model="tool-call", messages=QUESTION, tools=[WEATHER], stream=True) for call in part.message.tool_calls or ()]
    else:
        calls = ollama.chat(model="tool-call", messages=QUESTION, tools=[WEATHER]).message.tool_calls
    assert [(call.function.name, call.function.arguments["city"] in ("北京", "上海")) for call in calls] == [("get_weather", True)]


def test_a_two_turn_tool_loop_is_driven_by_the_agent_scenarios(ollama, server):
    messages = [{"role": "user", "content": "北京天气怎么样？"}]
    first = ollama.chat(model="llama3.2", messages=messages, tools=[WEATHER])
    [call] = first.message.tool_calls
    messages += [first.message, {"role": "tool", "content": "晴，25°C", "tool_name": call.function.name}]
    answer = "".join(part.message.content for part in ollama.chat(model="llama3.2", messages=messages, tools=[WEATHER], stream=True))
    assert answer == "根据 get_weather 的结果：晴，25°C"
    scenarios = server.call(lambda: [entry["scenario"] for entry in server.app[STATE].journal.entries()[-2:]])
    assert scenarios == ["agent-call-tool", "agent-answer"]


@pytest.mark.parametrize(
    ("scenario", "preset"),
    [("rate-limited", "rate_limited"), ("invalid-api-key", "invalid_api_key"), ("context-length-exceeded", "context_length_exceeded"), ("internal-server-error", "server_error"), ("overloaded", "overloaded")],
)
@pytest.mark.parametrize("stream", [True, False], ids=["stream", "whole"])
def test_an_error_preset_raises_response_error_with_ollamas_status_and_text(ollama, scenario, preset, stream):
    with pytest.raises(ResponseError) as raised:
        if stream:
            list(ollama.chat(model=scenario, messages=QUESTION, stream=True))
        else:
            ollama.chat(model=scenario, messages=QUESTION)
    sent = PROVIDER_PRESETS["Ollama"][preset]
    assert (raised.value.status_code, raised.value.error) == (sent.status, sent.message)


def test_a_midstream_error_raises_after_the_partial_text(ollama):
    received: list[str] = []
    with pytest.raises(ResponseError) as raised:
        for part in ollama.chat(model="midstream-error", messages=QUESTION, stream=True):
            received.append(part.message.content)
    assert "".join(received) == "好的，我先回答一部分，The answer starts"
    assert raised.value.error == PROVIDER_PRESETS["Ollama"]["server_error"].message


def test_the_client_does_not_retry_so_each_call_is_one_attempt(ollama, server):
    for _ in range(2):
        with pytest.raises(ResponseError):
            ollama.chat(model="fail-twice-then-succeed", messages=QUESTION)
    assert ollama.chat(model="fail-twice-then-succeed", messages=QUESTION).message.content.startswith("你好！我是 mockllm")
    statuses = server.call(lambda: [entry["status"] for entry in server.app[STATE].journal.entries()[-3:]])
    assert statuses == [429, 429, 200]


def test_the_local_models_and_the_version_are_listed(ollama):
    names = [model.model for model in ollama.list().models]
    assert "hello:latest" in names and "think-then-answer:latest" in names
    assert ollama.list().models[0].details.format == "gguf"


def test_a_path_no_route_answers_raises_response_error_with_text(ollama):
    for call in (lambda: ollama.embed(model="hello", input="你好"), ollama.ps):
        with pytest.raises(ResponseError) as raised:
            call()
        assert raised.value.status_code == 404 and isinstance(raised.value.error, str) and raised.value.error.startswith("No route ")
