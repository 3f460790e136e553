"""The AI SDK providers (@ai-sdk/openai Chat and Responses, openai-compatible, anthropic, google) against mockllm."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from node_frameworks import require, run

require("ai", "@ai-sdk/openai", "@ai-sdk/openai-compatible", "@ai-sdk/anthropic", "@ai-sdk/google")

HELLO = "你好！我是 mockllm，一个用于测试的模拟大模型。Hello! How can I help you today?"
PROVIDERS = ["openai", "responses", "compatible", "anthropic", "google"]
MIDSTREAM = {
    "openai": "The server had an error",
    "responses": "The server had an error",
    "compatible": "The server had an error",
    "anthropic": "Internal server error",
    "google": "An internal error has occurred",
}


@pytest.fixture(scope="module")
def seen(mockllm_server: str) -> dict[str, Any]:
    """One run of the script (a few seconds) for the whole module, in its own session."""
    from mockllm.testing.pytest_plugin import Mockllm

    handle = Mockllm(mockllm_server, f"ai-sdk-providers-{uuid.uuid4().hex[:8]}")
    out = run("frameworks_ai_sdk.mjs", handle)
    out["journal"] = handle.journal()
    handle.reset()
    return out


@pytest.mark.parametrize("provider", PROVIDERS)
def test_stream_text_arrives_in_deltas(seen: dict[str, Any], provider: str):
    text = seen[provider]["text"]
    assert (text["text"], text["finishReason"], text["errors"]) == (HELLO, "stop", []) and text["deltas"] > 5


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_two_step_tool_loop_answers_with_the_result(seen: dict[str, Any], provider: str):
    agent = seen[provider]["agent"]
    assert agent["calls"] == ["get_weather"] and "sunny, 25°C" in agent["text"] and agent["finishReason"] == "stop"


@pytest.mark.parametrize("provider", ["openai", "responses", "anthropic", "google"])
def test_generate_object_gets_a_valid_object(seen: dict[str, Any], provider: str):
    weather = seen[provider]["object"]["object"]
    assert isinstance(weather["city"], str) and isinstance(weather["temperature"], int)


def test_anthropic_generate_object_on_a_current_model_uses_structured_output(seen: dict[str, Any]):
    weather = seen["anthropic"]["currentModelObject"]["object"]
    assert isinstance(weather["city"], str) and isinstance(weather["temperature"], int)
    bodies = [entry["body"] for entry in seen["journal"] if entry["path"] == "/v1/messages" and entry["body"].get("model") == "claude-sonnet-4-5"]
    assert any("output_config" in body or "output_format" in body or "tool_choice" in body for body in bodies)


def test_openai_compatible_json_mode_gets_openai_s_json_word_400_unless_structured_outputs(seen: dict[str, Any]):
    """As in production: the provider sends `json_object` with no "json" in the prompt; with structured outputs it works."""
    assert "must contain the word 'json'" in seen["compatible"]["object"]["error"]
    weather = seen["compatible"]["strictObject"]["object"]
    assert isinstance(weather["city"], str) and isinstance(weather["temperature"], int)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_rate_limit_is_an_api_call_error_with_429(seen: dict[str, Any], provider: str):
    assert (seen[provider]["rateLimit"]["name"], seen[provider]["rateLimit"]["status"]) == ("APICallError", 429)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_midstream_error_ends_the_stream_after_the_partial_text(seen: dict[str, Any], provider: str):
    midstream = seen[provider]["midstream"]
    assert midstream["text"].startswith("好的，我先回答一部分") and midstream["finishReason"] == "error"
    assert MIDSTREAM[provider] in midstream["errors"][0]
