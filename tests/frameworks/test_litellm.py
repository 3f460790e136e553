"""LiteLLM against mockllm: streaming, a tool loop, structured output, errors (OpenAI and Anthropic routes)."""

from __future__ import annotations

import json
import os

import pytest
from framework_leaks import collect_what_the_framework_left_open  # noqa: F401 (an autouse fixture)
from pydantic import BaseModel

pytestmark = pytest.mark.filterwarnings("ignore:Item.* `ReadOnly` qualifier:UserWarning")

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # no fetch of the price list at import: there is no network in CI
import litellm  # noqa: E402 - the frameworks extra; imported after LITELLM_LOCAL_MODEL_COST_MAP is set
from litellm.exceptions import MidStreamFallbackError  # noqa: E402

HELLO = "你好！我是 mockllm，一个用于测试的模拟大模型。Hello! How can I help you today?"
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather in a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}


class Weather(BaseModel):
    city: str
    temperature: int


def complete(mockllm, model: str, **options):
    return litellm.completion(
        model=f"openai/{model}", api_base=mockllm.openai_base_url, api_key="mockllm", extra_headers=mockllm.headers, num_retries=0, **options
    )


def test_streamed_text_arrives_in_order(mockllm):
    chunks = list(complete(mockllm, "hello", messages=[{"role": "user", "content": "hi"}], stream=True))
    assert "".join(chunk.choices[0].delta.content or "" for chunk in chunks) == HELLO
    assert chunks[-1].choices[0].finish_reason == "stop"


def test_a_tool_loop_calls_the_tool_then_answers_with_its_result(mockllm):
    messages = [{"role": "user", "content": "What is the weather in Beijing?"}]
    first = complete(mockllm, "gpt-4o-mini", messages=messages, tools=[WEATHER_TOOL]).choices[0]
    assert first.finish_reason == "tool_calls"
    call = first.message.tool_calls[0]
    assert call.function.name == "get_weather" and isinstance(json.loads(call.function.arguments)["city"], str)
    messages += [first.message.model_dump(), {"role": "tool", "tool_call_id": call.id, "content": "sunny, 25°C"}]
    answer = complete(mockllm, "gpt-4o-mini", messages=messages, tools=[WEATHER_TOOL]).choices[0]
    assert answer.finish_reason == "stop" and "sunny, 25°C" in answer.message.content


def test_structured_output_by_default_is_a_valid_object(mockllm):
    answer = complete(mockllm, "hello", messages=[{"role": "user", "content": "weather in Beijing?"}], response_format=Weather)
    Weather.model_validate_json(answer.choices[0].message.content)


def test_anthropic_structured_output_is_a_valid_object(mockllm):
    answer = litellm.completion(
        model="anthropic/claude-sonnet-4-5",
        api_base=mockllm.base_url,
        api_key="mockllm",
        extra_headers={**mockllm.headers, "X-Mock-Scenario": "hello"},
        messages=[{"role": "user", "content": "weather in Beijing?"}],
        response_format=Weather,
    )
    Weather.model_validate_json(answer.choices[0].message.content)


def test_a_forced_tool_choice_gets_the_tool_call(mockllm):
    forced = {"type": "function", "function": {"name": "get_weather"}}
    answer = complete(mockllm, "hello", messages=[{"role": "user", "content": "hi"}], tools=[WEATHER_TOOL], tool_choice=forced).choices[0]
    assert answer.finish_reason == "tool_calls"
    assert json.loads(answer.message.tool_calls[0].function.arguments).keys() >= {"city"}


def test_a_rate_limit_raises_litellm_rate_limit_error(mockllm):
    with pytest.raises(litellm.RateLimitError):
        complete(mockllm, "rate-limited", messages=[{"role": "user", "content": "hi"}], max_retries=0)


def test_a_midstream_error_raises_after_the_partial_text(mockllm):
    seen = []
    with pytest.raises(MidStreamFallbackError, match="The server had an error"):
        for chunk in complete(mockllm, "midstream-error", messages=[{"role": "user", "content": "hi"}], stream=True, max_retries=0):
            seen.append(chunk.choices[0].delta.content or "")
    assert "".join(seen).startswith("好的，我先回答一部分")
