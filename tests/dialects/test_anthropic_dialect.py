"""The Anthropic Messages route in-process and on a raw socket: request parsing, errors, wire options, faults."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from blocking_http import chat
from conftest import SCENARIOS
from rawhttp import ends_inside_character, get, post
from test_eventsource import eventsource

from mockllm.core.errors import RequestError
from mockllm.core.incoming import Incoming
from mockllm.core.request import ToolResult
from mockllm.dialects.anthropic import read_request
from mockllm.server.app import create_app
from mockllm.server.config import ServerConfig
from mockllm.server.state import STATE

FAST = {"X-Mock-Seed": "7", "X-Mock-Speed": "0"}
QUESTION = {"role": "user", "content": "北京天气怎么样？"}
TOOL = {"name": "get_weather", "description": "Weather.", "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}}}


def incoming(body: Any) -> Incoming:
    return Incoming("POST", "/v1/messages", {}, {}, json.dumps(body).encode(), json=body)


def parsed(**body: Any) -> Any:
    return read_request(incoming({"model": "m", "max_tokens": 64, "messages": [QUESTION], **body}))


def rejected(body: Any) -> str:
    with pytest.raises(RequestError) as caught:
        read_request(incoming(body))
    assert caught.value.error.status == 400
    return caught.value.error.message


def request(model: str, stream: bool = True, **body: Any) -> dict[str, Any]:
    return {"model": model, "max_tokens": 1024, "messages": [QUESTION], "stream": stream, **body}


def sse(text: str) -> list[tuple[str, Any]]:
    """(event, data) pairs of an SSE body."""
    pairs = []
    for frame in text.split("\n\n")[:-1]:
        lines = dict(line.split(": ", 1) for line in frame.split("\n"))
        pairs.append((lines["event"], json.loads(lines["data"])))
    return pairs


@pytest.fixture
async def client(aiohttp_client: Any) -> TestClient[Any, Any]:
    return await aiohttp_client(create_app(ServerConfig(scenarios=SCENARIOS, speed=0)))


def scenarios(tmp_path: Path, **steps: str) -> ServerConfig:
    """A scenarios folder with one scenario per name (YAML steps), served instantly."""
    for name, body in steps.items():
        (tmp_path / f"{name}.yaml").write_text(f"schema: 1\nname: {name}\ndescription: t\nsteps:\n{body}", encoding="utf-8")
    return ServerConfig(scenarios=tmp_path, speed=0, default=next(iter(steps)))


# request parsing


def test_system_as_a_string_or_text_blocks() -> None:
    blocks = parsed(system=[{"type": "text", "text": "You are terse."}, {"type": "text", "text": "Answer in Chinese."}])
    assert blocks.system == "You are terse.\nAnswer in Chinese." and blocks.messages[0] == ("system", blocks.system)
    assert parsed(system="Be brief.").system == "Be brief."
    assert parsed().system == "" and parsed().messages == (("user", "北京天气怎么样？"),)


def test_tool_results_resolve_their_tool_name_and_continue_the_question() -> None:
    chat = parsed(
        messages=[
            QUESTION,
            {"role": "assistant", "content": [{"type": "text", "text": "查一下。"}, {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {}}]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": [{"type": "text", "text": "晴"}]}]},
        ]
    )
    assert chat.tool_results == (ToolResult("晴", "get_weather", "toolu_1"),)
    assert chat.last_user_message == "北京天气怎么样？" and chat.assistant_turns == 1
    assert chat.messages[1:] == (("assistant", "查一下。"), ("tool", "晴"))


def test_results_of_a_multi_step_loop_add_up_and_a_new_question_clears_them() -> None:
    call = {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "a", "input": {}}]}
    again = {"role": "assistant", "content": [{"type": "tool_use", "id": "t2", "name": "b", "input": {}}]}
    result = {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "1"}]}
    second = {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t2", "content": "2", "is_error": True}]}
    looped = parsed(messages=[QUESTION, call, result, again, second])
    assert [(r.name, r.content) for r in looped.tool_results] == [("a", "1"), ("b", "2")]
    asked = parsed(messages=[QUESTION, call, result, {"role": "assistant", "content": "好"}, {"role": "user", "content": "上海呢？"}])
    assert asked.tool_results == () and asked.last_user_message == "上海呢？" and asked.assistant_turns == 2


def test_images_and_other_blocks_are_read_past() -> None:
    image = {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}}
    chat = parsed(messages=[{"role": "user", "content": [image, {"type": "text", "text": "这是什么？"}]}])
    assert chat.last_user_message == "这是什么？"


def test_tools_and_tool_choice() -> None:
    server_tool = {"type": "web_search_20250305", "name": "web_search"}
    chat = parsed(tools=[TOOL, server_tool], tool_choice={"type": "tool", "name": "get_weather"})
    assert [t.name for t in chat.tools] == ["get_weather", "web_search"] and chat.tools[0].parameters == TOOL["input_schema"]
    assert (chat.tool_choice, chat.forced_tool) == ("required", "get_weather")
    assert [parsed(tools=[TOOL], tool_choice={"type": kind}).tool_choice for kind in ("auto", "any", "none")] == ["auto", "required", "none"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"max_tokens": None}, "max_tokens: Field required"),
        ({"max_tokens": 0}, "max_tokens: Input should be greater than or equal to 1"),
        ({"model": None}, "model: Field required"),
        ({"messages": None}, "messages: Field required"),
        ({"messages": [{"role": "system", "content": "x"}]}, "messages.0.role: Input should be 'user' or 'assistant'"),
        ({"messages": [{"role": "user", "content": 5}]}, "messages.0.content: Input should be a valid string or a list of content blocks"),
        ({"messages": [{"role": "user", "content": [{"type": "text"}]}]}, "messages.0.content.0.text.text: Field required"),
        ({"stream": "yes"}, "stream: Input should be a valid boolean"),
        ({"tools": [{"name": "x"}]}, "tools.0.custom.input_schema: Field required"),
        ({"tool_choice": {"type": "required"}}, "tool_choice: Input tag should be 'auto', 'any', 'tool' or 'none'"),
        ({"thinking": {"type": "enabled", "budget_tokens": 100}}, "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024"),
        ({"thinking": {"type": "enabled", "budget_tokens": 2048}}, "`max_tokens` must be greater than `thinking.budget_tokens`."),
    ],
    ids=lambda value: str(value)[:40],
)
def test_malformed_requests_say_what_is_wrong(change: dict[str, Any], message: str) -> None:
    body = {k: v for k, v in {"model": "m", "max_tokens": 1024, "messages": [QUESTION], **change}.items() if v is not None}
    assert rejected(body) == message


def test_a_forced_tool_must_be_offered_and_rules_out_thinking() -> None:
    assert "not one of the tools offered" in rejected(request("m", tools=[TOOL], tool_choice={"type": "tool", "name": "nope"}))
    thinking = {"max_tokens": 4096, "thinking": {"type": "enabled", "budget_tokens": 1024}, "tools": [TOOL], "tool_choice": {"type": "any"}}
    assert rejected(request("m", **thinking)) == "Thinking may not be enabled when tool_choice forces tool use."


# the route


async def test_bad_requests_get_anthropics_error_shape_with_its_request_id(client: TestClient[Any, Any]) -> None:
    response = await client.post("/v1/messages", json={"model": "hello", "messages": [QUESTION]})
    body = await response.json()
    assert response.status == 400 and body["type"] == "error"
    assert body["error"] == {"type": "invalid_request_error", "message": "max_tokens: Field required"}
    assert body["request_id"] == response.headers["request-id"] and body["request_id"].startswith("req_011C")
    broken = await client.post("/v1/messages", data=b"{not json", headers={"Content-Type": "application/json"})
    assert broken.status == 400 and "not valid JSON" in (await broken.json())["error"]["message"]


async def test_an_unknown_scenario_is_not_found_error(client: TestClient[Any, Any]) -> None:
    response = await client.post("/v1/messages", json=request("hello"), headers={"X-Mock-Scenario": "nope"})
    body = await response.json()
    assert response.status == 404 and body["error"]["type"] == "not_found_error" and "GET /_mock/scenarios lists" in body["error"]["message"]


async def test_an_oversize_body_is_request_too_large(aiohttp_client: Any) -> None:
    client = await aiohttp_client(create_app(ServerConfig(scenarios=SCENARIOS, speed=0, max_body_bytes=1000)))
    response = await client.post("/v1/messages", json=request("hello", system="x" * 2000))
    assert response.status == 413 and (await response.json())["error"]["type"] == "request_too_large"


async def test_every_answer_carries_request_id_and_rate_limit_headers(client: TestClient[Any, Any]) -> None:
    response = await client.post("/v1/messages", json=request("hello"), headers=FAST)
    assert response.headers["Content-Type"] == "text/event-stream; charset=utf-8"
    assert response.headers["request-id"].startswith("req_011C") and response.headers["anthropic-ratelimit-requests-remaining"] == "49"
    assert response.headers["anthropic-ratelimit-requests-reset"].endswith("Z")
    again = await client.post("/v1/messages", json=request("hello"), headers=FAST)
    assert again.headers["request-id"] == response.headers["request-id"]  # derived from the seed


async def test_count_tokens_needs_no_max_tokens_and_matches_the_message_usage(client: TestClient[Any, Any]) -> None:
    body = request("hello", tools=[TOOL], system="Be brief.")
    counted = await client.post("/v1/messages/count_tokens", json={k: v for k, v in body.items() if k != "max_tokens"})
    streamed = sse(await (await client.post("/v1/messages", json=body, headers=FAST)).text())
    assert counted.status == 200 and await counted.json() == {"input_tokens": streamed[0][1]["message"]["usage"]["input_tokens"]}


async def test_routes_lists_the_messages_routes(client: TestClient[Any, Any]) -> None:
    listed = await (await client.get("/_mock/routes")).text()
    assert "POST /v1/messages" in listed and "POST /v1/messages/count_tokens" in listed


async def test_the_journal_records_the_request(client: TestClient[Any, Any]) -> None:
    journal = client.app[STATE].journal
    finished = journal.subscribe()
    try:
        await (await client.post("/v1/messages", json=request("hello"), headers={**FAST, "X-Mock-Session": "anth-j"})).read()
        entry = await finished.get()
    finally:
        journal.unsubscribe(finished)
    assert (entry["path"], entry["scenario"], entry["status"], entry["session"]) == ("/v1/messages", "hello", 200, "anth-j")
    assert entry["body"]["max_tokens"] == 1024 and entry["ended"] == "complete"


async def test_attempts_advance_per_session(client: TestClient[Any, Any]) -> None:
    headers = {**FAST, "X-Mock-Session": "anth-attempts"}
    statuses = [(await client.post("/v1/messages", json=request("fail-twice-then-succeed"), headers=headers)).status for _ in range(3)]
    assert statuses == [429, 429, 200]


async def test_chaos_strikes_at_the_seed_that_strikes(client: TestClient[Any, Any]) -> None:
    struck = await client.post("/v1/messages", json=request("chaos-20"), headers={"X-Mock-Seed": "10", "X-Mock-Speed": "0"})
    assert struck.status == 500 and (await struck.json())["error"] == {"type": "api_error", "message": "Internal server error"}


async def test_a_preset_with_overrides_is_anthropics_version_with_them(tmp_path: Path, aiohttp_client: Any) -> None:
    config = scenarios(
        tmp_path,
        slow="  - error: {preset: rate_limited, message: 慢一点, retry: false}\n",
        custom="  - error: {message: 余额不足, code: 101, status: 402, extra: {details: {error_code: low}}}\n",
        foreign="  - error: {message: boom, type: server_error, status: 500}\n",
    )
    client = await aiohttp_client(create_app(config))
    slow = await client.post("/v1/messages", json=request("slow"), headers=FAST)
    assert slow.status == 429 and (await slow.json())["error"] == {"type": "rate_limit_error", "message": "慢一点"}
    assert (slow.headers["retry-after"], slow.headers["x-should-retry"], slow.headers["anthropic-ratelimit-requests-remaining"]) == ("1", "false", "0")
    custom = await client.post("/v1/messages", json=request("custom"), headers=FAST)
    assert custom.status == 402 and (await custom.json())["error"] == {"type": "billing_error", "message": "余额不足", "details": {"error_code": "low"}}
    foreign = await client.post("/v1/messages", json=request("foreign"), headers=FAST)
    assert (await foreign.json())["error"]["type"] == "api_error"


async def test_finish_reasons_and_usage_overrides(tmp_path: Path, aiohttp_client: Any) -> None:
    config = scenarios(
        tmp_path,
        cut='  - say: "半句"\n  - finish: length\n  - usage: {prompt_tokens: 11, completion_tokens: 22}\n',
        refused='  - say: "不行"\n  - finish: content_filter\n',
    )
    client = await aiohttp_client(create_app(config))
    cut = sse(await (await client.post("/v1/messages", json=request("cut"), headers=FAST)).text())
    assert cut[-2][1]["delta"]["stop_reason"] == "max_tokens"
    assert (cut[-2][1]["usage"]["input_tokens"], cut[-2][1]["usage"]["output_tokens"]) == (11, 22)  # message_delta has the final counts
    whole = await (await client.post("/v1/messages", json=request("refused", stream=False), headers=FAST)).json()
    assert whole["stop_reason"] == "refusal" and whole["content"] == [{"type": "text", "text": "不行"}]


async def test_the_answer_stops_at_max_tokens(client: TestClient[Any, Any]) -> None:
    cut = sse(await (await client.post("/v1/messages", json=request("hello", max_tokens=5), headers=FAST)).text())
    text = "".join(data["delta"]["text"] for name, data in cut if name == "content_block_delta")
    assert text == "你好！我是" and cut[-2][1]["delta"]["stop_reason"] == "max_tokens" and cut[-2][1]["usage"]["output_tokens"] == 5
    whole = await (await client.post("/v1/messages", json=request("tool-call", stream=False, max_tokens=3, tools=[TOOL]), headers=FAST)).json()
    assert whole["stop_reason"] == "max_tokens" and whole["content"][0]["input"] == {}  # the call's arguments were cut short


async def test_an_in_band_error_before_any_output_is_a_200_with_the_error_event(tmp_path: Path, aiohttp_client: Any) -> None:
    client = await aiohttp_client(create_app(scenarios(tmp_path, inband="  - error: {preset: overloaded, delivery: in_band}\n")))
    response = await client.post("/v1/messages", json=request("inband"), headers=FAST)
    assert response.status == 200
    assert await response.text() == 'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n'


async def test_heartbeats_are_ping_events(client: TestClient[Any, Any]) -> None:
    events = [name for name, _ in sse(await (await client.post("/v1/messages", json=request("heartbeat"), headers=FAST)).text())]
    assert events[:3] == ["ping", "ping", "ping"] and events[3] == "message_start" and events.count("ping") >= 5


async def test_split_utf8_cuts_reads_inside_a_text_delta(live_server: Any) -> None:
    server = live_server()
    response = await post("127.0.0.1", server.port, "/v1/messages", request("split-utf8"), FAST)
    cut = [read for read in response.payload_reads if ends_inside_character(read)]
    assert cut and all(b'"text_delta","text":"' in read for read in cut)
    assert "".join(d["delta"]["text"] for n, d in sse(response.body.decode()) if n == "content_block_delta").startswith("好的，这是")


def test_a_reset_after_five_deltas(live_server: Any) -> None:
    server = live_server()
    reset = chat(server.port, "reset-midstream", path="/v1/messages", body=request("m"))
    names = [event.split(b"\n")[0] for event in reset.events]
    assert (reset.ended, reset.terminated) == ("reset", False)
    assert names.count(b"event: content_block_delta") == 5 and names[0] == b"event: message_start"


def test_a_hang_after_three_deltas(live_server: Any) -> None:
    server = live_server(max_stream_s=0.5)
    hung = chat(server.port, "hang", path="/v1/messages", body=request("m"))
    names = [event.split(b"\n")[0] for event in hung.events]
    assert (hung.ended, hung.terminated, names.count(b"event: content_block_delta")) == ("eof", False, 3)


# the browser's EventSource


async def test_a_get_streams_the_messages_events(live_server: Any) -> None:
    server = live_server()
    response = await get("127.0.0.1", server.port, "/v1/messages?prompt=%E4%BD%A0%E5%A5%BD&model=hello&mock_seed=7")
    events = sse(response.body.decode())
    assert response.status == 200 and events[0][0] == "message_start" and events[-1][0] == "message_stop"
    assert "".join(d["delta"]["text"] for n, d in events if n == "content_block_delta").startswith("你好！我是 mockllm")
    bad = await get("127.0.0.1", server.port, "/v1/messages?prompt=hi&max_tokens=lots")
    assert bad.status == 400 and json.loads(bad.body)["error"]["message"] == "max_tokens: Input should be a valid integer"


def test_chromium_eventsource_reads_the_named_events(live_server: Any) -> None:
    server = live_server()
    names = ["message_start", "content_block_start", "ping", "content_block_delta", "content_block_stop", "message_delta", "message_stop"]
    seen = eventsource(server.url, server.url + "/v1/messages?prompt=hi&model=hello&mock_wire=sse_id%3Dtrue", listen=names, until="message_stop")
    events = [message["event"] for message in seen["messages"]]
    assert seen["errors"] == 0 and events[0] == "message_start" and events[-1] == "message_stop"
    text = "".join(json.loads(m["data"])["delta"]["text"] for m in seen["messages"] if m["event"] == "content_block_delta")
    assert text.startswith("你好！我是 mockllm") and seen["messages"][-1]["lastEventId"] == str(len(events))
