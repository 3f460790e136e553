"""From Node: the ollama JavaScript client against a live server (tests/browser/ollama_client.mjs)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from node_clients import run_node
from test_gemini_node import ANSWER, HELLO, PARTIAL, THOUGHTS

from mockllm.scenarios.presets import PROVIDER_PRESETS

OLLAMA = PROVIDER_PRESETS["Ollama"]


@pytest.fixture(scope="module")
def seen() -> Iterator[dict[str, Any]]:
    yield run_node("ollama_client.mjs")


def test_a_streamed_chat_ends_with_done_reason_and_timings(seen: dict[str, Any]) -> None:
    chat = seen["chat"]
    assert (chat["content"], chat["doneReason"]) == (HELLO, "stop") and chat["evalCount"] > 0 and chat["totalDuration"] > 0


def test_thinking_and_content_arrive_apart(seen: dict[str, Any]) -> None:
    assert (seen["thinking"]["thinking"], seen["thinking"]["content"]) == (THOUGHTS, ANSWER)


def test_a_tool_call_has_object_arguments(seen: dict[str, Any]) -> None:
    [call] = seen["tool"]["calls"]
    assert call["function"]["name"] == "get_weather" and call["function"]["arguments"]["city"] in ("北京", "上海")


def test_errors_raise_before_and_after_the_first_byte(seen: dict[str, Any]) -> None:
    limited, midstream = seen["rateLimited"], seen["midstream"]
    assert (limited["error"]["name"], limited["error"]["status"]) == ("ResponseError", 429) and limited["error"]["message"] == OLLAMA["rate_limited"].message
    assert midstream["content"] == PARTIAL and midstream["error"]["message"] == OLLAMA["server_error"].message


def test_generate_the_tool_loop_and_the_listings(seen: dict[str, Any]) -> None:
    assert seen["generate"] == {"response": HELLO, "done": True}
    assert seen["toolLoop"] == {"call": "get_weather", "answer": "根据 get_weather 的结果：晴，25°C"}
    assert "hello:latest" in seen["models"] and seen["version"] == "0.12.6"
