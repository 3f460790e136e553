"""The md-* torture scenarios: each on every dialect and app framing (streamed at speed 0, the text read back is the
whole answer), and `unit: codepoint` on the wire."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any, Callable

import aiohttp
import pytest
from aiohttp.test_utils import TestClient
from conftest import SCENARIOS, shipped_catalog

from mockllm.core import eventstream
from mockllm.server.app import create_app
from mockllm.server.config import ServerConfig

TORTURE = sorted(name for name in shipped_catalog().scenarios if name.startswith("md-"))
CHAT = [{"role": "user", "content": "Show me."}]


def answer_text(name: str) -> str:
    """The scenario's answer as its `say` steps write it."""
    return "".join(step.say for step in shipped_catalog().scenarios[name].steps if isinstance(step.say, str))


def sse_data(body: str) -> list[Any]:
    """The JSON of each `data:` line (not `[DONE]`)."""
    return [json.loads(line[5:]) for line in body.splitlines() if line.startswith("data:") and line[5:].strip() != "[DONE]"]


def json_lines(body: str, prefix: str = "") -> list[Any]:
    """The JSON of each line that starts with `prefix` (NDJSON: every non-empty line)."""
    return [json.loads(line[len(prefix) :]) for line in body.splitlines() if line.startswith(prefix) and line.strip() and line != "0"]


def chat_delta(chunk: dict[str, Any]) -> str:
    return "".join(choice["delta"].get("content") or "" for choice in chunk["choices"])


@dataclass(frozen=True)
class Route:
    """One way to ask for a streamed answer, and how to read its text back (from the body's bytes when `binary`)."""

    path: str
    body: dict[str, Any]
    read: Callable[[Any], str]
    binary: bool = False


def bedrock_events(body: bytes) -> list[tuple[str, Any]]:
    """The (`:event-type`, JSON payload) of each AWS event-stream message."""
    return [(message.headers[":event-type"], json.loads(message.payload)) for message in eventstream.messages(body)]


ROUTES = {
    "openai-chat": Route("/v1/chat/completions", {"model": "m", "stream": True, "messages": CHAT}, lambda b: "".join(map(chat_delta, sse_data(b)))),
    "azure-chat": Route(
        "/openai/deployments/m/chat/completions?api-version=2024-10-21", {"stream": True, "messages": CHAT}, lambda b: "".join(map(chat_delta, sse_data(b)))
    ),
    "openai-responses": Route(
        "/v1/responses",
        {"model": "m", "stream": True, "input": "Show me."},
        lambda b: "".join(e["delta"] for e in sse_data(b) if e["type"] == "response.output_text.delta"),
    ),
    "openai-completions": Route(
        "/v1/completions", {"model": "m", "stream": True, "prompt": "Show me."}, lambda b: "".join(c["choices"][0]["text"] for c in sse_data(b) if c["choices"])
    ),
    "anthropic": Route(
        "/v1/messages",
        {"model": "m", "max_tokens": 64_000, "stream": True, "messages": CHAT},
        lambda b: "".join(e["delta"].get("text", "") for e in sse_data(b) if e["type"] == "content_block_delta"),
    ),
    "gemini": Route(
        "/v1beta/models/m:streamGenerateContent?alt=sse",
        {"contents": [{"role": "user", "parts": [{"text": "Show me."}]}]},
        lambda b: "".join(p.get("text", "") for c in sse_data(b) for p in c["candidates"][0].get("content", {}).get("parts", [])),
    ),
    "cohere": Route(
        "/v2/chat",
        {"model": "m", "stream": True, "messages": CHAT},
        lambda b: "".join(e["delta"]["message"]["content"]["text"] for e in sse_data(b) if e["type"] == "content-delta"),
    ),
    "bedrock-converse": Route(
        "/model/m/converse-stream",
        {"messages": [{"role": "user", "content": [{"text": "Show me."}]}]},
        lambda b: "".join(e["delta"].get("text", "") for kind, e in bedrock_events(b) if kind == "contentBlockDelta"),
        binary=True,
    ),
    "bedrock-invoke": Route(
        "/model/m/invoke-with-response-stream",
        {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 64_000, "messages": CHAT},
        lambda b: "".join(
            e["delta"].get("text", "") for e in (json.loads(base64.b64decode(c["bytes"])) for _, c in bedrock_events(b)) if e["type"] == "content_block_delta"
        ),
        binary=True,
    ),
    "ollama-chat": Route("/api/chat", {"model": "m", "messages": CHAT}, lambda b: "".join(c["message"]["content"] for c in json_lines(b))),
    "ollama-generate": Route("/api/generate", {"model": "m", "prompt": "Show me."}, lambda b: "".join(c["response"] for c in json_lines(b))),
    "ai-sdk": Route(
        "/ai-sdk/chat",
        {"messages": [{"id": "u1", "role": "user", "parts": [{"type": "text", "text": "Show me."}]}]},
        lambda b: "".join(p["delta"] for p in sse_data(b) if p["type"] == "text-delta"),
    ),
    "miniprogram": Route("/miniprogram/chat", {"stream": True, "messages": CHAT}, lambda b: "".join(c["content"] for c in json_lines(b, "success: "))),
    "sse-json": Route("/sse-json/chat", {"stream": True, "messages": CHAT}, lambda b: "".join(c["content"] for c in sse_data(b))),
    "ndjson": Route("/ndjson/chat", {"stream": True, "messages": CHAT}, lambda b: "".join(map(chat_delta, json_lines(b)))),
    "text": Route("/text/chat", {"stream": True, "messages": CHAT}, lambda b: b),
}


