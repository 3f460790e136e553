"""A request no route answers gets its 404 or 405 in the error shape of the provider whose API holds the path."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from conftest import SCENARIOS

from mockllm.dialects.registry import routing_dialect
from mockllm.server.app import create_app
from mockllm.server.config import ServerConfig

GOOGLE = {"x-goog-api-key": "k"}
ANTHROPIC = {"anthropic-version": "2023-06-01"}


@pytest.fixture
async def client(aiohttp_client: Any) -> TestClient[Any, Any]:
    return await aiohttp_client(create_app(ServerConfig(scenarios=SCENARIOS, speed=0, seed=1)))


@pytest.mark.parametrize(
    ("path", "headers", "query", "dialect"),
    [
        ("/v1/messages/batches", {}, {}, "anthropic"),
        ("/v1/messagesx", {}, {}, None),
        ("/v1/files", ANTHROPIC, {}, "anthropic"),
        ("/v1beta/models/m:embedContent", {}, {}, "gemini"),
        ("/v1/models/m:embedContent", GOOGLE, {}, "gemini"),
        ("/v1/models/m:embedContent", {}, {"key": "k"}, "gemini"),
        ("/v1/models/m:embedContent", {}, {}, None),
        ("/api/embed", {}, {}, "ollama"),
        ("/apix", {}, {}, None),
        ("/_mock/nope", GOOGLE, {}, None),
    ],
)
def test_the_provider_whose_api_holds_the_path_shapes_the_error(path: str, headers: dict[str, str], query: dict[str, str], dialect: str | None) -> None:
    found = routing_dialect(path, headers, query)
    assert (found.name if found else None) == dialect


async def test_anthropics_paths_answer_in_anthropics_shape(client: TestClient[Any, Any]) -> None:
    missing = await client.post("/v1/messages/batches", json={})
    body = await missing.json()
    assert missing.status == 404 and missing.headers["request-id"] == body["request_id"]
    assert body["type"] == "error" and body["error"] == {
        "type": "not_found_error",
        "message": "No route POST /v1/messages/batches. See GET /_mock/routes for what this server answers.",
    }
    wrong = await client.put("/v1/messages")
    assert (wrong.status, wrong.headers["Allow"]) == (405, "GET, POST")
    assert (await wrong.json())["error"] == {"type": "invalid_request_error", "message": "Method PUT is not allowed on /v1/messages; use GET, POST."}


async def test_geminis_paths_answer_in_googles_shape(client: TestClient[Any, Any]) -> None:
    missing = await client.post("/v1beta/cachedContents", json={})
    assert missing.status == 404 and (await missing.json())["error"] == {
        "code": 404,
        "message": "No route POST /v1beta/cachedContents. See GET /_mock/routes for what this server answers. "
        "App streams are served at /{framing}/{any/path} with a framing of: ai-sdk, miniprogram, ndjson, sse-json, text; or at a path of a routes map.",
        "status": "NOT_FOUND",
    }
    wrong = await client.put("/v1beta/models/hello:generateContent")
    assert wrong.status == 405 and wrong.headers["Allow"] == "GET, HEAD, POST" and (await wrong.json())["error"]["code"] == 405
    google = await client.get("/v1/cachedContents", headers=GOOGLE)
    other = await client.get("/v1/cachedContents")
    assert (await google.json())["error"]["status"] == "NOT_FOUND" and (await other.json())["error"]["type"] == "invalid_request_error"


async def test_ollamas_paths_answer_with_its_error_object(client: TestClient[Any, Any]) -> None:
    missing = await client.post("/api/embed", json={"model": "hello", "input": "x"})
    assert missing.status == 404 and list(await missing.json()) == ["error"]
    assert (await missing.json())["error"].startswith("No route POST /api/embed.")
    wrong = await client.get("/api/chat")
    assert (wrong.status, wrong.headers["Allow"], await wrong.json()) == (405, "POST", {"error": "Method GET is not allowed on /api/chat; use POST."})


async def test_other_paths_keep_openais_shape(client: TestClient[Any, Any]) -> None:
    for response in (await client.post("/v1/nope", json={}), await client.put("/v1/chat/completions")):
        assert set((await response.json())["error"]) == {"message", "type", "param", "code"}
