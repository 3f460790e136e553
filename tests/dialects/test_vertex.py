"""Vertex AI: google-genai with `vertexai=True` and AnthropicVertex against a live server, served by the Gemini and Anthropic dialects."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import anthropic
import pytest
from google import genai
from google.genai import errors
from google.genai.types import HttpOptions
from google.oauth2.credentials import Credentials

HELLO = "你好！我是 mockllm，一个用于测试的模拟大模型。Hello! How can I help you today?"
QUESTION = "你好，请介绍一下你自己。"
WEATHER = {"name": "get_weather", "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}


@pytest.fixture(scope="module")
def url(module_server_url: str) -> str:
    return module_server_url


@pytest.fixture(scope="module")
def genai_client(url: str) -> genai.Client:
    """google-genai on Vertex: a project and location, the server as base URL, a token that is never checked."""
    return genai.Client(
        vertexai=True, project="my-project", location="us-central1", http_options=HttpOptions(base_url=url), credentials=Credentials(token="x")
    )


@pytest.fixture(scope="module")
def claude(url: str) -> anthropic.AnthropicVertex:
    return anthropic.AnthropicVertex(region="us-east5", project_id="my-project", base_url=f"{url}/v1", access_token="x", max_retries=0)


def test_google_genai_streams_the_scenarios_text(genai_client: genai.Client) -> None:
    chunks = list(genai_client.models.generate_content_stream(model="hello", contents=QUESTION))
    assert "".join(chunk.text or "" for chunk in chunks) == HELLO and chunks[-1].candidates[0].finish_reason == "STOP"


def test_google_genai_answers_whole_and_counts_tokens(genai_client: genai.Client) -> None:
    assert genai_client.models.generate_content(model="hello", contents=QUESTION).text == HELLO
    assert genai_client.models.count_tokens(model="hello", contents=QUESTION).total_tokens > 0


def test_google_genai_raises_googles_error_shape(genai_client: genai.Client) -> None:
    with pytest.raises(errors.ClientError) as caught:
        genai_client.models.generate_content(model="rate-limited", contents=QUESTION)
    assert caught.value.code == 429 and caught.value.status == "RESOURCE_EXHAUSTED"


def test_anthropic_vertex_streams_the_scenarios_text(claude: anthropic.AnthropicVertex) -> None:
    with claude.messages.stream(model="hello", max_tokens=256, messages=[{"role": "user", "content": QUESTION}]) as stream:
        assert "".join(stream.text_stream) == HELLO
        assert stream.get_final_message().stop_reason == "end_turn"


def test_anthropic_vertex_answers_whole_and_calls_tools(claude: anthropic.AnthropicVertex) -> None:
    assert claude.messages.create(model="hello", max_tokens=256, messages=[{"role": "user", "content": QUESTION}]).content[0].text == HELLO
    message = claude.messages.create(model="tool-call", max_tokens=256, messages=[{"role": "user", "content": QUESTION}], tools=[WEATHER])
    [use] = [block for block in message.content if block.type == "tool_use"]
    assert use.name == "get_weather" and message.stop_reason == "tool_use"


def test_anthropic_vertex_counts_tokens(claude: anthropic.AnthropicVertex) -> None:
    assert claude.messages.count_tokens(model="hello", messages=[{"role": "user", "content": QUESTION}]).input_tokens > 0


def test_anthropic_vertex_raises_anthropics_errors(claude: anthropic.AnthropicVertex) -> None:
    with pytest.raises(anthropic.RateLimitError):
        claude.messages.create(model="rate-limited", max_tokens=256, messages=[{"role": "user", "content": QUESTION}])


@pytest.mark.parametrize("version", ["v1", "v1beta1"])
def test_both_api_versions_are_served(url: str, version: str) -> None:
    path = f"/{version}/projects/p/locations/europe-west4/publishers/google/models/hello:generateContent"
    body = json.dumps({"contents": [{"role": "user", "parts": [{"text": QUESTION}]}]}).encode()
    with urllib.request.urlopen(urllib.request.Request(url + path, data=body, headers={"Content-Type": "application/json"})) as response:
        assert json.loads(response.read())["candidates"][0]["content"]["parts"][0]["text"] == HELLO


def test_an_anthropic_body_without_anthropic_version_is_refused(url: str) -> None:
    path = "/v1/projects/p/locations/us-east5/publishers/anthropic/models/hello:rawPredict"
    body = json.dumps({"max_tokens": 10, "messages": [{"role": "user", "content": "hi"}]}).encode()
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(urllib.request.Request(url + path, data=body, headers={"Content-Type": "application/json"}))
    error = json.loads(caught.value.read())
    assert caught.value.code == 400 and error["error"] == {"type": "invalid_request_error", "message": "anthropic_version: Field required"}


def test_an_unknown_vertex_path_gets_googles_404(url: str) -> None:
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(urllib.request.Request(f"{url}/v1/projects/p/locations/l/publishers/google/models/hello:predict", data=b"{}"))
    assert caught.value.code == 404 and json.loads(caught.value.read())["error"]["status"] == "NOT_FOUND"
