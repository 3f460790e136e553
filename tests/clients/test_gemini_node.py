"""From Node: @google/genai and the AI SDK's @ai-sdk/google (`streamText`) against a live server (tests/browser/gemini_clients.mjs)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from node_clients import run_node

from mockllm.scenarios.presets import PROVIDER_PRESETS

HELLO = "你好！我是 mockllm，一个用于测试的模拟大模型。Hello! How can I help you today?"
THOUGHTS = "用户想知道我是谁。I should introduce myself in one short sentence."
ANSWER = "我是 mockllm，一个用于测试的模拟模型。I am a mock model for tests."
PARTIAL = "好的，我先回答一部分，The answer starts"


@pytest.fixture(scope="module")
def seen() -> Iterator[dict[str, Any]]:
    yield run_node("gemini_clients.mjs")


def test_google_genai_streams_text_and_answers_whole(seen: dict[str, Any]) -> None:
    assert seen["genai"]["text"] == {"text": HELLO, "finishReason": "STOP"} and seen["genai"]["whole"] == HELLO


def test_google_genai_reads_thought_parts_apart_from_the_answer(seen: dict[str, Any]) -> None:
    assert seen["genai"]["thoughts"] == {"text": ANSWER, "thoughts": THOUGHTS, "finishReason": "STOP"}


def test_google_genai_reads_a_function_call(seen: dict[str, Any]) -> None:
    [call] = seen["genai"]["tool"]["calls"]
    assert call["name"] == "get_weather" and call["args"]["city"] in ("北京", "上海")


def test_google_genai_raises_api_errors_with_the_status(seen: dict[str, Any]) -> None:
    limited, midstream = seen["genai"]["rateLimited"], seen["genai"]["midstream"]
    assert (limited["error"]["name"], limited["error"]["status"]) == ("ApiError", 429) and "RESOURCE_EXHAUSTED" in limited["error"]["message"]
    assert midstream["text"] == PARTIAL and (midstream["error"]["status"], "INTERNAL" in midstream["error"]["message"]) == (500, True)


def test_google_genai_runs_the_two_turn_tool_loop(seen: dict[str, Any]) -> None:
    assert seen["genai"]["toolLoop"] == {"call": "get_weather", "answer": '根据 get_weather 的结果：{"result":"晴，25°C"}'}


def test_ai_sdk_stream_text_reads_text_and_usage(seen: dict[str, Any]) -> None:
    text = seen["aiSdk"]["text"]
    assert (text["text"], text["finishReason"]) == (HELLO, "stop")
    assert text["usage"]["totalTokens"] == text["usage"]["inputTokens"] + text["usage"]["outputTokens"] > 0


def test_ai_sdk_reads_reasoning_and_counts_its_tokens(seen: dict[str, Any]) -> None:
    reasoning = seen["aiSdk"]["reasoning"]
    assert (reasoning["reasoning"], reasoning["text"]) == (THOUGHTS, ANSWER) and reasoning["usage"]["outputTokenDetails"]["reasoningTokens"] > 0


def test_ai_sdk_reads_a_tool_call_and_finishes_with_tool_calls(seen: dict[str, Any]) -> None:
    tool = seen["aiSdk"]["tool"]
    assert [call["name"] for call in tool["calls"]] == ["get_weather"] and tool["finishReason"] == "tool-calls"


def test_ai_sdk_surfaces_errors_before_and_after_the_first_byte(seen: dict[str, Any]) -> None:
    limited, midstream = seen["aiSdk"]["rateLimited"], seen["aiSdk"]["midstream"]
    assert (limited["error"]["name"], limited["error"]["status"]) == ("AI_APICallError", 429)
    assert midstream["text"] == PARTIAL and midstream["error"]["message"] == PROVIDER_PRESETS["Gemini"]["server_error"].message


def test_ai_sdk_finishes_a_blocked_prompt_with_content_filter(seen: dict[str, Any]) -> None:
    filtered = seen["aiSdk"]["filtered"]
    assert (filtered["text"], filtered["finishReason"], "error" in filtered) == ("", "content-filter", False)


def test_ai_sdk_retries_advance_an_attempts_scenario(seen: dict[str, Any]) -> None:
    assert seen["aiSdk"]["retries"] == {"text": HELLO}
