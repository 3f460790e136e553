"""Record and replay Ollama with the official ollama client: a streamed chat with thinking and tool calls, whole answers, generate, an error."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Iterator

import ollama
import pytest
import yaml
from recording import AGENT_LOOP, SECRET, Recording, assert_no_secret, assert_paced_like_the_upstream, recording, step_kinds

MODEL = "llama3.2"
TOOLS = [{"type": "function", "function": {"name": "get_weather", "description": "Current weather of a city.", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]


@pytest.fixture
def servers(tmp_path: Path, live_server: Any) -> Iterator[Recording]:
    with recording(tmp_path, live_server, AGENT_LOOP) as recorded:
        yield recorded


def client(url: str) -> ollama.Client:
    return ollama.Client(host=url, headers={"Authorization": f"Bearer {SECRET}"})


def agent_loop(url: str) -> tuple[str, str, list[tuple[str, Any]], str]:
    """Turn 0 streamed (thinking, content, tool calls), turn 1 whole with the tool's result: what the client gave of each."""
    with client(url) as sdk:
        messages: list[Any] = [{"role": "user", "content": "Weather in Paris?"}]
        parts = list(sdk.chat(model=MODEL, messages=messages, tools=TOOLS, stream=True))
        thinking = "".join(part.message.thinking or "" for part in parts)
        content = "".join(part.message.content or "" for part in parts)
        calls = [call for part in parts for call in part.message.tool_calls or ()]
        messages += [
            {"role": "assistant", "content": content, "thinking": thinking, "tool_calls": calls},
            {"role": "tool", "content": "sunny", "tool_name": calls[0].function.name},
        ]
        answer = sdk.chat(model=MODEL, messages=messages, tools=TOOLS)
    return thinking, content, [(call.function.name, call.function.arguments) for call in calls], answer.message.content or ""


def generated(url: str) -> tuple[str, str]:
    """`/api/generate` streamed and whole: the streamed response joined, and the whole one."""
    with client(url) as sdk:
        streamed = "".join(part.response for part in sdk.generate(model=MODEL, prompt="你好", stream=True))
        return streamed, sdk.generate(model=MODEL, prompt="你好吗").response


def test_a_streamed_agent_loop_with_thinking_replays_the_same(servers: Recording) -> None:
    live = agent_loop(servers.recorder.url)
    assert live == ("The user wants the weather in Paris, so I call the tool.", "Let me look that up.", [("get_weather", {"city": "Paris"})], "It is sunny in Paris.")
    assert agent_loop(servers.replay().url) == live


def test_each_turn_is_a_scenario_with_its_steps_and_the_pacing_measured(servers: Recording) -> None:
    agent_loop(servers.recorder.url)
    first, second = servers.conversation("weather-in-paris")
    assert [(turn["match"], step_kinds(turn)) for turn in (first, second)] == [
        ({"message": r"^Weather in Paris\?$", "turn": 0, "model": r"^llama3\.2$"}, ["think", "say", "tool_call"]),
        ({"message": r"^Weather in Paris\?$", "turn": 1, "model": r"^llama3\.2$"}, ["say"]),
    ]
    call = first["steps"][2]["tool_call"]
    assert (call["name"], call["arguments"], call["id"].startswith("call_")) == ("get_weather", '{"city":"Paris"}', True)
    assert_paced_like_the_upstream(first["stream"])


def test_generate_streamed_and_whole_replays_the_same(servers: Recording) -> None:
    live = generated(servers.recorder.url)
    assert live == ("你好，我是上游的回答。", "你好，我是上游的回答。")
    assert generated(servers.replay().url) == live
    turns = {turn["match"]["message"]: turn for path in servers.out.glob("conversation-*.yaml") for turn in yaml.safe_load_all(path.read_text(encoding="utf-8"))}
    streamed, whole = turns["^你好$"], turns["^你好吗$"]
    assert streamed["steps"] == whole["steps"] == [{"say": "你好，我是上游的回答。"}]
    # 11 characters, the first at 120 ms, 15 ms apart: the stream's deltas came apart, the whole answer once they all had.
    assert streamed["stream"]["first_token_ms"] >= 120 and streamed["stream"]["delay_ms"] > 0
    assert whole["stream"]["first_token_ms"] >= 120 + 10 * 15 and whole["stream"]["delay_ms"] == 0


def test_an_error_answer_is_recorded_and_replayed(servers: Recording) -> None:
    def ask(url: str) -> ollama.ResponseError:
        with client(url) as sdk, pytest.raises(ollama.ResponseError) as raised:
            sdk.chat(model=MODEL, messages=[{"role": "user", "content": "busy?"}])
        return raised.value

    live, replayed = ask(servers.recorder.url), ask(servers.replay().url)
    assert live.status_code == 429
    assert (replayed.status_code, replayed.error) == (live.status_code, live.error)


def test_the_api_key_is_never_written(servers: Recording, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="mockllm")
    agent_loop(servers.recorder.url)
    generated(servers.recorder.url)
    assert_no_secret(servers.written(), caplog, "Authorization")


def test_loading_the_model_passes_through_unrecorded(servers: Recording) -> None:
    with client(servers.recorder.url) as sdk:
        assert sdk.chat(model=MODEL, messages=[]).done_reason == "load"
    assert not servers.out.exists()
