"""Cohere v2 Chat: golden bytes, request parsing, bad input, and the official `cohere` SDK against a live server."""

from __future__ import annotations

import json
import logging
import urllib.request
from typing import Any, Iterator

import cohere
import pytest
from aiohttp.test_utils import TestClient
from conftest import SCENARIOS
from node_clients import run_node

from mockllm.core.errors import RequestError
from mockllm.core.incoming import Incoming
from mockllm.core.request import ChatRequest, ToolResult
from mockllm.dialects.cohere import Cohere
from mockllm.scenarios.presets import PROVIDER_PRESETS
from mockllm.server.app import create_app
from mockllm.server.config import ServerConfig

DIALECT = Cohere()
HI = [{"role": "user", "content": "你好"}]
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather in a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}
HELLO_TEXT = "你好！我是 mockllm，一个用于测试的模拟大模型。Hello! How can I help you today?"
SEED = {"X-Mock-Seed": "1"}


def parse(body: Any) -> ChatRequest:
    return DIALECT.parse(Incoming("POST", "/v2/chat", {}, {}, b"", json=body))


def events(raw: bytes) -> list[tuple[str, dict[str, Any]]]:
    """The (event line, data) pairs of an SSE body; fails unless every event is `event:` + `data:` naming the same type."""
    assert raw.endswith(b"\n\n")
    out = []
    for block in raw.decode().split("\n\n")[:-1]:
        name_line, data_line = block.split("\n")
        name, data = name_line.removeprefix("event: "), json.loads(data_line.removeprefix("data: "))
        assert data["type"] == name
        out.append((name, data))
    return out


@pytest.fixture
async def client(aiohttp_client: Any) -> TestClient[Any, Any]:
    return await aiohttp_client(create_app(ServerConfig(scenarios=SCENARIOS, speed=0, seed=1)))


@pytest.fixture
def server(live_server: Any) -> Any:
    return live_server(speed=0)


@pytest.fixture
def sdk(server: Any) -> Iterator[cohere.ClientV2]:
    """The official client pointed at the live server (closed after the test)."""
    with cohere.ClientV2(api_key="x", base_url=server.url) as client:
        yield client


# --- golden bytes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "scenario", "stream", "status", "extra"),
    [
        ("hello.stream.txt", "hello", True, 200, {}),
        ("hello.whole.json", "hello", False, 200, {}),
        ("tool-call.stream.txt", "tool-call", True, 200, {"tools": [WEATHER]}),
        ("tool-call.whole.json", "tool-call", False, 200, {"tools": [WEATHER]}),
        ("think-then-answer.stream.txt", "think-then-answer", True, 200, {}),
        ("rate-limited.stream.json", "rate-limited", True, 429, {}),
        ("midstream-error.stream.txt", "midstream-error", True, 200, {}),
    ],
)
async def test_answers_are_golden(client: TestClient[Any, Any], golden: Any, name: str, scenario: str, stream: bool, status: int, extra: dict[str, Any]) -> None:
    response = await client.post("/v2/chat", json={"model": scenario, "stream": stream, "messages": HI, **extra}, headers=SEED)
    assert response.status == status
    expected_type = "text/event-stream" if stream and status == 200 else "application/json"
    assert response.content_type == expected_type
    golden.check(f"cohere/{name}", await response.read())


async def test_a_stream_is_message_start_blocks_then_message_end(client: TestClient[Any, Any]) -> None:
    response = await client.post("/v2/chat", json={"model": "hello", "stream": True, "messages": HI}, headers=SEED)
    stream = events(await response.read())
    names = [name for name, _ in stream]
    assert names[:2] == ["message-start", "content-start"] and names[-2:] == ["content-end", "message-end"]
    assert set(names[2:-2]) == {"content-delta"}
    assert "".join(data["delta"]["message"]["content"]["text"] for name, data in stream if name == "content-delta") == HELLO_TEXT
    end = stream[-1][1]["delta"]
    assert end["finish_reason"] == "COMPLETE" and end["usage"]["billed_units"]["output_tokens"] > 0


async def test_a_midstream_error_is_a_message_end_with_finish_reason_error(client: TestClient[Any, Any]) -> None:
    response = await client.post("/v2/chat", json={"model": "midstream-error", "stream": True, "messages": HI}, headers=SEED)
    assert response.status == 200
    stream = events(await response.read())
    name, last = stream[-1]
    assert name == "message-end" and last["delta"]["finish_reason"] == "ERROR"
    assert last["delta"]["error"] == "The server had an error while processing your request. Sorry about that!"


