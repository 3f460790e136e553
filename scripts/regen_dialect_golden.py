"""Rewrite the golden byte files of the Gemini, Gemini embeddings, Ollama, Bedrock and Vertex dialects (run it on purpose, then review the diff).

    python scripts/regen_dialect_golden.py

Each case is one request in the dialect's own shape carrying the golden
conversation and its `get_weather` tool, served in-process at speed 0 with
seed GOLDEN_SEED; the body is stored byte for byte as
`tests/golden/<dialect>/<case>.txt`.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer
from regen_golden import GOLDEN, GOLDEN_SEED, MESSAGES, TOOLS, golden_config

from mockllm.server.app import create_app

SYSTEM, QUESTION = MESSAGES[0]["content"], MESSAGES[1]["content"]
WEATHER = TOOLS[0]["function"]


@dataclass(frozen=True)
class Case:
    """One golden request: its route and body for a scenario."""

    dialect: str
    name: str
    scenario: str
    path: str
    body: dict[str, Any]

    @property
    def file(self) -> Path:
        return GOLDEN / self.dialect / f"{self.name}.txt"


def gemini_body(**generation: Any) -> dict[str, Any]:
    """The golden conversation as a `generateContent` body."""
    body: dict[str, Any] = {
        "contents": [{"role": "user", "parts": [{"text": QUESTION}]}],
        "systemInstruction": {"parts": [{"text": SYSTEM}]},
        "tools": [{"functionDeclarations": [WEATHER]}],
    }
    return {**body, "generationConfig": generation} if generation else body


def ollama_body(**changes: Any) -> dict[str, Any]:
    """The golden conversation as an `/api/chat` body (streamed, as Ollama defaults)."""
    return {"model": "m", "messages": MESSAGES, "tools": TOOLS, **changes}


def gemini_cases() -> list[Case]:
    sse, array, whole = ":streamGenerateContent?alt=sse", ":streamGenerateContent", ":generateContent"
    thoughts = {"thinkingConfig": {"includeThoughts": True}}
    plan = [
        ("hello.sse", "hello", sse, {}),
        ("hello.array", "hello", array, {}),
        ("hello.whole", "hello", whole, {}),
        ("thinking.sse", "think-then-answer", sse, thoughts),
        ("thinking.whole", "think-then-answer", whole, thoughts),
        ("tool-call.sse", "agent-call-tool", sse, {}),
        ("tool-call.whole", "agent-call-tool", whole, {}),
        ("midstream-error.sse", "midstream-error", sse, {}),
        ("midstream-error.array", "midstream-error", array, {}),
        ("rate-limited.whole", "rate-limited", whole, {}),
    ]
    return [Case("gemini", name, scenario, f"/v1beta/models/{scenario}{method}", gemini_body(**generation)) for name, scenario, method, generation in plan]


def gemini_embeddings_cases() -> list[Case]:
    model = "/v1beta/models/gemini-embedding-001"
    one = {"content": {"parts": [{"text": QUESTION}]}, "outputDimensionality": 8}
    batch = {
        "requests": [
            {"model": "models/gemini-embedding-001", "content": {"parts": [{"text": QUESTION}]}, "outputDimensionality": 8},
            {"model": "models/gemini-embedding-001", "content": {"parts": [{"text": SYSTEM}]}, "outputDimensionality": 4, "taskType": "RETRIEVAL_DOCUMENT"},
        ]
    }
    plan = [
        ("one.embed", "hello", f"{model}:embedContent", one),
        ("batch.embed", "hello", f"{model}:batchEmbedContents", batch),
        ("rate-limited.embed", "rate-limited", f"{model}:batchEmbedContents", batch),
    ]
    return [Case("gemini-embeddings", name, scenario, path, body) for name, scenario, path, body in plan]


def ollama_cases() -> list[Case]:
    generate = {"model": "m", "system": SYSTEM, "prompt": QUESTION}
    plan = [
        ("hello.chat", "hello", "/api/chat", ollama_body()),
        ("hello.chat.whole", "hello", "/api/chat", ollama_body(stream=False)),
        ("thinking.chat", "think-then-answer", "/api/chat", ollama_body(think=True)),
        ("tool-call.chat", "agent-call-tool", "/api/chat", ollama_body()),
        ("tool-call.chat.whole", "agent-call-tool", "/api/chat", ollama_body(stream=False)),
        ("midstream-error.chat", "midstream-error", "/api/chat", ollama_body()),
        ("rate-limited.chat", "rate-limited", "/api/chat", ollama_body()),
        ("hello.generate", "hello", "/api/generate", generate),
        ("hello.generate.whole", "hello", "/api/generate", {**generate, "stream": False}),
        ("thinking.generate", "think-then-answer", "/api/generate", {**generate, "think": True}),
    ]
    return [Case("ollama", name, scenario, path, body) for name, scenario, path, body in plan]


def converse_body() -> dict[str, Any]:
    """The golden conversation as a Bedrock Converse body."""
    schema = {"json": WEATHER["parameters"]}
    return {
        "messages": [{"role": "user", "content": [{"text": QUESTION}]}],
        "system": [{"text": SYSTEM}],
        "toolConfig": {"tools": [{"toolSpec": {"name": WEATHER["name"], "description": WEATHER["description"], "inputSchema": schema}}]},
    }


def messages_body(version: str, **changes: Any) -> dict[str, Any]:
    """The golden conversation as an Anthropic Messages body a cloud hosts: no model, `anthropic_version`."""
    tool = {"name": WEATHER["name"], "description": WEATHER["description"], "input_schema": WEATHER["parameters"]}
    body = {"anthropic_version": version, "max_tokens": 1024, "system": SYSTEM, "messages": [{"role": "user", "content": QUESTION}], "tools": [tool]}
    return {**body, **changes}


def bedrock_cases() -> list[Case]:
    stream, whole = "converse-stream", "converse"
    invoke = messages_body("bedrock-2023-05-31")
    plan = [
        ("bedrock", "hello.stream", "hello", stream, converse_body()),
        ("bedrock", "hello.whole", "hello", whole, converse_body()),
        ("bedrock", "thinking.stream", "think-then-answer", stream, converse_body()),
        ("bedrock", "tool-call.stream", "agent-call-tool", stream, converse_body()),
        ("bedrock", "tool-call.whole", "agent-call-tool", whole, converse_body()),
        ("bedrock", "midstream-error.stream", "midstream-error", stream, converse_body()),
        ("bedrock", "rate-limited.whole", "rate-limited", whole, converse_body()),
        ("bedrock-invoke", "hello.stream", "hello", "invoke-with-response-stream", invoke),
        ("bedrock-invoke", "hello.whole", "hello", "invoke", invoke),
        ("bedrock-invoke", "tool-call.stream", "agent-call-tool", "invoke-with-response-stream", invoke),
        ("bedrock-invoke", "midstream-error.stream", "midstream-error", "invoke-with-response-stream", invoke),
    ]
    model = "us.anthropic.claude-sonnet-4-20250514-v1%3A0"
    return [Case(dialect, name, scenario, f"/model/{model}/{action}", body) for dialect, name, scenario, action, body in plan]


def vertex_cases() -> list[Case]:
    base = "/v1/projects/p/locations/us-central1/publishers"
    plan = [
        ("vertex-gemini", "hello.sse", "hello", f"{base}/google/models/gemini-2.5-flash:streamGenerateContent?alt=sse", gemini_body()),
        ("vertex-anthropic", "hello.stream", "hello", f"{base}/anthropic/models/claude-sonnet-4@20250514:streamRawPredict", messages_body("vertex-2023-10-16", stream=True)),
        ("vertex-anthropic", "hello.whole", "hello", f"{base}/anthropic/models/claude-sonnet-4@20250514:rawPredict", messages_body("vertex-2023-10-16")),
    ]
    return [Case(dialect, name, scenario, path, body) for dialect, name, scenario, path, body in plan]


CASES = {case.file.relative_to(GOLDEN).as_posix(): case for case in gemini_cases() + gemini_embeddings_cases() + ollama_cases() + bedrock_cases() + vertex_cases()}


async def capture(client: TestClient[Any, Any], case: Case) -> bytes:
    """The body bytes one case answers."""
    headers = {"X-Mock-Scenario": case.scenario, "X-Mock-Seed": str(GOLDEN_SEED), "X-Mock-Speed": "0"}
    response = await client.post(case.path, json=case.body, headers=headers)
    assert response.headers.get("X-Mock-Scenario") == case.scenario, f"{case.name}: HTTP {response.status}: {await response.text()}"
    return await response.read()


async def regenerate() -> None:
    async with TestClient(TestServer(create_app(golden_config()))) as client:
        for case in CASES.values():
            case.file.parent.mkdir(parents=True, exist_ok=True)
            case.file.write_bytes(await capture(client, case))
            print(f"wrote {case.file.relative_to(GOLDEN.parent.parent)}")


if __name__ == "__main__":
    asyncio.run(regenerate())
