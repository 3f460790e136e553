"""Every route's finish reasons, streamed and whole: a normal end, a length cut, a filtered answer, tool calls.

A route that mapped a cut-off or filtered finish to a normal one would pass
every other test; this table pins each mapping as its clients read it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import pytest
from aiohttp.test_utils import TestClient
from scenario_files import scenario, serving

from mockllm.server.app import create_app

FINISHES = ("stop", "length", "content_filter", "tool_calls")
SCENARIOS = [
    scenario("fin-stop", [{"say": "hi"}]),
    scenario("fin-length", [{"say": "hi"}, {"finish": "length"}]),
    scenario("fin-content_filter", [{"say": "hi"}, {"finish": "content_filter"}]),
    scenario("fin-tool_calls", [{"tool_call": {"name": "f", "arguments": {"a": 1}}}]),
]
SCHEMA = {"type": "object", "properties": {"a": {"type": "integer"}}}


def sse_data(body: bytes) -> list[Any]:
    return [json.loads(line[5:]) for line in body.decode().splitlines() if line.startswith("data:") and line[5:].strip() != "[DONE]"]


def chat(name: str, stream: bool) -> tuple[str, dict[str, Any]]:
    tools = [{"type": "function", "function": {"name": "f", "parameters": SCHEMA}}]
    return "/v1/chat/completions", {"model": name, "messages": [{"role": "user", "content": "hi"}], "stream": stream, "tools": tools}


def chat_finish(body: bytes, stream: bool) -> str:
    if stream:
        return [chunk["choices"][0]["finish_reason"] for chunk in sse_data(body) if chunk.get("choices")][-1]
    return json.loads(body)["choices"][0]["finish_reason"]  # type: ignore[no-any-return]


def azure(name: str, stream: bool) -> tuple[str, dict[str, Any]]:
    _, body = chat(name, stream)
    return f"/openai/deployments/{name}/chat/completions?api-version=2024-10-21", body


def responses(name: str, stream: bool) -> tuple[str, dict[str, Any]]:
    tools = [{"type": "function", "name": "f", "parameters": SCHEMA}]
    return "/v1/responses", {"model": name, "input": "hi", "stream": stream, "tools": tools}


def responses_finish(body: bytes, stream: bool) -> str:
    final = sse_data(body)[-1]["response"] if stream else json.loads(body)
    cut = final["incomplete_details"]
    kinds = ",".join(item["type"] for item in final["output"])
    return f"{final['status']}:{cut['reason'] if cut else kinds}"


def anthropic(name: str, stream: bool) -> tuple[str, dict[str, Any]]:
    tools = [{"name": "f", "input_schema": SCHEMA}]
    return "/v1/messages", {"model": name, "max_tokens": 100, "messages": [{"role": "user", "content": "hi"}], "stream": stream, "tools": tools}


def anthropic_finish(body: bytes, stream: bool) -> str:
    if stream:
        return next(event["delta"]["stop_reason"] for event in sse_data(body) if event["type"] == "message_delta")  # type: ignore[no-any-return]
    return json.loads(body)["stop_reason"]  # type: ignore[no-any-return]


def gemini(name: str, stream: bool) -> tuple[str, dict[str, Any]]:
    method = "streamGenerateContent?alt=sse" if stream else "generateContent"
    tools = [{"functionDeclarations": [{"name": "f", "parametersJsonSchema": SCHEMA}]}]
    return f"/v1beta/models/{name}:{method}", {"contents": [{"parts": [{"text": "hi"}]}], "tools": tools}


def gemini_finish(body: bytes, stream: bool) -> str:
    last = sse_data(body)[-1] if stream else json.loads(body)
    return last["candidates"][0]["finishReason"]  # type: ignore[no-any-return]


def ollama(name: str, stream: bool) -> tuple[str, dict[str, Any]]:
    tools = [{"type": "function", "function": {"name": "f", "parameters": SCHEMA}}]
    return "/api/chat", {"model": name, "messages": [{"role": "user", "content": "hi"}], "stream": stream, "tools": tools}


def ollama_finish(body: bytes, stream: bool) -> str:
    return json.loads(body.decode().splitlines()[-1])["done_reason"]  # type: ignore[no-any-return]


def ai_sdk(name: str, stream: bool) -> tuple[str, dict[str, Any]]:
    return "/ai-sdk/chat", {"model": name, "messages": [{"id": "u1", "role": "user", "parts": [{"type": "text", "text": "hi"}]}]}


def ai_sdk_finish(body: bytes, stream: bool) -> str:
    return next(part["finishReason"] for part in sse_data(body) if part["type"] == "finish")  # type: ignore[no-any-return]


Route = tuple[Callable[[str, bool], tuple[str, dict[str, Any]]], Callable[[bytes, bool], str], tuple[bool, ...]]
ROUTES: dict[str, tuple[Route, dict[str, str]]] = {
    "chat": ((chat, chat_finish, (True, False)), {"stop": "stop", "length": "length", "content_filter": "content_filter", "tool_calls": "tool_calls"}),
    "azure": ((azure, chat_finish, (True, False)), {"stop": "stop", "length": "length", "content_filter": "content_filter", "tool_calls": "tool_calls"}),
    "responses": (
        (responses, responses_finish, (True, False)),
        {"stop": "completed:message", "length": "incomplete:max_output_tokens", "content_filter": "incomplete:content_filter", "tool_calls": "completed:function_call"},
    ),
    "anthropic": ((anthropic, anthropic_finish, (True, False)), {"stop": "end_turn", "length": "max_tokens", "content_filter": "refusal", "tool_calls": "tool_use"}),
    "gemini": ((gemini, gemini_finish, (True, False)), {"stop": "STOP", "length": "MAX_TOKENS", "content_filter": "SAFETY", "tool_calls": "STOP"}),
    "ollama": ((ollama, ollama_finish, (True, False)), {"stop": "stop", "length": "length", "content_filter": "stop", "tool_calls": "stop"}),
    "ai-sdk": ((ai_sdk, ai_sdk_finish, (True,)), {"stop": "stop", "length": "length", "content_filter": "content-filter", "tool_calls": "tool-calls"}),
}


@pytest.fixture
async def client(aiohttp_client: Any, tmp_path: Path) -> TestClient[Any, Any]:
    return await aiohttp_client(create_app(serving(tmp_path, *SCENARIOS)))


@pytest.mark.parametrize("route", ROUTES)
async def test_each_route_maps_each_finish_streamed_and_whole(client: TestClient[Any, Any], route: str) -> None:
    (request, read, modes), expected = ROUTES[route]
    seen, wanted = {}, {}
    for finish in FINISHES:
        for stream in modes:
            path, body = request(f"fin-{finish}", stream)
            response = await client.post(path, json=body, headers={"X-Mock-Scenario": f"fin-{finish}"})
            assert response.status == 200
            key = f"{finish} {'stream' if stream else 'whole'}"
            seen[key], wanted[key] = read(await response.read(), stream), expected[finish]
    assert seen == wanted
