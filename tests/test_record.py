"""Record and replay, with a second mockllm as the upstream: answers pass through unchanged and replay the same."""

from __future__ import annotations

import json
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import openai
import pytest
import yaml

from mockllm.app import create_app
from mockllm.background import BackgroundServer
from mockllm.catalog import load_catalog
from mockllm.config import ServerConfig
from mockllm.record import create_recorder

SECRET = "sk-live-THIS-MUST-NEVER-BE-WRITTEN"
TOOLS = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]
UPSTREAM = {
    "default.yaml": "schema: 1\nname: default\ndescription: d\nstream: {unit: char, delay_ms: 15, first_token_ms: 120}\nsteps:\n  - say: 你好，我是上游的回答。\n",
    "tool.yaml": (
        "schema: 1\nname: tool\ndescription: t\nmatch: {has_tools: true, turn: 0}\nstream: {first_token_ms: 40}\n"
        "steps:\n  - say: Let me look.\n  - tool_call: {name: get_weather, arguments: {city: Paris}}\n"
    ),
    "answer.yaml": "schema: 1\nname: answer\ndescription: a\nmatch: {tool_result: get_weather}\nsteps:\n  - say: 'It is {{tool_result}} in Paris.'\n",
    "limited.yaml": "schema: 1\nname: limited\ndescription: l\nsteps:\n  - error: rate_limited\n",
}


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[tuple[BackgroundServer, BackgroundServer, Path]]:
    folder = tmp_path / "upstream"
    folder.mkdir()
    for name, text in UPSTREAM.items():
        (folder / name).write_text(text, encoding="utf-8")
    out = tmp_path / "recorded"
    upstream = BackgroundServer(lambda: create_app(ServerConfig(scenarios=folder, speed=1, seed=3))).start()
    recorder = BackgroundServer(lambda: create_recorder(upstream.url, out)).start()
    yield upstream, recorder, out
    recorder.stop()
    upstream.stop()


@contextmanager
def client(url: str) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=f"{url}/v1", api_key=SECRET, max_retries=0) as sdk:
        yield sdk


def agent_loop(url: str) -> tuple[str, str, dict[str, Any], str]:
    """Streamed: the text and tool call of turn 0; whole: the answer of turn 1."""
    with client(url) as sdk:
        return _agent_turns(sdk)


def _agent_turns(sdk: openai.OpenAI) -> tuple[str, str, dict[str, Any], str]:
    messages: list[Any] = [{"role": "user", "content": "Weather in Paris?"}]
    text, name, arguments, call_id = "", "", "", ""
    for chunk in sdk.chat.completions.create(model="gpt-4o", messages=messages, tools=TOOLS, stream=True):
        delta = chunk.choices[0].delta if chunk.choices else None
        text += (delta.content or "") if delta else ""
        for call in (delta.tool_calls or []) if delta else []:
            name += call.function.name or "" if call.function else ""
            arguments += call.function.arguments or "" if call.function else ""
            call_id = call.id or call_id
    assistant = {"role": "assistant", "content": text, "tool_calls": [{"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}]}
    messages += [assistant, {"role": "tool", "tool_call_id": call_id, "content": "sunny"}]
    answer = sdk.chat.completions.create(model="gpt-4o", messages=messages, tools=TOOLS)
    return text, name, json.loads(arguments), answer.choices[0].message.content or ""


def raw_post(url: str, body: dict[str, Any]) -> bytes:
    request = urllib.request.Request(f"{url}/v1/chat/completions", data=json.dumps(body).encode(), headers={"Content-Type": "application/json", "X-Mock-Seed": "9", "Authorization": f"Bearer {SECRET}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read()  # type: ignore[no-any-return]


def test_the_stream_passes_through_unchanged(servers: Any) -> None:
    upstream, recorder, _ = servers
    body = {"model": "gpt-4o", "stream": True, "messages": [{"role": "user", "content": "hi"}]}
    assert raw_post(recorder.url, body) == raw_post(upstream.url, body)


def test_a_recorded_agent_loop_replays_with_the_same_text_and_tool_calls(servers: Any) -> None:
    _, recorder, out = servers
    live = agent_loop(recorder.url)
    assert live == ("Let me look.", "get_weather", {"city": "Paris"}, "It is sunny in Paris.")

    replay = BackgroundServer(lambda: create_app(ServerConfig(scenarios=out, speed=0))).start()
    try:
        assert agent_loop(replay.url) == live
        with client(replay.url) as sdk, pytest.raises(openai.NotFoundError, match="No recorded conversation matches this request"):
            sdk.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "never asked"}])
    finally:
        replay.stop()


def test_one_file_per_conversation_one_scenario_per_turn_with_measured_pacing(servers: Any) -> None:
    _, recorder, out = servers
    agent_loop(recorder.url)
    with client(recorder.url) as sdk:
        streamed = sdk.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "你好"}], stream=True)
        text = "".join(c.choices[0].delta.content or "" for c in streamed if c.choices)
    assert text == "你好，我是上游的回答。"

    files = sorted(p.name for p in out.iterdir())
    assert len(files) == 3 and "default.yaml" in files
    weather = [yaml.safe_load_all((out / f).read_text(encoding="utf-8")) for f in files if f.startswith("weather-in-paris-")]
    turns = list(weather[0])
    assert [(d["match"]["turn"], [next(iter(s)) for s in d["steps"]]) for d in turns] == [(0, ["say", "tool_call"]), (1, ["say"])]
    assert turns[0]["match"]["message"] == r"^Weather in Paris\?$"
    [hello] = [list(yaml.safe_load_all((out / f).read_text(encoding="utf-8"))) for f in files if f.startswith("conversation-")]
    pacing = hello[0]["stream"]
    # The upstream sends its first of 11 characters at 120 ms and the last at 120 + 10 × 15 ms (deadlines): never sooner on the wire.
    assert pacing["first_token_ms"] >= 120 and pacing["first_token_ms"] + 10 * pacing["delay_ms"] >= 270 - 1
    assert pacing["unit"] == "token" and pacing["per_delta"] == 1
    assert hello[0]["steps"] == [{"say": "你好，我是上游的回答。"}]
    assert load_catalog(out).names == sorted(d["name"] for f in files for d in yaml.safe_load_all((out / f).read_text(encoding="utf-8")))


