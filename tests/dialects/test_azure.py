"""Azure OpenAI routes: `AzureOpenAI` streamed and whole, deployments as scenarios, api-version, filters, errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import openai
import pytest
from aiohttp.test_utils import TestClient
from conftest import SCENARIOS
from openai import AzureOpenAI, OpenAI
from scenario_files import scenario, serving

from mockllm.dialects.azure import PROMPT_FILTER_RESULTS, TEXT_FILTER
from mockllm.server.app import create_app
from mockllm.server.config import ServerConfig

SEED = {"X-Mock-Seed": "9", "X-Mock-Speed": "0"}
VERSION = "2024-10-21"
USER: list[Any] = [{"role": "user", "content": "你好"}]
HELLO = "你好！我是 mockllm，一个用于测试的模拟大模型。Hello! How can I help you today?"


@pytest.fixture
def server(live_server: Any) -> Any:
    return live_server(speed=1.0)


@pytest.fixture
def azure(server: Any) -> Iterator[AzureOpenAI]:
    with AzureOpenAI(azure_endpoint=server.url, api_key="unused", api_version=VERSION, max_retries=0, default_headers=SEED) as client:
        yield client


@pytest.fixture
async def client(aiohttp_client: Any) -> TestClient[Any, Any]:
    return await aiohttp_client(create_app(ServerConfig(scenarios=SCENARIOS, speed=0, seed=1)))


def test_whole_chat_with_the_deployment_as_scenario(azure: AzureOpenAI) -> None:
    raw = azure.chat.completions.with_raw_response.create(model="hello", messages=USER)
    assert raw.headers["X-Mock-Scenario"] == "hello" and raw.headers["apim-request-id"]
    completion = raw.parse()
    assert completion.choices[0].message.content == HELLO and completion.choices[0].finish_reason == "stop"
    extra = completion.model_extra or {}
    assert extra["prompt_filter_results"] == PROMPT_FILTER_RESULTS
    assert (completion.choices[0].model_extra or {})["content_filter_results"]["violence"] == {"filtered": False, "severity": "safe"}


def test_streamed_chat_opens_with_the_prompt_filter_chunk(azure: AzureOpenAI) -> None:
    chunks = list(azure.chat.completions.create(model="hello", messages=USER, stream=True, stream_options={"include_usage": True}))
    first, *rest = chunks
    assert first.choices == [] and first.id == "" and (first.model_extra or {})["prompt_filter_results"] == PROMPT_FILTER_RESULTS
    assert "".join(c.choices[0].delta.content or "" for c in rest if c.choices) == HELLO
    texts = [c for c in rest if c.choices and c.choices[0].delta.content]
    assert all((c.choices[0].model_extra or {})["content_filter_results"] == TEXT_FILTER for c in texts)
    assert rest[-1].choices == [] and rest[-1].usage and rest[-1].usage.completion_tokens > 0


def test_the_stream_helper_and_tools_work_through_azure(azure: AzureOpenAI) -> None:
    tools: Any = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]
    with azure.chat.completions.stream(model="tool-call", messages=USER, tools=tools) as stream:
        final = stream.get_final_completion()
    [call] = final.choices[0].message.tool_calls or []
    assert final.choices[0].finish_reason == "tool_calls" and set(json.loads(call.function.arguments)) == {"city"}
    with azure.chat.completions.stream(model="hello", messages=USER) as stream:
        assert stream.get_final_completion().choices[0].message.content == HELLO


def test_completions_and_embeddings_through_azure(azure: AzureOpenAI) -> None:
    assert azure.completions.create(model="hello", prompt="x").choices[0].text == HELLO
    streamed = "".join(c.choices[0].text for c in azure.completions.create(model="hello", prompt="x", stream=True) if c.choices)
    assert streamed == HELLO
    vector = azure.embeddings.create(model="text-embedding-3-small", input="你好", dimensions=16).data[0].embedding
    with OpenAI(base_url=str(azure.base_url).split("/openai/")[0] + "/v1", api_key="x") as plain:
        same = plain.embeddings.create(model="text-embedding-3-small", input="你好", dimensions=16).data[0].embedding
    assert len(vector) == 16 and vector == same


def test_a_client_bound_to_a_deployment_selects_its_scenario(server: Any) -> None:
    with AzureOpenAI(azure_endpoint=server.url, azure_deployment="fast", api_key="x", api_version=VERSION, max_retries=0) as bound:
        raw = bound.chat.completions.with_raw_response.create(model="gpt-4o", messages=USER)
    assert raw.headers["X-Mock-Scenario"] == "fast" and raw.parse().model == "fast"


def test_the_v1_routes_need_no_api_version(server: Any) -> None:
    with OpenAI(base_url=server.url + "/openai/v1", api_key="x", max_retries=0) as v1:
        assert v1.chat.completions.create(model="hello", messages=USER).choices[0].message.content == HELLO
        assert v1.completions.create(model="hello", prompt="x").choices[0].text == HELLO
        assert len(v1.embeddings.create(model="text-embedding-3-small", input="x").data[0].embedding) == 1536


@pytest.mark.parametrize("route", ["chat/completions", "completions", "embeddings"])
async def test_a_missing_api_version_is_the_gateways_404(client: TestClient[Any, Any], route: str) -> None:
    response = await client.post(f"/openai/deployments/hello/{route}", json={"messages": USER, "prompt": "x", "input": "x"})
    assert response.status == 404 and await response.read() == b'{"error":{"code":"404","message": "Resource not found"}}'


@pytest.mark.parametrize("version", ["v2", "2024-10", "2024-10-21-beta", ""])
async def test_a_malformed_api_version_is_a_400(client: TestClient[Any, Any], version: str) -> None:
    response = await client.post(f"/openai/deployments/hello/chat/completions?api-version={version}", json={"messages": USER})
    assert response.status == 400 and await response.read() == b'{"error":{"code":"BadRequest","message":"API version not supported"}}'


@pytest.mark.parametrize("version", ["2024-10-21", "2025-04-01-preview", "preview", "latest"])
async def test_api_versions_are_accepted(client: TestClient[Any, Any], version: str) -> None:
    response = await client.post(f"/openai/deployments/hello/chat/completions?api-version={version}", json={"messages": USER})
    assert response.status == 200


def test_the_sdk_reads_the_gateway_errors(server: Any) -> None:
    with OpenAI(base_url=server.url + "/openai/deployments/hello", api_key="x", max_retries=0) as unversioned:
        with pytest.raises(openai.NotFoundError, match="Resource not found"):
            unversioned.chat.completions.create(model="hello", messages=USER)
    with AzureOpenAI(azure_endpoint=server.url, api_key="x", api_version="v2", max_retries=0) as wrong:
        with pytest.raises(openai.BadRequestError, match="API version not supported"):
            wrong.chat.completions.create(model="hello", messages=USER)


def test_content_filter_is_azures_400(azure: AzureOpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        azure.chat.completions.create(model="content-filter", messages=USER)
    error = raised.value
    assert error.code == "content_filter" and error.param == "prompt" and error.type is None
    body: Any = error.body
    assert body["status"] == 400 and body["innererror"]["code"] == "ResponsibleAIPolicyViolation"
    assert body["innererror"]["content_filter_result"]["violence"] == {"filtered": True, "severity": "medium"}


async def test_error_bodies_are_compact_on_azure_routes(client: TestClient[Any, Any]) -> None:
    response = await client.post(f"/openai/deployments/content-filter/chat/completions?api-version={VERSION}", json={"messages": USER})
    raw = await response.read()
    assert response.status == 400 and raw.startswith(b'{"error":{"message":"The response was filtered') and b"\n" not in raw


async def test_bad_input_is_a_400_on_azure_routes(client: TestClient[Any, Any]) -> None:
    for route, body, param in (
        ("chat/completions", {"messages": "hi"}, "messages"),
        ("completions", {"prompt": 5}, "prompt"),
        ("embeddings", {"input": "x", "dimensions": 0}, "dimensions"),
        ("chat/completions", {"messages": USER, "tool_choice": {"type": "function", "function": {"name": "f"}}}, "tool_choice"),
    ):
        response = await client.post(f"/openai/deployments/hello/{route}?api-version={VERSION}", json=body)
        assert response.status == 400 and (await response.json())["error"]["param"] == param, route


def test_a_content_filter_finish_marks_the_filtered_category(live_server: Any, tmp_path: Path) -> None:
    cut = scenario("cut-off", [{"say": "开始回答"}, {"finish": "content_filter"}])
    server = live_server(**vars(serving(tmp_path, cut)) | {"speed": 1.0})
    with AzureOpenAI(azure_endpoint=server.url, api_key="x", api_version=VERSION, max_retries=0) as azure:
        last = [c for c in azure.chat.completions.create(model="cut-off", messages=USER, stream=True) if c.choices][-1]
        whole = azure.chat.completions.create(model="cut-off", messages=USER)
    assert last.choices[0].finish_reason == "content_filter"
    assert (last.choices[0].model_extra or {})["content_filter_results"]["violence"] == {"filtered": True, "severity": "medium"}
    assert (whole.choices[0].model_extra or {})["content_filter_results"]["violence"]["filtered"] is True


@pytest.mark.parametrize("route", ["chat/completions", "completions"])
async def test_an_error_before_any_output_is_an_http_error_on_azure_streams(client: TestClient[Any, Any], route: str) -> None:
    """The opening filter chunk waits for the first output, so a 429 is still a 429 (and the SDK retries it)."""
    body = {"messages": USER, "prompt": "x", "stream": True}
    response = await client.post(f"/openai/deployments/rate-limited/{route}?api-version={VERSION}", json=body)
    assert response.status == 429 and response.headers["retry-after-ms"] == "120"
    assert (await response.json())["error"]["code"] == "rate_limit_exceeded"


def test_the_sdk_raises_rate_limit_errors_on_azure_streams(azure: AzureOpenAI) -> None:
    with pytest.raises(openai.RateLimitError):
        azure.chat.completions.create(model="rate-limited", messages=USER, stream=True)


async def test_the_route_list_has_every_azure_route(client: TestClient[Any, Any]) -> None:
    listed = set(await (await client.get("/_mock/routes")).json())
    for tail in ("chat/completions", "completions", "embeddings"):
        assert {f"POST /openai/deployments/{{deployment}}/{tail}", f"POST /openai/v1/{tail}"} <= listed
