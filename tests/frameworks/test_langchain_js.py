"""LangChain.js (@langchain/openai, @langchain/anthropic) against mockllm: streaming, a tool loop, structured output, errors."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from node_frameworks import require, run

require("@langchain/openai", "@langchain/anthropic", "@langchain/core", "zod")

HELLO = "你好！我是 mockllm，一个用于测试的模拟大模型。Hello! How can I help you today?"


@pytest.fixture(scope="module")
def seen(mockllm_server: str) -> dict[str, Any]:
    """One run of the script (a few seconds) for the whole module, in its own session."""
    from mockllm.testing.pytest_plugin import Mockllm

    handle = Mockllm(mockllm_server, f"langchain-js-{uuid.uuid4().hex[:8]}")
    out = run("frameworks_langchain.mjs", handle)
    handle.reset()
    return out


@pytest.mark.parametrize("model", ["openai", "anthropic"])
def test_streamed_text_arrives_in_chunks(seen: dict[str, Any], model: str):
    assert seen[model]["text"]["text"] == HELLO and seen[model]["text"]["chunks"] > 5 and seen[model]["text"]["error"] is None


@pytest.mark.parametrize("model", ["openai", "anthropic"])
def test_bound_tools_are_called_then_the_answer_quotes_the_result(seen: dict[str, Any], model: str):
    assert seen[model]["tools"]["calls"] == ["get_weather"] and "sunny, 25°C" in seen[model]["tools"]["answer"]


@pytest.mark.parametrize("method", ["structured", "functionCalling"])
@pytest.mark.parametrize("model", ["openai", "anthropic"])
def test_structured_output_is_a_valid_object(seen: dict[str, Any], model: str, method: str):
    weather = seen[model][method]["object"]
    assert isinstance(weather["city"], str) and isinstance(weather["temperature"], int)


@pytest.mark.parametrize("model", ["openai", "anthropic"])
def test_a_rate_limit_is_the_sdk_rate_limit_error(seen: dict[str, Any], model: str):
    assert (seen[model]["rateLimit"]["name"], seen[model]["rateLimit"]["status"]) == ("RateLimitError", 429)


@pytest.mark.parametrize(("model", "text"), [("openai", "The server had an error"), ("anthropic", "Internal server error")])
def test_a_midstream_error_raises_after_the_partial_text(seen: dict[str, Any], model: str, text: str):
    midstream = seen[model]["midstream"]
    assert midstream["text"].startswith("好的，我先回答一部分") and midstream["error"]["name"] == "APIError" and text in midstream["error"]["message"]
