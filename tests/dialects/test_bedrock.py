"""Bedrock Runtime: boto3 against a live server (Converse, ConverseStream, InvokeModel with an Anthropic body), errors, bad input, golden bytes."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from contextlib import closing
from typing import Any, Callable

import boto3
import pytest
from botocore.config import Config
from botocore.eventstream import EventStreamBuffer
from botocore.exceptions import ClientError, EventStreamError

from mockllm.core import eventstream
from mockllm.scenarios.presets import PROVIDER_PRESETS

HELLO = "你好！我是 mockllm，一个用于测试的模拟大模型。Hello! How can I help you today?"
THOUGHTS = "用户想知道我是谁。I should introduce myself in one short sentence."
ANSWER = "我是 mockllm，一个用于测试的模拟模型。I am a mock model for tests."
PARTIAL = "好的，我先回答一部分，The answer starts"
QUESTION = [{"role": "user", "content": [{"text": "你好，请介绍一下你自己。"}]}]
WEATHER = {
    "toolSpec": {
        "name": "get_weather",
        "inputSchema": {"json": {"type": "object", "properties": {"city": {"type": "string", "enum": ["北京", "上海"]}}, "required": ["city"]}},
    }
}
PROFILE = "us.anthropic.claude-sonnet-4-20250514-v1:0"
ARN = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-20250514-v1:0"


def anthropic_body(**changes: Any) -> str:
    return json.dumps({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 512, "messages": [{"role": "user", "content": "你好"}], **changes})


@pytest.fixture(scope="module")
def url(module_server_url: str) -> str:
    return module_server_url


@pytest.fixture(scope="module")
def client(url: str) -> Any:
    """boto3's bedrock-runtime client on the server, dummy credentials, no retries (a test of retries makes its own)."""
    return _client(url, retries=1)


