"""Record and replay, with a second mockllm as the upstream: answers pass through unchanged and replay the same."""

from __future__ import annotations

import json
import logging
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import openai
import pytest
import yaml
from recording import SECRET, Recording, assert_no_secret, recording

from mockllm.record import create_recorder
from mockllm.scenarios.loading import load_catalog
from mockllm.testing.background import BackgroundServer

TOOLS = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]
UPSTREAM = {
    "default.yaml": "schema: 1\nname: default\ndescription: d\nstream: {unit: char, delay_ms: 15, first_token_ms: 120}\nsteps:\n  - say: 你好，我是上游的回答。\n",
    "tool.yaml": (
        "schema: 1\nname: tool\ndescription: t\nmatch: {has_tools: true, turn: 0}\nstream: {first_token_ms: 40}\n"
        "steps:\n  - say: Let me look.\n  - tool_call: {name: get_weather, arguments: {city: Paris}}\n"
    ),
    "answer.yaml": "schema: 1\nname: answer\ndescription: a\nmatch: {tool_result: get_weather}\nsteps:\n  - say: 'It is {{tool_result}} in Paris.'\n",
    "limited.yaml": "schema: 1\nname: limited\ndescription: l\nsteps:\n  - error: rate_limited\n",
    "cut.yaml": "schema: 1\nname: cut\ndescription: c\nmatch: {message: cut}\nsteps:\n  - say: Half an answer\n  - error: {message: The model is overloaded., type: server_error}\n",
}


@pytest.fixture
def servers(tmp_path: Path, live_server: Any) -> Iterator[Recording]:
    with recording(tmp_path, live_server, UPSTREAM) as recorded:
        yield recorded


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


def test_the_stream_passes_through_unchanged(servers: Recording) -> None:
    body = {"model": "gpt-4o", "stream": True, "messages": [{"role": "user", "content": "hi"}]}
    assert raw_post(servers.recorder.url, body) == raw_post(servers.upstream.url, body)


def test_a_recorded_agent_loop_replays_with_the_same_text_and_tool_calls(servers: Recording) -> None:
    live = agent_loop(servers.recorder.url)
    assert live == ("Let me look.", "get_weather", {"city": "Paris"}, "It is sunny in Paris.")

    replay = servers.replay()
    assert agent_loop(replay.url) == live
    with client(replay.url) as sdk, pytest.raises(openai.NotFoundError, match="No recorded conversation matches this request"):
        sdk.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "never asked"}])


def test_one_file_per_conversation_one_scenario_per_turn_with_measured_pacing(servers: Recording) -> None:
    agent_loop(servers.recorder.url)
    with client(servers.recorder.url) as sdk:
        streamed = sdk.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "你好"}], stream=True)
        text = "".join(c.choices[0].delta.content or "" for c in streamed if c.choices)
    assert text == "你好，我是上游的回答。"

    out = servers.out
    files = sorted(p.name for p in out.iterdir())
    assert len(files) == 3 and "default.yaml" in files
    turns = servers.conversation("weather-in-paris")
    assert [(d["match"]["turn"], [next(iter(s)) for s in d["steps"]]) for d in turns] == [(0, ["say", "tool_call"]), (1, ["say"])]
    assert turns[0]["match"]["message"] == r"^Weather in Paris\?$" and turns[0]["match"]["model"] == "^gpt-4o$"
    [hello] = servers.conversation("conversation")
    pacing = hello["stream"]
    # The upstream sends its first of 11 characters at 120 ms and the last at 120 + 10 × 15 ms (deadlines): never sooner on the wire.
    assert pacing["first_token_ms"] >= 120 and pacing["first_token_ms"] + 10 * pacing["delay_ms"] >= 270 - 1
    assert pacing["unit"] == "token" and pacing["per_delta"] == 1
    assert hello["steps"] == [{"say": "你好，我是上游的回答。"}]
    assert load_catalog(out).names == sorted(d["name"] for f in files for d in yaml.safe_load_all((out / f).read_text(encoding="utf-8")))


def test_an_upstream_error_is_recorded_and_replayed(servers: Recording) -> None:
    ask = [{"role": "user", "content": "busy?"}]
    with client(servers.recorder.url) as sdk, pytest.raises(openai.RateLimitError) as live:
        sdk.chat.completions.create(model="limited", messages=ask)
    with client(servers.replay().url) as sdk, pytest.raises(openai.RateLimitError) as replayed:
        sdk.chat.completions.create(model="limited", messages=ask)
    assert replayed.value.message == live.value.message and replayed.value.code == "rate_limit_exceeded"


def streamed_until_the_error(url: str) -> tuple[str, str]:
    """The text a stream gave before the error that ended it, and the error's message."""
    text = ""
    with client(url) as sdk, pytest.raises(openai.APIError) as raised:
        for chunk in sdk.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "cut short"}], stream=True):
            text += chunk.choices[0].delta.content or "" if chunk.choices else ""
    return text, raised.value.message


def test_an_error_inside_a_stream_replays_after_the_text_it_cut(servers: Recording) -> None:
    live = streamed_until_the_error(servers.recorder.url)
    assert live == ("Half an answer", "The model is overloaded.")
    assert streamed_until_the_error(servers.replay().url) == live
    [turn] = servers.conversation("cut-short")
    assert turn["steps"][-1] == {"error": {"message": "The model is overloaded.", "type": "server_error", "delivery": "in_band"}}


def test_no_secret_is_ever_written(servers: Recording, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="mockllm")
    agent_loop(servers.recorder.url)
    raw_post(servers.recorder.url, {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]})
    assert_no_secret(servers.written(), caplog, "Authorization")


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


def test_the_responses_api_is_recorded_and_replayed(servers: Recording) -> None:
    live = responses_turn(servers.recorder.url)
    assert live == ("Let me look.", [("get_weather", '{"city":"Paris"}')], "你好，我是上游的回答。")
    assert responses_turn(servers.replay().url) == live
