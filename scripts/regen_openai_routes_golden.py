"""Rewrite the golden byte files of the other OpenAI routes (run it on purpose, then review the diff).

    python scripts/regen_openai_routes_golden.py            # every case
    python scripts/regen_openai_routes_golden.py azure-openai/hello.stream.txt

Legacy completions, embeddings, Azure OpenAI (chat, completions, embeddings)
and structured output on Chat: each case is one request served in-process at
speed 0 with seed GOLDEN_SEED; the body is stored byte for byte as
`tests/golden/<dialect>/<case>` and the status is part of the case.
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer
from regen_golden import GOLDEN, GOLDEN_SEED, MESSAGES, TOOLS, golden_config

from mockllm.server.app import create_app

AZURE = "api-version=2024-10-21"
WEATHER_FORMAT = {
    "type": "json_schema",
    "json_schema": {
        "name": "weather",
        "strict": True,
        "schema": {
            "type": "object",
            "properties": {"city": {"type": "string", "enum": ["北京", "上海"]}, "high_c": {"type": "integer", "minimum": -10, "maximum": 40}},
            "required": ["city", "high_c"],
            "additionalProperties": False,
        },
    },
}
STREAM = {"stream": True, "stream_options": {"include_usage": True}}


@dataclass(frozen=True)
class Case:
    """One golden request: where it goes, what it sends, the status it gets."""

    path: str
    body: dict[str, Any]
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


def chat(model: str, **body: Any) -> dict[str, Any]:
    return {"model": model, "messages": MESSAGES, "tools": TOOLS, **body}


def completion(model: str, **body: Any) -> dict[str, Any]:
    return {"model": model, "prompt": "你好，请介绍一下你自己。", **body}


def embedding(model: str, **body: Any) -> dict[str, Any]:
    return {"model": model, "input": ["你好", "Who are you?"], "dimensions": 8, **body}


CASES: dict[str, Case] = {
    "openai-completions/hello.stream.txt": Case("/v1/completions", completion("hello", **STREAM)),
    "openai-completions/hello.whole.json": Case("/v1/completions", completion("hello")),
    "openai-completions/two-prompts-echo.stream.txt": Case("/v1/completions", completion("fast", prompt=["一", "二"], echo=True, stream=True)),
    "openai-completions/midstream-error.stream.txt": Case("/v1/completions", completion("midstream-error", stream=True)),
    "openai-completions/rate-limited.whole.json": Case("/v1/completions", completion("rate-limited"), 429),
    "openai-embeddings/float.json": Case("/v1/embeddings", embedding("text-embedding-3-small", encoding_format="float")),
    "openai-embeddings/base64.json": Case("/v1/embeddings", embedding("text-embedding-3-small", encoding_format="base64")),
    "openai-embeddings/rate-limited.json": Case("/v1/embeddings", embedding("rate-limited"), 429),
    "openai-structured/json-schema.stream.txt": Case("/v1/chat/completions", chat("hello", response_format=WEATHER_FORMAT, **STREAM)),
    "openai-structured/json-schema.whole.json": Case("/v1/chat/completions", chat("hello", response_format=WEATHER_FORMAT)),
    "openai-structured/json-object.whole.json": Case(
        "/v1/chat/completions", chat("fast", messages=[{"role": "user", "content": "Answer in JSON."}], response_format={"type": "json_object"})
    ),
    "azure-openai/hello.stream.txt": Case(f"/openai/deployments/hello/chat/completions?{AZURE}", chat("gpt-4o", **STREAM)),
    "azure-openai/hello.whole.json": Case(f"/openai/deployments/hello/chat/completions?{AZURE}", chat("gpt-4o")),
    "azure-openai/tool-call.stream.txt": Case(f"/openai/deployments/tool-call/chat/completions?{AZURE}", chat("gpt-4o", stream=True)),
    "azure-openai/tool-call.whole.json": Case(f"/openai/deployments/tool-call/chat/completions?{AZURE}", chat("gpt-4o")),
    "azure-openai/midstream-error.stream.txt": Case(f"/openai/deployments/midstream-error/chat/completions?{AZURE}", chat("gpt-4o", stream=True)),
    "azure-openai/content-filter.whole.json": Case(f"/openai/deployments/content-filter/chat/completions?{AZURE}", chat("gpt-4o"), 400),
    "azure-openai/missing-api-version.json": Case("/openai/deployments/hello/chat/completions", chat("gpt-4o"), 404),
    "azure-openai/bad-api-version.json": Case("/openai/deployments/hello/chat/completions?api-version=v2", chat("gpt-4o"), 400),
    "azure-openai/v1-fast.stream.txt": Case("/openai/v1/chat/completions", chat("fast", stream=True)),
    "azure-openai-completions/hello.stream.txt": Case(f"/openai/deployments/hello/completions?{AZURE}", completion("gpt-35-turbo-instruct", **STREAM)),
    "azure-openai-completions/hello.whole.json": Case(f"/openai/deployments/hello/completions?{AZURE}", completion("gpt-35-turbo-instruct")),
    "azure-openai-embeddings/float.json": Case(f"/openai/deployments/default/embeddings?{AZURE}", embedding("text-embedding-3-small", encoding_format="float")),
}


async def capture(client: TestClient[Any, Any], name: str) -> bytes:
    """The body bytes case `name` answers (after checking its status)."""
    case = CASES[name]
    headers = {"X-Mock-Seed": str(GOLDEN_SEED), "X-Mock-Speed": "0", **case.headers}
    response = await client.post(case.path, json=case.body, headers=headers)
    body = await response.read()
    assert response.status == case.status, f"{name}: HTTP {response.status}: {body.decode(errors='replace')}"
    return body


def golden_path(name: str) -> Path:
    return GOLDEN / name


async def regenerate(names: list[str]) -> None:
    async with TestClient(TestServer(create_app(golden_config()))) as client:
        for name in names:
            path = golden_path(name)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(await capture(client, name))
            print(f"wrote {path.relative_to(GOLDEN.parent.parent)}")


def main(argv: list[str]) -> int:
    unknown = [n for n in argv if n not in CASES]
    if unknown:
        print(f"unknown case(s): {', '.join(unknown)}; known: {', '.join(CASES)}", file=sys.stderr)
        return 1
    asyncio.run(regenerate(argv or list(CASES)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