@pytest.fixture
async def client(aiohttp_client: Any) -> TestClient[Any, Any]:
    return await aiohttp_client(create_app(ServerConfig(scenarios=SCENARIOS, speed=0, seed=1), shipped_catalog()))


@pytest.mark.parametrize("route", sorted(ROUTES))
@pytest.mark.parametrize("name", TORTURE)
async def test_every_torture_scenario_streams_its_answer_on_every_route(client, route, name):
    spec = ROUTES[route]
    response = await client.post(spec.path, json=spec.body, headers={"X-Mock-Scenario": name})
    assert response.status == 200, await response.text()
    body = await response.read()
    assert spec.read(body if spec.binary else body.decode()) == answer_text(name)
    entry = (await (await client.get("/_mock/journal", params={"scenario": name})).json())[-1]
    assert entry["ended"] == "complete"


@pytest.mark.parametrize("framing", ["miniprogram", "sse-json"])
@pytest.mark.parametrize("name", TORTURE)
async def test_every_torture_scenario_streams_over_a_websocket(client, framing, name):
    read = ROUTES[framing].read
    async with client.ws_connect(f"/ws/{framing}/chat?scenario={name}") as socket:
        await socket.send_str(json.dumps({"messages": CHAT}))
        messages = []
        async for message in socket:
            if message.type != aiohttp.WSMsgType.TEXT or message.data in ("0\r\n\r\n", "data: [DONE]\n\n"):
                break
            messages.append(message.data)
    assert read("".join(messages)) == answer_text(name)


FAMILY = "\U0001F468\u200d\U0001F469\u200d\U0001F467\u200d\U0001F466"  # 👨‍👩‍👧‍👦


async def test_unit_codepoint_sends_a_zwj_family_one_valid_utf8_code_point_per_frame(client):
    body = {"model": "md-emoji-clusters", "stream": True, "messages": CHAT}
    raw = await (await client.post("/v1/chat/completions", json=body)).read()
    frames = [frame for frame in raw.split(b"\n\n") if frame.startswith(b"data: {")]
    contents = [json.loads(frame[6:].decode("utf-8", errors="strict"))["choices"][0]["delta"].get("content") for frame in frames]  # each frame valid alone
    at = contents.index("\U0001F468")
    assert contents[at : at + 7] == [*FAMILY]
    for frame, content in zip(frames[at : at + 7], contents[at : at + 7]):
        assert b'"content":"' + content.encode("utf-8") + b'"' in frame  # the code point's own UTF-8 bytes, not a \\u escape
    assert "".join(c or "" for c in contents) == answer_text("md-emoji-clusters")
