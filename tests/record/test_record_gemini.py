"""Record and replay Gemini with the official google-genai SDK (SSE), the JSON-array stream and `?key=`, a whole answer, an error."""

from __future__ import annotations

import json
import logging
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pytest
from google import genai
from google.genai import errors, types
from recording import AGENT_LOOP, SECRET, Recording, assert_no_secret, assert_paced_like_the_upstream, recording, step_kinds

MODEL = "gemini-2.5-flash"
WEATHER = types.FunctionDeclaration(
    name="get_weather",
    description="Current weather of a city.",
    parameters=types.Schema(type=types.Type.OBJECT, properties={"city": types.Schema(type=types.Type.STRING)}),
)
CONFIG = types.GenerateContentConfig(tools=[types.Tool(function_declarations=[WEATHER])], thinking_config=types.ThinkingConfig(include_thoughts=True))


@pytest.fixture
def servers(tmp_path: Path, live_server: Any) -> Iterator[Recording]:
    with recording(tmp_path, live_server, AGENT_LOOP) as recorded:
        yield recorded


def client(url: str) -> genai.Client:
    return genai.Client(api_key=SECRET, http_options=types.HttpOptions(base_url=url, retry_options=types.HttpRetryOptions(attempts=1)))


def agent_loop(url: str) -> tuple[str, str, list[tuple[str | None, dict[str, Any] | None]], str]:
    """Turn 0 streamed (thoughts, text, a function call), turn 1 whole with the function's response: what the SDK gave of each."""
    gemini = client(url)
    question = types.Content(role="user", parts=[types.Part(text="Weather in Paris?")])
    parts = [part for chunk in gemini.models.generate_content_stream(model=MODEL, contents=question, config=CONFIG) for part in chunk.candidates[0].content.parts or ()]
    thoughts = "".join(part.text or "" for part in parts if part.thought)
    text = "".join(part.text or "" for part in parts if part.text and not part.thought)
    calls = [(part.function_call.name, part.function_call.args) for part in parts if part.function_call]
    result = types.Content(role="user", parts=[types.Part.from_function_response(name="get_weather", response={"result": "sunny"})])
    answer = gemini.models.generate_content(model=MODEL, contents=[question, types.Content(role="model", parts=parts), result], config=CONFIG)
    return thoughts, text, calls, answer.text or ""


def test_a_streamed_agent_loop_with_thoughts_replays_the_same(servers: Recording) -> None:
    live = agent_loop(servers.recorder.url)
    assert live == ("The user wants the weather in Paris, so I call the tool.", "Let me look that up.", [("get_weather", {"city": "Paris"})], 'It is {"result":"sunny"} in Paris.')
    assert agent_loop(servers.replay().url) == live


def test_each_turn_is_a_scenario_with_its_steps_and_the_pacing_measured(servers: Recording) -> None:
    agent_loop(servers.recorder.url)
    first, second = servers.conversation("weather-in-paris")
    assert [(turn["match"], step_kinds(turn)) for turn in (first, second)] == [
        ({"message": r"^Weather in Paris\?$", "turn": 0, "model": r"^gemini-2\.5-flash$"}, ["think", "say", "tool_call"]),
        ({"message": r"^Weather in Paris\?$", "turn": 1, "model": r"^gemini-2\.5-flash$"}, ["say"]),
    ]
    assert first["steps"][2] == {"tool_call": {"name": "get_weather", "arguments": '{"city":"Paris"}'}}
    assert_paced_like_the_upstream(first["stream"])


def streamed_text(url: str, query: str) -> str:
    """A raw `streamGenerateContent` request with the key in the query: the text of the chunks (SSE, or one JSON array)."""
    body = json.dumps({"contents": [{"role": "user", "parts": [{"text": "你好"}]}]}).encode()
    request = urllib.request.Request(f"{url}/v1beta/models/{MODEL}:streamGenerateContent?{query}", data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        raw = response.read().decode()
    chunks = [json.loads(line[5:]) for line in raw.splitlines() if line.startswith("data:")] if "alt=sse" in query else json.loads(raw)
    return "".join(part.get("text", "") for chunk in chunks for part in chunk["candidates"][0]["content"].get("parts", ()))


@pytest.mark.parametrize("query", [f"key={SECRET}", f"alt=sse&key={SECRET}"], ids=["json-array", "sse"])
def test_a_stream_keyed_in_the_query_is_recorded_without_the_key(servers: Recording, query: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="mockllm")
    live = streamed_text(servers.recorder.url, query)
    assert live == "你好，我是上游的回答。"
    assert streamed_text(servers.replay().url, query) == live
    [turn] = servers.conversation("conversation")
    assert turn["steps"] == [{"say": live}] and turn["stream"]["first_token_ms"] >= 120
    assert_no_secret(servers.written(), caplog, "key=")


def test_an_error_answer_is_recorded_and_replayed(servers: Recording) -> None:
    def ask(url: str) -> errors.ClientError:
        gemini = client(url)  # held: the client closes its connections once collected
        with pytest.raises(errors.ClientError) as raised:
            gemini.models.generate_content(model=MODEL, contents="busy?")
        return raised.value

    live, replayed = ask(servers.recorder.url), ask(servers.replay().url)
    assert (live.code, live.status) == (429, "RESOURCE_EXHAUSTED")
    assert (replayed.code, replayed.status, replayed.message) == (live.code, live.status, live.message)


def test_the_api_key_is_never_written(servers: Recording, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="mockllm")
    agent_loop(servers.recorder.url)
    assert_no_secret(servers.written(), caplog, "x-goog-api-key")


def test_counting_tokens_passes_through_unrecorded(servers: Recording) -> None:
    gemini = client(servers.recorder.url)
    assert (gemini.models.count_tokens(model=MODEL, contents="Weather in Paris?").total_tokens or 0) > 0
    assert not servers.out.exists()