def _client(url: str, retries: int) -> Any:
    config = Config(retries={"max_attempts": retries, "mode": "standard"})
    return boto3.client("bedrock-runtime", endpoint_url=url, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x", config=config)


def events(stream: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    for event in stream:
        [(name, value)] = event.items()
        yield name, value


def test_converse_returns_the_whole_message(client: Any) -> None:
    answer = client.converse(modelId="hello", messages=QUESTION)
    assert answer["output"]["message"] == {"role": "assistant", "content": [{"text": HELLO}]}
    assert answer["stopReason"] == "end_turn"
    usage = answer["usage"]
    assert usage["totalTokens"] == usage["inputTokens"] + usage["outputTokens"] and usage["outputTokens"] > 0


def test_converse_stream_yields_the_scenarios_text_in_order(client: Any) -> None:
    seen = list(events(client.converse_stream(modelId="hello", messages=QUESTION)["stream"]))
    names = [name for name, _ in seen]
    assert names[0] == "messageStart" and names[-3:] == ["contentBlockStop", "messageStop", "metadata"]
    assert "".join(value["delta"]["text"] for name, value in seen if name == "contentBlockDelta") == HELLO
    assert seen[-2][1] == {"stopReason": "end_turn"} and seen[-1][1]["usage"]["outputTokens"] > 0


def test_converse_stream_yields_a_tool_use_whose_input_parses(client: Any) -> None:
    seen = list(events(client.converse_stream(modelId="tool-call", messages=QUESTION, toolConfig={"tools": [WEATHER]})["stream"]))
    [start] = [value for name, value in seen if name == "contentBlockStart"]
    use = start["start"]["toolUse"]
    assert use["name"] == "get_weather" and use["toolUseId"].startswith("tooluse_")
    index = start["contentBlockIndex"]
    arguments = "".join(v["delta"]["toolUse"]["input"] for n, v in seen if n == "contentBlockDelta" and v["contentBlockIndex"] == index)
    assert json.loads(arguments)["city"] in ("北京", "上海")
    assert {"contentBlockIndex": index} in [value for name, value in seen if name == "contentBlockStop"]
    assert [value for name, value in seen if name == "messageStop"] == [{"stopReason": "tool_use"}]


def test_converse_stream_sends_reasoning_then_its_signature(client: Any) -> None:
    seen = list(events(client.converse_stream(modelId="think-then-answer", messages=QUESTION)["stream"]))
    reasoning = [v["delta"]["reasoningContent"] for n, v in seen if n == "contentBlockDelta" and "reasoningContent" in v["delta"]]
    assert "".join(r.get("text", "") for r in reasoning) == THOUGHTS and "signature" in reasoning[-1]
    assert "".join(v["delta"].get("text", "") for n, v in seen if n == "contentBlockDelta") == ANSWER


def test_converse_answers_a_tool_result_turn(client: Any) -> None:
    messages = [
        *QUESTION,
        {"role": "assistant", "content": [{"toolUse": {"toolUseId": "tooluse_1", "name": "get_weather", "input": {"city": "北京"}}}]},
        {"role": "user", "content": [{"toolResult": {"toolUseId": "tooluse_1", "content": [{"json": {"result": "晴，25°C"}}]}}]},
    ]
    answer = client.converse(modelId="agent-answer", messages=messages, toolConfig={"tools": [WEATHER]})
    assert "晴，25°C" in answer["output"]["message"]["content"][0]["text"]


def test_invoke_with_response_stream_carries_anthropics_events(client: Any) -> None:
    response = client.invoke_model_with_response_stream(modelId="hello", body=anthropic_body())
    assert response["contentType"] == "application/json"
    inner = [json.loads(event["chunk"]["bytes"]) for event in response["body"]]
    assert [e["type"] for e in inner][:2] == ["message_start", "content_block_start"] and inner[-1]["type"] == "message_stop"
    assert inner[0]["message"]["id"].startswith("msg_bdrk_01") and "ping" not in [e["type"] for e in inner]
    assert "".join(e["delta"]["text"] for e in inner if e["type"] == "content_block_delta") == HELLO
    metrics = inner[-1]["amazon-bedrock-invocationMetrics"]
    assert metrics["outputTokenCount"] == inner[-2]["usage"]["output_tokens"] > 0


def test_invoke_model_answers_the_whole_anthropic_message(client: Any) -> None:
    response = client.invoke_model(modelId="hello", body=anthropic_body())
    message = json.loads(response["body"].read())
    assert message["content"] == [{"type": "text", "text": HELLO}] and message["id"].startswith("msg_bdrk_01")
    headers = response["ResponseMetadata"]["HTTPHeaders"]
    assert headers["x-amzn-bedrock-output-token-count"] == str(message["usage"]["output_tokens"])


@pytest.mark.parametrize("model_id", [PROFILE, ARN], ids=["inference-profile", "arn"])
def test_an_encoded_model_id_is_read_decoded(client: Any, model_id: str) -> None:
    with closing(client.invoke_model_with_response_stream(modelId=model_id, body=anthropic_body())["body"]) as stream:
        first = json.loads(next(iter(stream))["chunk"]["bytes"])
    assert first["message"]["model"] == model_id


def test_a_rate_limit_raises_throttling_exception_with_bedrocks_message(client: Any) -> None:
    with pytest.raises(ClientError) as caught:
        client.converse_stream(modelId="rate-limited", messages=QUESTION)
    error = caught.value.response
    assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == ("ThrottlingException", 429)
    assert error["Error"]["Message"] == PROVIDER_PRESETS["Bedrock"]["rate_limited"].message
    assert isinstance(caught.value, client.exceptions.ThrottlingException)


def test_a_midstream_error_raises_event_stream_error_after_the_partial_text(client: Any) -> None:
    text = []
    with closing(client.converse_stream(modelId="midstream-error", messages=QUESTION)["stream"]) as stream, pytest.raises(EventStreamError) as caught:
        for name, value in events(stream):
            text.append(value["delta"]["text"] if name == "contentBlockDelta" else "")
    assert "".join(text) == PARTIAL and caught.value.response["Error"]["Code"] == "internalServerException"


def test_a_midstream_error_ends_an_invoke_stream_too(client: Any) -> None:
    with (
        closing(client.invoke_model_with_response_stream(modelId="midstream-error", body=anthropic_body())["body"]) as stream,
        pytest.raises(EventStreamError) as caught,
    ):
        list(stream)
    assert caught.value.response["Error"]["Code"] == "internalServerException"


def test_retries_of_a_throttled_request_reach_the_answer(url: str) -> None:
    answer = _client(url, retries=3).converse(modelId="fail-twice-then-succeed", messages=QUESTION)
    assert answer["output"]["message"]["content"] == [{"text": HELLO}]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda c: c.converse(modelId="hello", messages=[{"role": "bot", "content": [{"text": "hi"}]}]), "messages.1.member.role"),
        (lambda c: c.converse(modelId="hello", messages=[]), "A conversation must start with a user message"),
        (lambda c: c.invoke_model(modelId="hello", body=json.dumps({"max_tokens": 5, "messages": []})), "required key [anthropic_version] not found"),
        (lambda c: c.invoke_model(modelId="hello", body=anthropic_body(max_tokens="many")), "max_tokens"),
        (lambda c: c.invoke_model(modelId="hello", body="{not json"), "Malformed input request"),
    ],
    ids=["bad-role", "no-messages", "no-anthropic-version", "bad-max-tokens", "not-json"],
)
def test_bad_input_is_a_validation_exception(client: Any, call: Callable[[Any], Any], message: str) -> None:
    with pytest.raises(client.exceptions.ValidationException) as caught:
        call(client)
    assert message in caught.value.response["Error"]["Message"]


def test_the_stream_is_aws_event_stream_framing(url: str) -> None:
    """Raw bytes: the content type, and every message decodes with valid CRCs (botocore checks them) into `:event-type` events."""
    import urllib.request

    body = json.dumps({"messages": QUESTION}).encode()
    request = urllib.request.Request(f"{url}/model/hello/converse-stream", data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        assert response.headers["Content-Type"] == eventstream.CONTENT_TYPE
        raw = response.read()
    buffer = EventStreamBuffer()
    buffer.add_data(raw)
    messages = list(buffer)
    assert sum(m.prelude.total_length for m in messages) == len(raw)
    assert {m.headers[":message-type"] for m in messages} == {"event"} and {m.headers[":content-type"] for m in messages} == {"application/json"}
    payloads = [json.loads(m.payload) for m in messages]
    assert all(set(p["p"]) <= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for p in payloads)
    assert all(list(p) == sorted(p) for p in payloads)


def test_chunk_bytes_are_base64_of_compact_anthropic_json(url: str) -> None:
    import urllib.request

    request = urllib.request.Request(f"{url}/model/hello/invoke-with-response-stream", data=anthropic_body().encode())
    with urllib.request.urlopen(request) as response:
        raw = response.read()
    for headers, payload, _ in eventstream.messages(raw):
        inner = base64.b64decode(json.loads(payload)["bytes"])
        assert headers[":event-type"] == "chunk" and inner == json.dumps(json.loads(inner), ensure_ascii=False, separators=(",", ":")).encode()
