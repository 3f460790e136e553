"""The other OpenAI routes from Node: openai-node (completions, embeddings, AzureOpenAI) and the AI SDK over `@ai-sdk/openai`.

One run of `tests/browser/openai_routes.mjs` against a live server; each test checks one client's view.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

import jsonschema
import pytest
from conftest import REPO, SCENARIOS, LiveServer

from mockllm.server.config import ServerConfig

HELLO = "你好！我是 mockllm，一个用于测试的模拟大模型。Hello! How can I help you today?"
SCHEMA = {
    "type": "object",
    "properties": {"city": {"type": "string", "enum": ["北京", "上海"]}, "high_c": {"type": "integer", "minimum": -10, "maximum": 40}},
    "required": ["city", "high_c"],
    "additionalProperties": False,
}


@pytest.fixture(scope="module")
def seen() -> Any:
    node = shutil.which("node")
    assert node, "Node.js is needed to test the Node clients (`node` is not on PATH)"
    server = LiveServer(ServerConfig(scenarios=SCENARIOS, speed=1.0, seed=1)).start()
    try:
        given = {"baseURL": server.url, "headers": {"X-Mock-Seed": "4", "X-Mock-Speed": "0"}, "schema": SCHEMA}
        result = subprocess.run(
            [node, "openai_routes.mjs"], cwd=REPO / "tests" / "browser", input=json.dumps(given), capture_output=True, text=True, timeout=180
        )
    finally:
        server.stop()
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_openai_node_legacy_completions(seen: Any) -> None:
    assert seen["completion"] == seen["completionStream"] == HELLO


@pytest.mark.parametrize("key", ["embedding", "azureEmbedding", "aiEmbedding"])
def test_embeddings_decode_to_the_same_unit_vector(seen: Any, key: str) -> None:
    assert seen[key]["length"] == 1536 and seen[key]["norm"] == pytest.approx(1, abs=1e-5)
    assert seen[key]["first"] == pytest.approx(seen["embedding"]["first"], abs=1e-7)


def test_openai_node_azure_client_streamed_and_whole(seen: Any) -> None:
    assert [seen["azureChat"], seen["azureStream"], seen["azureFinal"]] == [HELLO] * 3


def test_ai_sdk_structured_output_streams_partial_objects_and_validates(seen: Any) -> None:
    assert seen["aiObject"]["partials"] > 1
    jsonschema.validate(seen["aiObject"]["output"], SCHEMA)


def test_ai_sdk_completion_model_streams_the_text(seen: Any) -> None:
    assert seen["aiCompletion"] == HELLO
