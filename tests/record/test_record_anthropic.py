"""Record and replay Anthropic Messages with the official SDK: streamed thinking, text and tool use, a whole answer, an error."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Iterator

import anthropic
import pytest
from recording import AGENT_LOOP, SECRET, Recording, assert_no_secret, assert_paced_like_the_upstream, recording, step_kinds

MODEL = "claude-sonnet-4-5"
TOOLS: list[Any] = [{"name": "get_weather", "description": "Current weather of a city.", "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}}}]
THINKING: Any = {"type": "enabled", "budget_tokens": 1024}


@pytest.fixture
def servers(tmp_path: Path, live_server: Any) -> Iterator[Recording]:
    with recording(tmp_path, live_server, AGENT_LOOP) as recorded:
        yield recorded


def agent_loop(url: str) -> tuple[str, str, list[tuple[str, str, Any]], str]:
    """Turn 0 streamed (thinking, text, tool use), turn 1 whole with the tool's result: what the SDK gave of each."""
    with anthropic.Anthropic(base_url=url, api_key=SECRET, max_retries=0) as sdk:
        messages: list[Any] = [{"role": "user", "content": "Weather in Paris?"}]
        with sdk.messages.stream(model=MODEL, max_tokens=2048, thinking=THINKING, tools=TOOLS, messages=messages) as stream:
            final = stream.get_final_message()
        thinking = "".join(block.thinking for block in final.content if block.type == "thinking")
        text = "".join(block.text for block in final.content if block.type == "text")
        calls = [(block.id, block.name, block.input) for block in final.content if block.type == "tool_use"]
        messages += [
            {"role": "assistant", "content": [block.model_dump(exclude_none=True) for block in final.content]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": calls[0][0], "content": "sunny"}]},
        ]
        answer = sdk.messages.create(model=MODEL, max_tokens=2048, thinking=THINKING, tools=TOOLS, messages=messages)
    return thinking, text, calls, "".join(block.text for block in answer.content if block.type == "text")


def test_a_streamed_agent_loop_with_thinking_replays_the_same(servers: Recording) -> None:
    live = agent_loop(servers.recorder.url)
    thinking, text, [(call_id, name, arguments)], answer = live
    assert (thinking, text, name, arguments, answer) == ("The user wants the weather in Paris, so I call the tool.", "Let me look that up.", "get_weather", {"city": "Paris"}, "It is sunny in Paris.")
    assert call_id.startswith("toolu_")
    assert agent_loop(servers.replay().url) == live


def test_each_turn_is_a_scenario_with_its_steps_and_the_pacing_measured(servers: Recording) -> None:
    agent_loop(servers.recorder.url)
    first, second = servers.conversation("weather-in-paris")
    assert [(turn["match"], step_kinds(turn)) for turn in (first, second)] == [
        ({"message": r"^Weather in Paris\?$", "turn": 0, "model": f"^{MODEL}$"}, ["think", "say", "tool_call"]),
        ({"message": r"^Weather in Paris\?$", "turn": 1, "model": f"^{MODEL}$"}, ["say"]),
    ]
    assert first["steps"][2]["tool_call"]["arguments"] == '{"city":"Paris"}'
    assert_paced_like_the_upstream(first["stream"])


def test_an_error_answer_is_recorded_and_replayed(servers: Recording) -> None:
    def ask(url: str) -> anthropic.RateLimitError:
        with anthropic.Anthropic(base_url=url, api_key=SECRET, max_retries=0) as sdk, pytest.raises(anthropic.RateLimitError) as raised:
            sdk.messages.create(model=MODEL, max_tokens=256, messages=[{"role": "user", "content": "busy?"}])
        return raised.value

    live, replayed = ask(servers.recorder.url), ask(servers.replay().url)
    assert (replayed.status_code, replayed.body["error"]) == (live.status_code, live.body["error"])  # type: ignore[index]
    assert live.body["error"]["type"] == "rate_limit_error"  # type: ignore[index]


def test_the_api_key_is_never_written(servers: Recording, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="mockllm")
    agent_loop(servers.recorder.url)
    assert_no_secret(servers.written(), caplog, "x-api-key")
