"""From Node: the AI SDK's Bedrock provider (Converse and its Anthropic invoke provider) and Vertex providers against a live server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from node_clients import run_node
from test_gemini_node import ANSWER, HELLO, PARTIAL, THOUGHTS

from mockllm.scenarios.presets import PROVIDER_PRESETS


@pytest.fixture(scope="module")
def seen() -> Iterator[dict[str, Any]]:
    yield run_node("cloud_clients.mjs")


def test_bedrock_streams_text_with_usage(seen: dict[str, Any]) -> None:
    text = seen["bedrock"]["text"]
    assert (text["text"], text["finishReason"]) == (HELLO, "stop")
    assert text["usage"]["totalTokens"] == text["usage"]["inputTokens"] + text["usage"]["outputTokens"] > 0


def test_bedrock_reaches_an_inference_profile_id(seen: dict[str, Any]) -> None:
    assert seen["bedrock"]["inferenceProfile"]["finishReason"] == "stop" and "error" not in seen["bedrock"]["inferenceProfile"]


def test_bedrock_reads_reasoning_apart_from_the_answer(seen: dict[str, Any]) -> None:
    reasoning = seen["bedrock"]["reasoning"]
    assert (reasoning["reasoning"], reasoning["text"]) == (THOUGHTS, ANSWER)


def test_bedrock_reads_a_tool_call(seen: dict[str, Any]) -> None:
    tool = seen["bedrock"]["tool"]
    assert [call["name"] for call in tool["calls"]] == ["get_weather"] and tool["calls"][0]["input"]["city"] in ("北京", "上海")
    assert tool["finishReason"] == "tool-calls"


def test_bedrock_errors_before_and_after_the_first_byte(seen: dict[str, Any]) -> None:
    limited, midstream = seen["bedrock"]["rateLimited"], seen["bedrock"]["midstream"]
    assert (limited["error"]["status"], limited["error"]["message"]) == (429, PROVIDER_PRESETS["Bedrock"]["rate_limited"].message)
    assert midstream["text"] == PARTIAL and (midstream["error"]["status"], midstream["error"]["message"]) == (
        500,
        PROVIDER_PRESETS["Bedrock"]["server_error"].message,
    )


def test_bedrock_anthropic_provider_reads_the_invoke_stream(seen: dict[str, Any]) -> None:
    claude = seen["bedrockAnthropic"]
    assert (claude["text"]["text"], claude["text"]["finishReason"]) == (HELLO, "stop")
    assert [call["name"] for call in claude["tool"]["calls"]] == ["get_weather"] and claude["tool"]["finishReason"] == "tool-calls"
    assert claude["midstream"]["text"] == PARTIAL and claude["midstream"]["error"]["status"] == 500


def test_vertex_gemini_and_anthropic_stream_text(seen: dict[str, Any]) -> None:
    assert seen["vertex"]["text"]["text"] == HELLO and seen["vertexAnthropic"]["text"]["text"] == HELLO
    assert seen["vertex"]["rateLimited"]["error"]["status"] == 429
    assert [call["name"] for call in seen["vertexAnthropic"]["tool"]["calls"]] == ["get_weather"]
