"""Gemini embeddings with the official google-genai SDK against a live server: one text and a batch, sizes, determinism, errors."""

from __future__ import annotations

import math

import httpx
import pytest
from google import genai
from google.genai import errors, types

from mockllm.dialects.gemini_embeddings import vector
from mockllm.scenarios.presets import PROVIDER_PRESETS
from mockllm.server.state import STATE

MODEL = "gemini-embedding-001"


@pytest.fixture
def server(live_server):
    return live_server()


def client(server, api_version: str | None = None) -> genai.Client:
    """A client of the live server (google-genai's default API version is v1)."""
    return genai.Client(api_key="mock-key", http_options=types.HttpOptions(base_url=server.url, api_version=api_version))


def embed(gemini: genai.Client, contents, model: str = MODEL, **config) -> list[list[float]]:
    result = gemini.models.embed_content(model=model, contents=contents, config=types.EmbedContentConfig(**config) if config else None)
    return [item.values or [] for item in result.embeddings or []]


def norm(values: list[float]) -> float:
    return math.sqrt(sum(x * x for x in values))


@pytest.mark.parametrize("api_version", [None, "v1beta"], ids=["v1", "v1beta"])
def test_one_text_and_a_batch_get_unit_vectors_of_the_models_size(server, api_version):
    gemini = client(server, api_version)
    [single] = embed(gemini, "你好")
    batch = embed(gemini, ["你好", "hello", "世界"])
    assert len(single) == 3072 and norm(single) == pytest.approx(1, abs=1e-5)
    assert len(batch) == 3 and all(len(values) == 3072 and norm(values) == pytest.approx(1, abs=1e-5) for values in batch)
    assert [len(values) for values in embed(gemini, ["a", "b"], model="text-embedding-004")] == [768, 768]
    path = server.call(lambda: server.app[STATE].journal.entries()[-1]["path"])
    assert path.endswith("/models/text-embedding-004:batchEmbedContents")


def test_the_same_text_gets_the_same_vector_and_another_text_another(server):
    gemini = client(server)
    first = embed(gemini, "北京")[0]
    again = embed(gemini, ["上海", "北京"])[1]
    assert first == again and first == vector("北京", MODEL)
    assert embed(gemini, "上海")[0] != first
    assert embed(gemini, "北京", model="text-embedding-004")[0] != first[:768]


@pytest.mark.parametrize("size", [768, 1536])
def test_output_dimensionality_keeps_the_first_values_of_the_full_vector(server, size):
    gemini = client(server)
    full = embed(gemini, "短")[0]
    short = embed(gemini, ["短", "长"], output_dimensionality=size, task_type="RETRIEVAL_DOCUMENT", title="文档")
    assert [len(values) for values in short] == [size, size]
    assert short[0] == full[:size] and norm(short[0]) < 1  # as Gemini: only the full-size vector is normalised


def test_embed_content_answers_one_embedding(server):
    body = {"model": f"models/{MODEL}", "content": {"parts": [{"text": "你好"}]}, "outputDimensionality": 8}
    response = httpx.post(f"{server.url}/v1beta/models/{MODEL}:embedContent", json=body, headers={"x-goog-api-key": "mock-key"})
    assert response.status_code == 200 and response.json() == {"embedding": {"values": vector("你好", MODEL, 8)}}


@pytest.mark.parametrize(
    ("scenario", "preset", "kind", "code", "status"),
    [
        ("rate-limited", "rate_limited", errors.ClientError, 429, "RESOURCE_EXHAUSTED"),
        ("invalid-api-key", "invalid_api_key", errors.ClientError, 400, "INVALID_ARGUMENT"),
        ("internal-server-error", "server_error", errors.ServerError, 500, "INTERNAL"),
    ],
)
def test_an_error_preset_of_the_models_scenario_raises_the_sdk_error(server, scenario, preset, kind, code, status):
    with pytest.raises(kind) as raised:
        embed(client(server), ["x", "y"], model=scenario)
    assert (raised.value.code, raised.value.status) == (code, status)
    assert raised.value.message == PROVIDER_PRESETS["Gemini"][preset].message.replace("{{model}}", scenario)


def test_a_size_beyond_the_model_is_a_400_the_sdk_raises(server):
    with pytest.raises(errors.ClientError) as raised:
        embed(client(server), "x", output_dimensionality=4000)
    assert (raised.value.code, raised.value.status) == (400, "INVALID_ARGUMENT")
    assert "between 1 and 3072" in raised.value.message


@pytest.mark.parametrize(
    ("method", "body", "words"),
    [
        ("embedContent", b"{not json", "Invalid JSON payload received."),
        ("embedContent", b'{"content": {"parts": []}}', "content.parts: contents.parts must not be empty"),
        ("embedContent", b'{"content": {"parts": [{"text": "a"}]}, "outputDimensionality": "many"}', "Invalid value at 'output_dimensionality'"),
        ("batchEmbedContents", b'{"requests": []}', "requests: requests is not specified"),
        ("batchEmbedContents", b'{"requests": [{"content": {"parts": [{"text": "a"}]}, "taskType": "NOPE"}]}', "Invalid value at 'requests[0].task_type'"),
        ("batchEmbedContents", b'{"requests": [{"model": "models/other", "content": {"parts": [{"text": "a"}]}}]}', "requests[0].model"),
        ("batchEmbedContents", b'{"requests": [' + b",".join([b'{"content": {"parts": [{"text": "a"}]}}'] * 101) + b"]}", "at most 100 requests"),
    ],
    ids=["not-json", "no-parts", "size-not-a-number", "no-requests", "unknown-task-type", "other-model", "too-many"],
)
def test_a_malformed_body_is_a_400_in_googles_shape(server, method, body, words):
    response = httpx.post(f"{server.url}/v1beta/models/{MODEL}:{method}", content=body, headers={"Content-Type": "application/json", "x-goog-api-key": "k"})
    error = response.json()["error"]
    assert (response.status_code, error["code"], error["status"]) == (400, 400, "INVALID_ARGUMENT") and words in error["message"]


def test_the_routes_are_listed_and_get_still_fetches_models(server):
    listed = httpx.get(f"{server.url}/_mock/routes").json()
    for version in ("v1", "v1beta"):
        for method in ("embedContent", "batchEmbedContents"):
            assert f"POST /{version}/models/{{model}}:{method}" in listed
    assert client(server, "v1beta").models.get(model="hello").name == "models/hello"