async def test_thinking_is_left_out_when_the_request_disables_it(client: TestClient[Any, Any]) -> None:
    body = {"model": "think-then-answer", "stream": True, "messages": HI, "thinking": {"type": "disabled"}}
    stream = events(await (await client.post("/v2/chat", json=body)).read())
    starts = [data["delta"]["message"]["content"]["type"] for name, data in stream if name == "content-start"]
    assert starts == ["text"]


async def test_a_think_step_is_the_tool_plan_when_tools_are_offered(client: TestClient[Any, Any]) -> None:
    body = {"model": "think-then-answer", "messages": HI, "tools": [WEATHER]}
    stream = events(await (await client.post("/v2/chat", json={**body, "stream": True})).read())
    plan = "".join(data["delta"]["message"]["tool_plan"] for name, data in stream if name == "tool-plan-delta")
    assert plan.startswith("用户想知道我是谁") and all(name != "content-start" or data["index"] == 0 for name, data in stream)


async def test_max_tokens_cuts_the_answer_with_finish_reason_max_tokens(client: TestClient[Any, Any]) -> None:
    whole = await (await client.post("/v2/chat", json={"model": "hello", "messages": HI, "max_tokens": 5})).json()
    assert whole["finish_reason"] == "MAX_TOKENS" and whole["message"]["content"][0]["text"] == "你好！我是"


async def test_a_json_schema_response_format_answers_json_that_fits_it(client: TestClient[Any, Any]) -> None:
    schema = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    body = {"model": "hello", "messages": HI, "response_format": {"type": "json_object", "json_schema": schema}}
    whole = await (await client.post("/v2/chat", json=body)).json()
    assert set(json.loads(whole["message"]["content"][0]["text"])) == {"city"}


# --- parsing and bad input ----------------------------------------------------------------------


def test_messages_tools_and_tool_results_become_the_neutral_request() -> None:
    request = parse(
        {
            "model": "command-a-03-2025",
            "messages": [
                {"role": "system", "content": "Be brief."},
                {"role": "user", "content": [{"type": "text", "text": "Weather "}, {"type": "text", "text": "in Paris?"}]},
                {"role": "assistant", "tool_plan": "I will look it up.", "tool_calls": [{"id": "get_weather_1", "type": "function", "function": {"name": "get_weather", "arguments": "{}"}}]},
                {"role": "tool", "tool_call_id": "get_weather_1", "content": [{"type": "document", "document": {"data": "sunny"}}]},
            ],
            "tools": [WEATHER],
            "tool_choice": "REQUIRED",
            "response_format": {"type": "json_object", "json_schema": {"type": "object"}},
        }
    )
    assert request.messages == (("system", "Be brief."), ("user", "Weather in Paris?"), ("assistant", ""), ("tool", "sunny"))
    assert request.system == "Be brief." and request.stream is False and request.assistant_turns == 1
    assert request.tool_results == (ToolResult("sunny", "get_weather", "get_weather_1"),)
    assert [tool.name for tool in request.tools] == ["get_weather"] and request.tool_choice == "required"
    assert request.response_format == {"type": "json_schema", "schema": {"type": "object"}}


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ([], "the body must be a JSON object"),
        ({"messages": HI}, "model is required"),
        ({"model": 5, "messages": HI}, "model must be a string, got int"),
        ({"model": "m"}, "messages must be a non-empty array"),
        ({"model": "m", "messages": [{"role": "bot", "content": "hi"}]}, "messages[0].role must be one of system, user, assistant, tool"),
        ({"model": "m", "messages": [{"role": "user", "content": 3}]}, "messages[0].content must be a string or an array"),
        ({"model": "m", "messages": [{"role": "tool", "content": "x"}]}, "messages[0].tool_call_id is required"),
        ({"model": "m", "messages": HI, "stream": "yes"}, "stream must be a boolean, got str"),
        ({"model": "m", "messages": HI, "max_tokens": "5"}, "max_tokens must be an integer, got str"),
        ({"model": "m", "messages": HI, "max_tokens": 0}, "max_tokens must be at least 1"),
        ({"model": "m", "messages": HI, "tool_choice": "required"}, 'tool_choice must be "REQUIRED" or "NONE"'),
        ({"model": "m", "messages": HI, "response_format": {"type": "xml"}}, 'response_format.type must be "text" or "json_object"'),
        ({"model": "m", "messages": HI, "thinking": {"type": "on"}}, 'thinking.type must be "enabled" or "disabled"'),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_a_malformed_request_is_rejected(body: Any, says: str) -> None:
    with pytest.raises(RequestError) as raised:
        parse(body)
    assert raised.value.error.status == 400 and raised.value.error.message.startswith("invalid request: " + says)


