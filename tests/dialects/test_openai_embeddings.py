"""Embeddings (`POST /v1/embeddings`): deterministic unit vectors, both encodings, dimensions, inputs, usage, errors."""

from __future__ import annotations

import base64
import math
import struct
from typing import Any, Iterator

import openai
import pytest
from aiohttp.test_utils import TestClient
from conftest import SCENARIOS
from openai import OpenAI

from mockllm.core import tokens
from mockllm.dialects.openai_embeddings import embedding
from mockllm.server.app import create_app
from mockllm.server.config import ServerConfig

MODEL = "text-embedding-3-small"


@pytest.fixture
def sdk(live_server: Any) -> Iterator[OpenAI]:
    with OpenAI(base_url=live_server(speed=1.0).url + "/v1", api_key="sk-unused", max_retries=0) as client:
        yield client


@pytest.fixture
async def client(aiohttp_client: Any) -> TestClient[Any, Any]:
    return await aiohttp_client(create_app(ServerConfig(scenarios=SCENARIOS, speed=0)))


def float32_bytes(vector: list[float]) -> bytes:
    return struct.pack(f"<{len(vector)}f", *vector)


def norm(vector: list[float]) -> float:
    return math.sqrt(sum(x * x for x in vector))


def test_the_sdk_default_base64_decodes_to_unit_vectors_of_the_models_size(sdk: OpenAI) -> None:
    result = sdk.embeddings.create(model=MODEL, input=["你好", "hello"])
    assert [d.index for d in result.data] == [0, 1] and result.model == MODEL and result.object == "list"
    for item in result.data:
        assert len(item.embedding) == 1536 and norm(item.embedding) == pytest.approx(1, abs=1e-5)
    assert result.data[0].embedding != result.data[1].embedding
    large = sdk.embeddings.create(model="text-embedding-3-large", input="你好").data[0].embedding
    assert len(large) == 3072


def test_same_text_and_model_give_the_same_vector_whatever_the_seed(sdk: OpenAI) -> None:
    first = sdk.embeddings.create(model=MODEL, input="北京", extra_headers={"X-Mock-Seed": "1"}).data[0].embedding
    again = sdk.embeddings.create(model=MODEL, input=["上海", "北京"], extra_headers={"X-Mock-Seed": "2"}).data[1].embedding
    other_model = sdk.embeddings.create(model="text-embedding-3-large", input="北京", dimensions=1536).data[0].embedding
    assert first == again and first != other_model


def test_float_and_base64_carry_the_same_float32_values(sdk: OpenAI) -> None:
    floats = sdk.embeddings.create(model=MODEL, input="一致", encoding_format="float").data[0].embedding
    decoded = sdk.embeddings.create(model=MODEL, input="一致").data[0].embedding
    assert float32_bytes(floats) == float32_bytes(decoded)  # the 9-digit decimals name the same float32 values


async def test_base64_is_little_endian_float32(client: TestClient[Any, Any]) -> None:
    body = {"model": MODEL, "input": "bytes", "encoding_format": "base64", "dimensions": 4}
    raw = (await (await client.post("/v1/embeddings", json=body)).json())["data"][0]["embedding"]
    assert isinstance(raw, str)
    assert base64.b64decode(raw) == float32_bytes(embedding("bytes", MODEL, 4))


def test_dimensions_shortens_and_renormalises(sdk: OpenAI) -> None:
    full = sdk.embeddings.create(model=MODEL, input="短", encoding_format="float").data[0].embedding
    short = sdk.embeddings.create(model=MODEL, input="短", dimensions=64, encoding_format="float").data[0].embedding
    assert len(short) == 64 and norm(short) == pytest.approx(1, abs=1e-6)
    scale = norm(full[:64])
    assert [x * scale for x in short] == pytest.approx(full[:64], abs=1e-6)  # the same direction, as OpenAI shortens


def test_token_inputs_and_usage(sdk: OpenAI) -> None:
    tokens_in = sdk.embeddings.create(model=MODEL, input=[[1, 2, 3], [4]])
    assert len(tokens_in.data) == 2
    texts = ["你好，世界", "Who are you?"]
    result = sdk.embeddings.create(model=MODEL, input=texts)
    assert result.usage.prompt_tokens == result.usage.total_tokens == sum(map(tokens.count, texts))


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"input": ""}, "input"),
        ({"input": []}, "input"),
        ({"input": ["a", ""]}, "input"),
        ({"input": [-1]}, "input"),
        ({"input": {"text": "a"}}, "input"),
        ({"input": ["a"] * 2049}, "input"),
        ({"input": "a", "dimensions": 0}, "dimensions"),
        ({"input": "a", "dimensions": 1537}, "dimensions"),
        ({"input": "a", "dimensions": "8"}, "dimensions"),
        ({"input": "a", "dimensions": True}, "dimensions"),
        ({"input": "a", "model": "text-embedding-ada-002", "dimensions": 8}, "dimensions"),
        ({"input": "a", "encoding_format": "hex"}, "encoding_format"),
        ({"input": "a", "model": 3}, "model"),
    ],
    ids=[
        "empty-string",
        "empty-list",
        "empty-item",
        "negative-token",
        "object",
        "too-many",
        "zero-dimensions",
        "too-many-dimensions",
        "dimensions-text",
        "dimensions-bool",
        "ada-has-fixed-size",
        "unknown-encoding",
        "model-not-a-string",
    ],
)
async def test_bad_input_is_a_400_in_openais_shape(client: TestClient[Any, Any], body: dict[str, Any], param: str) -> None:
    response = await client.post("/v1/embeddings", json={"model": MODEL, **body})
    assert response.status == 400
    error = (await response.json())["error"]
    assert error["param"] == param and error["type"] == "invalid_request_error" and error["message"]


def test_a_request_selecting_an_error_scenario_gets_its_error(sdk: OpenAI) -> None:
    with pytest.raises(openai.RateLimitError) as raised:
        sdk.embeddings.create(model="rate-limited", input="x")
    assert raised.value.response.headers["retry-after-ms"] == "120"
    with pytest.raises(openai.InternalServerError):
        sdk.embeddings.create(model=MODEL, input="x", extra_headers={"X-Mock-Scenario": "server-error"})


def test_a_session_counts_attempts_on_embeddings(sdk: OpenAI) -> None:
    """`fail-twice-then-succeed` fails the first two attempts of a session; the SDK's own retries get through."""
    with OpenAI(base_url=str(sdk.base_url), api_key="sk-unused", max_retries=2) as retrying:
        headers = {"X-Mock-Session": "embeddings-attempts", "X-Mock-Scenario": "fail-twice-then-succeed", "retry-after-ms": "0"}
        result = retrying.embeddings.with_raw_response.create(model=MODEL, input="x", extra_headers=headers)
    assert result.headers["X-Mock-Attempt"] == "3" and len(result.parse().data[0].embedding) == 1536
