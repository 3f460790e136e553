"""LlamaIndex (llama-index-llms-openai) against mockllm: streaming, its tool calling, structured prediction, errors."""

from __future__ import annotations

import llama_index.llms.openai  # noqa: F401 - installed by the test command with --no-deps (docs/frameworks.md)
import openai
import pytest
from framework_leaks import collect_what_the_framework_left_open  # noqa: F401 (an autouse fixture)
from llama_index.core.llms import ChatMessage  # noqa: E402
from llama_index.core.prompts import PromptTemplate  # noqa: E402
from llama_index.core.tools import FunctionTool  # noqa: E402
from llama_index.llms.openai import OpenAI  # noqa: E402
from pydantic import BaseModel

HELLO = "你好！我是 mockllm，一个用于测试的模拟大模型。Hello! How can I help you today?"


class Weather(BaseModel):
    city: str
    temperature: int


def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"{city}: sunny, 25°C"


def llm(mockllm, scenario: str | None = None) -> OpenAI:
    """LlamaIndex's OpenAI LLM (it knows only OpenAI's model names; a header picks the scenario)."""
    headers = {**mockllm.headers, **({"X-Mock-Scenario": scenario} if scenario else {})}
    return OpenAI(model="gpt-4o-mini", api_base=mockllm.openai_base_url, api_key="mockllm", default_headers=headers, max_retries=0)


def test_streamed_text_arrives_in_order(mockllm):
    deltas = [chunk.delta for chunk in llm(mockllm, "hello").stream_chat([ChatMessage(role="user", content="hi")])]
    assert "".join(deltas) == HELLO and len(deltas) > 5


def test_predict_and_call_runs_the_tool(mockllm):
    tool = FunctionTool.from_defaults(fn=get_weather)
    response = llm(mockllm).predict_and_call([tool], "What is the weather in Beijing?")
    assert response.response.endswith("sunny, 25°C")
    assert response.sources[0].tool_name == "get_weather"


def test_structured_predict_gets_a_valid_object(mockllm):
    weather = llm(mockllm, "hello").structured_predict(Weather, PromptTemplate("Weather in {city}?"), city="Beijing")
    assert isinstance(weather, Weather)


def test_a_rate_limit_raises_the_sdk_rate_limit_error(mockllm):
    with pytest.raises(openai.RateLimitError):
        llm(mockllm, "rate-limited").complete("hi")


def test_a_midstream_error_raises_after_the_partial_text(mockllm):
    seen = []
    with pytest.raises(openai.APIError, match="The server had an error"):
        for chunk in llm(mockllm, "midstream-error").stream_chat([ChatMessage(role="user", content="hi")]):
            seen.append(chunk.delta)
    assert "".join(seen).startswith("好的，我先回答一部分")