@pytest.mark.parametrize(
    ("data", "headers", "status", "says"),
    [
        (b'{"model": "hello", "messages": [', {}, 400, "invalid request: the body must be a JSON object"),
        (json.dumps({"model": ["hello"], "messages": HI}).encode(), {}, 400, "invalid request: model must be a string"),
        (json.dumps({"model": "hello", "messages": HI}).encode(), {"X-Mock-Scenario": "no-such-scenario"}, 404, "no-such-scenario"),
    ],
    ids=["malformed-json", "wrong-type", "unknown-scenario"],
)
async def test_bad_input_gets_cohere_error_shape(client: TestClient[Any, Any], data: bytes, headers: dict[str, str], status: int, says: str) -> None:
    response = await client.post("/v2/chat", data=data, headers={"Content-Type": "application/json", **headers})
    body = await response.json()
    assert response.status == status and set(body) == {"id", "message"} and says in body["message"]
    assert (await client.post("/v2/chat", json={"model": "hello", "messages": HI})).status == 200


async def test_an_unknown_path_under_v2_gets_cohere_error_shape(client: TestClient[Any, Any]) -> None:
    response = await client.post("/v2/chats", json={})
    body = await response.json()
    assert response.status == 404 and set(body) == {"id", "message"}


async def test_presets_answer_cohere_wording(client: TestClient[Any, Any]) -> None:
    response = await client.post("/v2/chat", json={"model": "invalid-api-key", "messages": HI})
    body = await response.json()
    assert response.status == 401 and body["message"] == PROVIDER_PRESETS["Cohere"]["invalid_api_key"].message == "invalid api token"


# --- the official SDK against a live server -----------------------------------------------------


