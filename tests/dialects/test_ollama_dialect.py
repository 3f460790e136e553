"""Ollama: request parsing into the neutral conversation, NDJSON lines and timings, errors, listings, faults."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from blocking_http import chat
from conftest import SCENARIOS
from rawhttp import ends_inside_character, post

from mockllm.core.errors import RequestError
from mockllm.core.incoming import Incoming
from mockllm.core.request import ToolResult
from mockllm.dialects.ollama import Ollama, OllamaRequest, go_time
from mockllm.scenarios.presets import PRESETS, PROVIDER_PRESETS, variants
from mockllm.server.app import create_app
from mockllm.server.config import ServerConfig
from mockllm.server.state import STATE

DIALECT = Ollama()
HELLO = {"model": "hello", "messages": [{"role": "user", "content": "你好"}]}
WEATHER = {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}
TIMINGS = ("total_duration", "load_duration", "prompt_eval_count", "prompt_eval_duration", "eval_count", "eval_duration")


def parse(body: dict[str, Any], path: str = "/api/chat") -> OllamaRequest:
    request = DIALECT.parse(Incoming("POST", path, {}, {}, b"", json=body))
    assert isinstance(request, OllamaRequest)
    return request


def lines(raw: bytes) -> list[dict[str, Any]]:
    """The objects of an NDJSON body; fails on a blank line or a line that is not JSON."""
    assert raw.endswith(b"\n") and b"\n\n" not in raw
    return [json.loads(line) for line in raw.decode().splitlines()]


def seconds(stamp: str) -> float:
    """The seconds of a `created_at` in the first minute of 2025 (seeded runs start at 2025-01-01T00:00:00Z)."""
    assert stamp.startswith("2025-01-01T00:00:") and stamp.endswith("Z")
    return float(stamp[len("2025-01-01T00:00:") : -1])


@pytest.fixture
async def client(aiohttp_client: Any) -> TestClient[Any, Any]:
    return await aiohttp_client(create_app(ServerConfig(scenarios=SCENARIOS, speed=0, seed=1)))


def test_messages_become_the_neutral_conversation() -> None:
    body = {
        "model": "llama3.2:latest",
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "北京天气？"},
            {"role": "assistant", "content": "", "tool_calls": [{"id": "call_1", "function": {"name": "get_weather", "arguments": {"city": "北京"}}}]},
            {"role": "tool", "content": "晴", "tool_call_id": "call_1"},
            {"role": "tool", "content": "25°C", "tool_name": "get_temperature"},
        ],
        "tools": [WEATHER],
        "format": {"type": "object"},
        "think": "high",
        "options": {"temperature": 0},
    }
    request = parse(body)
    assert request.messages[:2] == (("system", "Be brief."), ("user", "北京天气？")) and request.assistant_turns == 1
    assert request.tool_results == (ToolResult("晴", "get_weather", "call_1"), ToolResult("25°C", "get_temperature", None))
    assert (request.model, request.model_name, request.stream, request.think) == ("llama3.2", "llama3.2:latest", True, True)
    assert request.response_format == {"type": "json_schema", "schema": {"type": "object"}}
    assert [tool.name for tool in request.tools] == ["get_weather"] and request.system == "Be brief."


def test_generate_reads_system_and_prompt() -> None:
    request = parse({"model": "m", "system": "Be brief.", "prompt": "你好", "stream": False, "format": "json", "think": False}, "/api/generate")
    assert request.messages == (("system", "Be brief."), ("user", "你好")) and request.generate
    assert (request.stream, request.think, request.response_format) == (False, False, {"type": "json_object"})


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"messages": []}, "model is required"),
        ({**HELLO, "stream": "yes"}, "field stream of type bool"),
        ({**HELLO, "messages": [{"role": "robot", "content": "x"}]}, "role must be one of"),
        ({**HELLO, "format": "yaml"}, "invalid format"),
        ({**HELLO, "think": "maximum"}, "invalid think value"),
        ({**HELLO, "options": []}, "field options"),
        ({**HELLO, "tools": [{"type": "function"}]}, "tools[0]"),
    ],
    ids=["no-model", "bad-stream", "bad-role", "bad-format", "bad-think", "bad-options", "bad-tool"],
)
def test_a_malformed_request_is_rejected(body: dict[str, Any], says: str) -> None:
    with pytest.raises(RequestError) as raised:
        parse(body)
    assert says in raised.value.error.message and raised.value.error.status == 400


async def test_bad_input_gets_ollamas_error_object(client: TestClient[Any, Any]) -> None:
    empty = await client.post("/api/chat", data=b"")
    assert (empty.status, await empty.read()) == (400, b'{"error":"missing request body"}')
    assert empty.headers["Content-Type"] == "application/json; charset=utf-8"
    unknown = await client.post("/api/chat", json=HELLO, headers={"X-Mock-Scenario": "nope"})
    assert unknown.status == 404 and "nope" in (await unknown.json())["error"]


async def test_it_streams_unless_stream_is_false(client: TestClient[Any, Any]) -> None:
    streamed = await client.post("/api/chat", json=HELLO)
    assert streamed.headers["Content-Type"] == "application/x-ndjson"
    objects = lines(await streamed.read())
    assert [o["done"] for o in objects] == [False] * (len(objects) - 1) + [True]
    last = objects[-1]
    assert list(last) == ["model", "created_at", "message", "done", "done_reason", *TIMINGS] and last["message"] == {"role": "assistant", "content": ""}
    whole = await client.post("/api/chat", json={**HELLO, "stream": False})
    answer = await whole.json()
    assert answer["message"]["content"] == "".join(o["message"]["content"] for o in objects)
    assert {key: answer[key] for key in TIMINGS} == {key: last[key] for key in TIMINGS}


async def test_timestamps_and_timings_follow_the_planned_pace(client: TestClient[Any, Any]) -> None:
    objects = lines(await (await client.post("/api/chat", json=HELLO, headers={"X-Mock-Seed": "3"})).read())
    stamps = [o["created_at"] for o in objects]
    times = [seconds(stamp) for stamp in stamps]
    assert times == sorted(times) and times[0] == 0.2
    last = objects[-1]
    assert last["total_duration"] == last["load_duration"] + last["prompt_eval_duration"] + last["eval_duration"]
    assert last["load_duration"] + last["prompt_eval_duration"] == 200_000_000  # hello's first_token_ms
    assert go_time(1_735_689_600_250_000_000) == "2025-01-01T00:00:00.25Z" and go_time(1_735_689_600_000_000_000) == "2025-01-01T00:00:00Z"


async def test_tool_call_arguments_are_an_object_and_the_call_comes_whole(client: TestClient[Any, Any]) -> None:
    body = {**HELLO, "model": "tool-call", "tools": [WEATHER]}
    objects = lines(await (await client.post("/api/chat", json=body)).read())
    [call_line] = [o for o in objects if o["message"].get("tool_calls")]
    [tool_call] = call_line["message"]["tool_calls"]
    assert isinstance(tool_call["function"]["arguments"], dict) and tool_call["function"]["name"] == "get_weather"
    assert tool_call["id"].startswith("call_") and tool_call["function"]["index"] == 0 and objects[-1]["done_reason"] == "stop"
    # sent once its arguments are done: the stream's end (30 ms later, tool-call's delay_ms) follows at once
    assert round(seconds(objects[-1]["created_at"]) - seconds(call_line["created_at"]), 3) == 0.03 and seconds(call_line["created_at"]) > 0.3


async def test_html_characters_are_escaped_as_go_does(client: TestClient[Any, Any]) -> None:
    body = {"model": "echo", "messages": [{"role": "user", "content": "<b>&</b>"}], "stream": False}
    raw = await (await client.post("/api/chat", json=body)).read()
    assert b'"content":"\\u003cb\\u003e\\u0026\\u003c/b\\u003e"' in raw


async def test_a_midstream_error_is_an_error_line(client: TestClient[Any, Any]) -> None:
    objects = lines(await (await client.post("/api/chat", json={**HELLO, "model": "midstream-error"})).read())
    assert objects[-1] == {"error": PROVIDER_PRESETS["Ollama"]["server_error"].message} and "message" in objects[-2]


@pytest.mark.parametrize("preset", list(PRESETS))
async def test_each_preset_scenario_answers_ollamas_status_and_message_as_an_error_object(client: TestClient[Any, Any], preset: str) -> None:
    scenario = next(name for name, s in client.server.app[STATE].catalog.scenarios.items() if [(st.error and st.error.preset) for st in s.steps] == [preset])
    response = await client.post("/api/chat", json={**HELLO, "model": scenario})
    sent = variants(preset).get("Ollama", PRESETS[preset])
    assert response.status == sent.status and await response.json() == {"error": sent.message.replace("{{model}}", scenario)}
    if "Ollama" in variants(preset):  # Ollama's own errors carry no retry headers
        assert "retry-after" not in response.headers


async def test_an_overloaded_server_is_ollamas_busy_queue_and_a_rate_limit_its_cloud_usage_limit(client: TestClient[Any, Any]) -> None:
    busy = await client.post("/api/chat", json={**HELLO, "model": "overloaded"})
    assert (busy.status, (await busy.json())["error"]) == (503, "server busy, please try again.  maximum pending requests exceeded")
    limited = await client.post("/api/generate", json={"model": "rate-limited", "prompt": "hi"})
    assert limited.status == 429 and "session usage limit" in (await limited.json())["error"] and "retry-after" not in limited.headers


@pytest.mark.parametrize(
    ("path", "body", "answer"),
    [
        ("/api/chat", {"model": "hello", "messages": []}, {"message": {"role": "assistant", "content": ""}, "done": True, "done_reason": "load"}),
        ("/api/generate", {"model": "hello"}, {"response": "", "done": True, "done_reason": "load"}),
        ("/api/generate", {"model": "hello", "keep_alive": 0}, {"response": "", "done": True, "done_reason": "unload"}),
    ],
    ids=["chat-load", "generate-load", "generate-unload"],
)
async def test_a_request_without_messages_or_prompt_only_loads_the_model(client: TestClient[Any, Any], path: str, body: dict[str, Any], answer: dict[str, Any]) -> None:
    response = await client.post(path, json=body)
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert await response.json() == {"model": "hello", "created_at": "2025-01-01T00:00:00Z", **answer}


async def test_attempts_chaos_and_wire_options_apply(client: TestClient[Any, Any], live_server: Any) -> None:
    session = {"X-Mock-Session": "ollama-attempts"}
    statuses = [(await client.post("/api/chat", json={**HELLO, "model": "fail-twice-then-succeed"}, headers=session)).status for _ in range(3)]
    assert statuses == [429, 429, 200]
    struck = await client.post("/api/chat", json={**HELLO, "model": "chaos-20"}, headers={"X-Mock-Seed": "10"})
    assert struck.status == 500 and list(await struck.json()) == ["error"]
    server = live_server()
    plain = await post("127.0.0.1", server.port, "/api/chat", HELLO, {"X-Mock-Seed": "4"})
    sliced = await post("127.0.0.1", server.port, "/api/chat?mock_wire=max_write_bytes=7", HELLO, {"X-Mock-Seed": "4"})
    assert sliced.body == plain.body and max(map(len, sliced.chunks)) == 7


async def test_tags_and_version(client: TestClient[Any, Any]) -> None:
    tags = (await (await client.get("/api/tags")).json())["models"]
    hello = next(model for model in tags if model["name"] == "hello:latest")
    assert hello["model"] == "hello:latest" and len(hello["digest"]) == 64 and hello["details"]["format"] == "gguf"
    assert await (await client.get("/api/version")).json() == {"version": "0.12.6"}


async def test_split_utf8_cuts_characters_inside_a_content_delta_across_reads(live_server: Any) -> None:
    server = live_server()
    split = await post("127.0.0.1", server.port, "/api/chat", {**HELLO, "model": "split-utf8"})
    assert any(ends_inside_character(read) for read in split.payload_reads)
    text = "".join(o["message"]["content"] for o in lines(split.body))
    assert text.startswith("好的，这是一段测试文字") and "😀" in text


def test_a_reset_after_five_deltas_and_a_hang_after_three(live_server: Any) -> None:
    server = live_server(max_stream_s=0.5)
    reset = chat(server.port, "reset-midstream", path="/api/chat", body=HELLO)
    assert (reset.ended, reset.terminated, reset.response.body.count(b"\n")) == ("reset", False, 5)
    hung = chat(server.port, "hang", path="/api/generate", body={"model": "m", "prompt": "hi"})
    assert (hung.ended, hung.terminated, hung.response.body.count(b"\n")) == ("eof", False, 3)
