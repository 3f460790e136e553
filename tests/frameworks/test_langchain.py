"""LangChain (langchain-openai, langchain-anthropic) against mockllm: streaming, a tool loop, structured output, errors."""

from __future__ import annotations

import json

import langchain_openai  # the frameworks extra
import openai
import pytest
from framework_leaks import collect_what_the_framework_left_open  # noqa: F401 (an autouse fixture)
from langchain_core.messages import HumanMessage, ToolMessage  # noqa: E402
from langchain_core.tools import tool  # noqa: E402
from pydantic import BaseModel

HELLO = "你好！我是 mockllm，一个用于测试的模拟大模型。Hello! How can I help you today?"


class Weather(BaseModel):
    city: str
    temperature: int


@tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"{city}: sunny, 25°C"


def chat(mockllm, model: str, **options):
    return langchain_openai.ChatOpenAI(
        model=model, base_url=mockllm.openai_base_url, api_key="mockllm", default_headers=mockllm.headers, max_retries=0, **options
    )


def test_streamed_text_arrives_in_order(mockllm):
    chunks = list(chat(mockllm, "hello").stream("hi"))
    assert "".join(chunk.content for chunk in chunks) == HELLO
    assert len([chunk for chunk in chunks if chunk.content]) > 5


def test_a_tool_loop_calls_the_tool_then_answers_with_its_result(mockllm):
    llm = chat(mockllm, "gpt-4o-mini").bind_tools([get_weather])
    messages = [HumanMessage("What is the weather in Beijing?")]
    first = llm.invoke(messages)
    assert [call["name"] for call in first.tool_calls] == ["get_weather"]
    messages += [first, ToolMessage(get_weather.invoke(first.tool_calls[0]["args"]), tool_call_id=first.tool_calls[0]["id"])]
    answer = llm.invoke(messages)
    assert answer.tool_calls == [] and "sunny, 25°C" in answer.content


def test_structured_output_by_default_is_a_valid_object(mockllm):
    weather = chat(mockllm, "hello").with_structured_output(Weather).invoke("weather in Beijing?")
    assert isinstance(weather, Weather)
    body = mockllm.journal()[-1]["body"]
    assert body["response_format"]["type"] == "json_schema"


def test_function_calling_structured_output_gets_the_forced_tool(mockllm):
    weather = chat(mockllm, "hello").with_structured_output(Weather, method="function_calling").invoke("weather in Beijing?")
    assert isinstance(weather, Weather)
    assert mockllm.journal()[-1]["body"]["tool_choice"]["function"]["name"] == "Weather"


def test_json_mode_follows_the_schema_in_the_prompt(mockllm):
    schema = json.dumps(Weather.model_json_schema())
    llm = chat(mockllm, "hello").with_structured_output(Weather, method="json_mode")
    weather = llm.invoke([("system", f"Answer in JSON matching this schema: {schema}"), ("user", "weather in Beijing?")])
    assert isinstance(weather, Weather)


def test_a_rate_limit_raises_the_sdk_rate_limit_error(mockllm):
    with pytest.raises(openai.RateLimitError):
        chat(mockllm, "rate-limited").invoke("hi")


def test_a_midstream_error_raises_after_the_partial_text(mockllm):
    seen = []
    with pytest.raises(openai.APIError):
        for chunk in chat(mockllm, "midstream-error").stream("hi"):
            seen.append(chunk.content)
    assert "".join(seen).startswith("好的，我先回答一部分")