def test_sdk_chat_stream_text_equals_the_scenario(sdk: cohere.ClientV2, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        stream = list(sdk.chat_stream(model="hello", messages=HI))
    assert not caplog.records, "the SDK skipped an event it could not read"
    kinds = [type(event).__name__ for event in stream]
    assert kinds[0] == "MessageStartV2ChatStreamResponse" and kinds[-1] == "MessageEndV2ChatStreamResponse"
    text = "".join(event.delta.message.content.text for event in stream if event.type == "content-delta")
    assert text == HELLO_TEXT
    end = stream[-1].delta
    assert end.finish_reason == "COMPLETE" and end.usage.tokens.output_tokens > 0 and end.usage.billed_units.input_tokens > 0


def test_sdk_chat_reads_the_whole_answer(sdk: cohere.ClientV2) -> None:
    response = sdk.chat(model="hello", messages=HI)
    assert response.message.content[0].text == HELLO_TEXT and response.finish_reason == "COMPLETE" and response.id


def test_sdk_tool_call_round_trip(sdk: cohere.ClientV2) -> None:
    question = [{"role": "user", "content": "What is the weather in Paris?"}]
    stream = list(sdk.chat_stream(model="command-a-03-2025", messages=question, tools=[WEATHER]))
    start = next(event for event in stream if event.type == "tool-call-start")
    arguments = "".join(event.delta.message.tool_calls.function.arguments for event in stream if event.type == "tool-call-delta")
    assert start.delta.message.tool_calls.function.name == "get_weather" and set(json.loads(arguments)) == {"city"}
    assert stream[-1].delta.finish_reason == "TOOL_CALL"
    call_id = start.delta.message.tool_calls.id
    turn = [
        *question,
        {"role": "assistant", "tool_calls": [{"id": call_id, "type": "function", "function": {"name": "get_weather", "arguments": arguments}}]},
        {"role": "tool", "tool_call_id": call_id, "content": "sunny, 21°C"},
    ]
    answer = sdk.chat(model="command-a-03-2025", messages=turn, tools=[WEATHER])
    assert answer.finish_reason == "COMPLETE" and "sunny, 21°C" in answer.message.content[0].text


def test_sdk_whole_tool_call_parses(sdk: cohere.ClientV2) -> None:
    response = sdk.chat(model="tool-call", messages=HI, tools=[WEATHER], tool_choice="REQUIRED")
    [tool_call] = response.message.tool_calls
    assert response.finish_reason == "TOOL_CALL" and tool_call.id.startswith("get_weather_")
    assert set(json.loads(tool_call.function.arguments)) == {"city"}


def test_sdk_midstream_error_ends_with_finish_reason_error(sdk: cohere.ClientV2) -> None:
    stream = list(sdk.chat_stream(model="midstream-error", messages=HI))
    text = "".join(event.delta.message.content.text for event in stream if event.type == "content-delta")
    assert text == "好的，我先回答一部分，The answer starts"
    assert stream[-1].delta.finish_reason == "ERROR" and "error while processing" in stream[-1].delta.error


def test_sdk_raises_too_many_requests_when_rate_limited(sdk: cohere.ClientV2) -> None:
    session = {"X-Mock-Session": "cohere-429"}
    with pytest.raises(cohere.TooManyRequestsError) as raised:
        list(sdk.chat_stream(model="rate-limited", messages=HI, request_options={"max_retries": 0, "additional_headers": session}))
    assert raised.value.status_code == 429 and raised.value.body["message"].startswith("You are using a Trial key")


def test_sdk_retries_a_429_as_retry_after_ms_says_and_not_a_400(live_server: Any, tmp_path: Any) -> None:
    (tmp_path / "flaky.yaml").write_text(
        "schema: 1\nname: flaky\ndescription: one 429, then an answer\n"
        "attempts:\n"
        '  - [{error: {preset: rate_limited, headers: {retry-after-ms: "20"}}}]\n'
        '  - [{say: "second time lucky"}]\n',
        encoding="utf-8",
    )
    server = live_server(speed=0, scenarios=tmp_path, default="flaky")
    with cohere.ClientV2(api_key="x", base_url=server.url) as client:
        answer = client.chat(model="flaky", messages=HI, request_options={"additional_headers": {"X-Mock-Session": "cohere-retry"}})
        assert answer.message.content[0].text == "second time lucky"
        with pytest.raises(cohere.BadRequestError):
            client.chat(model="flaky", messages=[{"role": "robot", "content": "hi"}], request_options={"additional_headers": {"X-Mock-Session": "cohere-400"}})
    assert requests_of(server, "cohere-retry") == 2 and requests_of(server, "cohere-400") == 1


def requests_of(server: Any, session: str) -> int:
    """How many requests of `session` the server's journal holds."""
    with urllib.request.urlopen(f"{server.url}/_mock/journal?session={session}") as response:
        return len(json.load(response))


# --- the official Node SDK (cohere-ai) ----------------------------------------------------------


@pytest.fixture(scope="module")
def node() -> dict[str, Any]:
    """What tests/browser/cohere_client.mjs saw of a live server (one run for the module)."""
    return run_node("cohere_client.mjs")


def test_node_sdk_streams_text_and_reads_the_whole_answer(node: dict[str, Any]) -> None:
    chat = node["chat"]
    assert chat["text"] == HELLO_TEXT == node["whole"]["text"] and chat["finishReason"] == "COMPLETE"
    assert chat["types"][:2] == ["message-start", "content-start"] and chat["types"][-2:] == ["content-end", "message-end"]
    assert chat["usage"]["billedUnits"]["outputTokens"] == node["whole"]["usage"]["tokens"]["outputTokens"] > 0


def test_node_sdk_tool_call_and_its_round_trip(node: dict[str, Any]) -> None:
    tool = node["tool"]
    assert [call["function"]["name"] for call in tool["calls"]] == ["get_weather"] and set(json.loads(tool["arguments"])) == {"city"}
    assert tool["finishReason"] == "TOOL_CALL"
    loop = node["toolLoop"]
    assert loop["finishReason"] == "TOOL_CALL" and set(loop["arguments"]) == {"city"} and loop["answer"] == "根据 get_weather 的结果：晴，25°C"


def test_node_sdk_errors(node: dict[str, Any]) -> None:
    thrown = node["rateLimited"]["thrown"]
    assert thrown["name"] == "TooManyRequestsError" and thrown["isCohereError"] and thrown["status"] == 429
    assert set(thrown["body"]) == {"id", "message"} and thrown["body"]["message"].startswith("You are using a Trial key")
    midstream = node["midstream"]
    assert midstream["text"] == "好的，我先回答一部分，The answer starts" and midstream["finishReason"] == "ERROR" and "error while processing" in midstream["error"]