def test_an_upstream_error_is_recorded_and_replayed(servers: Any) -> None:
    _, recorder, out = servers
    ask = [{"role": "user", "content": "busy?"}]
    with client(recorder.url) as sdk, pytest.raises(openai.RateLimitError) as live:
        sdk.chat.completions.create(model="limited", messages=ask)
    replay = BackgroundServer(lambda: create_app(ServerConfig(scenarios=out, speed=0))).start()
    try:
        with client(replay.url) as sdk, pytest.raises(openai.RateLimitError) as replayed:
            sdk.chat.completions.create(model="limited", messages=ask)
    finally:
        replay.stop()
    assert replayed.value.message == live.value.message and replayed.value.code == "rate_limit_exceeded"


def test_no_secret_is_ever_written(servers: Any) -> None:
    _, recorder, out = servers
    agent_loop(recorder.url)
    raw_post(recorder.url, {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]})
    written = "".join(p.read_text(encoding="utf-8") for p in out.iterdir())
    assert written and SECRET not in written and "Bearer" not in written and "Authorization" not in written


def test_an_unreachable_upstream_is_a_502(tmp_path: Path) -> None:
    recorder = BackgroundServer(lambda: create_recorder("http://127.0.0.1:9", tmp_path)).start()
    try:
        with client(recorder.url) as sdk, pytest.raises(openai.APIStatusError, match="upstream unreachable") as raised:
            sdk.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}])
        assert raised.value.status_code == 502
    finally:
        recorder.stop()


def responses_turn(url: str) -> tuple[str, list[tuple[str, str]], str]:
    """The Responses API, streamed then whole: the streamed text and function calls, and the whole answer's text."""
    tools = [{"type": "function", "name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}]
    with client(url) as sdk:
        with sdk.responses.stream(model="gpt-4o", input="Weather in Paris?", tools=tools) as stream:
            final = stream.get_final_response()
        calls = [(item.name, item.arguments) for item in final.output if item.type == "function_call"]
        whole = sdk.responses.create(model="gpt-4o", input="你好")
    return final.output_text, calls, whole.output_text


def test_the_responses_api_is_recorded_and_replayed(servers: Any) -> None:
    _, recorder, out = servers
    live = responses_turn(recorder.url)
    assert live == ("Let me look.", [("get_weather", '{"city":"Paris"}')], "你好，我是上游的回答。")
    replay = BackgroundServer(lambda: create_app(ServerConfig(scenarios=out, speed=0))).start()
    try:
        assert responses_turn(replay.url) == live
    finally:
        replay.stop()
