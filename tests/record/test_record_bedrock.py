"""Record and replay Bedrock with boto3: a ConverseStream agent turn (reasoning, text, tool use), an Anthropic invoke stream, a throttled call."""

from __future__ import annotations

import json
from contextlib import closing
from pathlib import Path
from typing import Any, Iterator

import boto3
import pytest
from botocore.config import Config
from recording import AGENT_LOOP, SECRET, Recording, assert_paced_like_the_upstream, recording, step_kinds

MODEL = "anthropic.claude-3-5-haiku-20241022-v1:0"
TOOLS = {"tools": [{"toolSpec": {"name": "get_weather", "inputSchema": {"json": {"type": "object", "properties": {"city": {"type": "string"}}}}}}]}
QUESTION = [{"role": "user", "content": [{"text": "Weather in Paris?"}]}]


@pytest.fixture
def servers(tmp_path: Path, live_server: Any) -> Iterator[Recording]:
    with recording(tmp_path, live_server, AGENT_LOOP) as recorded:
        yield recorded


def bedrock(url: str) -> Any:
    config = Config(retries={"max_attempts": 1})
    return boto3.client("bedrock-runtime", endpoint_url=url, region_name="us-east-1", aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key=SECRET, config=config)


def converse_turn(url: str) -> list[Any]:
    """The ConverseStream events of turn 0, without Bedrock's random padding and the measured latency."""
    seen = []
    with closing(bedrock(url).converse_stream(modelId=MODEL, messages=QUESTION, toolConfig=TOOLS)["stream"]) as stream:
        for event in stream:
            seen.append({name: {k: v for k, v in value.items() if k != "metrics"} for name, value in event.items()})
    return seen


def test_a_converse_stream_turn_is_recorded_and_replays_the_same(servers: Recording) -> None:
    live = converse_turn(servers.recorder.url)
    [turn] = servers.conversation("weather-in-paris")
    assert step_kinds(turn) == ["think", "say", "tool_call"] and turn["steps"][2]["tool_call"]["name"] == "get_weather"
    assert json.loads(turn["steps"][2]["tool_call"]["arguments"]) == {"city": "Paris"}
    assert_paced_like_the_upstream(turn["stream"])
    replayed = converse_turn(servers.replay().url)
    text = lambda events: "".join(e["contentBlockDelta"]["delta"].get("text", "") for e in events if "contentBlockDelta" in e)  # noqa: E731
    assert text(replayed) == text(live) == "Let me look that up."
    assert [e for e in replayed if "messageStop" in e] == [{"messageStop": {"stopReason": "tool_use"}}]


def test_an_anthropic_invoke_stream_is_recorded(servers: Recording) -> None:
    body = json.dumps({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 256, "messages": [{"role": "user", "content": "hello there"}]})
    with closing(bedrock(servers.recorder.url).invoke_model_with_response_stream(modelId=MODEL, body=body)["body"]) as stream:
        events = [json.loads(event["chunk"]["bytes"]) for event in stream]
    assert "".join(e["delta"]["text"] for e in events if e["type"] == "content_block_delta") == "你好，我是上游的回答。"
    [turn] = servers.conversation("hello-there")
    assert turn["steps"] == [{"say": "你好，我是上游的回答。"}] and SECRET not in servers.written()


def test_a_throttled_call_is_recorded_as_its_exception(servers: Recording) -> None:
    client = bedrock(servers.recorder.url)
    with pytest.raises(client.exceptions.ThrottlingException):
        client.converse(modelId=MODEL, messages=[{"role": "user", "content": [{"text": "busy"}]}])
    [turn] = servers.conversation("busy")
    assert turn["steps"] == [{"error": {"status": 429, "message": "Too many requests, please wait before trying again."}}]
    replay = bedrock(servers.replay().url)
    with pytest.raises(replay.exceptions.ThrottlingException):
        replay.converse(modelId=MODEL, messages=[{"role": "user", "content": [{"text": "busy"}]}])
