"""OpenAI Responses: golden bytes, the event sequence, request parsing, the stored responses, errors and faults."""

from __future__ import annotations

import asyncio
import difflib
import json
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from rawhttp import ends_inside_character, post
from regen_responses_golden import CASES, GOLDEN_RESPONSES, REQUEST, TOOLS, capture, golden_app, golden_path

from mockllm.core.errors import RequestError
from mockllm.core.events import Delay, Respond
from mockllm.core.incoming import Incoming
from mockllm.core.request import ToolResult
from mockllm.dialects.openai import OBFUSCATION_BLOCK
from mockllm.dialects.openai_responses import OpenAIResponses, ResponseStore, read_request
from mockllm.scenarios.scenario import Scenario
from mockllm.stream.call import Call
from mockllm.stream.pipeline import wire_items

STREAMED = [case for case, (_, streamed) in CASES.items() if streamed]
SEED = {"X-Mock-Seed": "7", "X-Mock-Speed": "0"}


@pytest.fixture
async def client(aiohttp_client: Any) -> TestClient[Any, Any]:
    return await aiohttp_client(golden_app())


def events_of(body: bytes) -> list[dict[str, Any]]:
    """The events of a streamed body, checking each frame is `event: <type>` + `data: <json>` + a blank line."""
    frames = body.decode().split("\n\n")
    assert frames[-1] == "", "the stream ends with a blank line"
    events = []
    for frame in frames[:-1]:
        event_line, data_line = frame.split("\n")
        event = json.loads(data_line.removeprefix("data: "))
        assert event_line == "event: " + event["type"] and data_line.startswith("data: {")
        events.append(event)
    return events


def parse(body: dict[str, Any], store: ResponseStore | None = None) -> Any:
    return read_request(Incoming("POST", "/v1/responses", {}, {}, json.dumps(body).encode(), json=body), store or ResponseStore())


def items(steps: list[Any], body: dict[str, Any] | None = None, dialect: OpenAIResponses | None = None, **stream: float) -> list[Any]:
    """The wire items a scenario of `steps` answers to a Responses `body`, in-process (instant unless `stream` says otherwise)."""
    dialect = dialect or OpenAIResponses()
    chat = dialect.parse(Incoming("POST", "/v1/responses", {}, {}, b"", json={"input": "你好", "stream": True, **(body or {})}))
    pacing = {"first_token_ms": 0, "delay_ms": 0, **stream}
    scenario = Scenario.model_validate({"schema": 1, "name": "t", "description": "d", "stream": pacing, "steps": steps})
    call = Call(chat, scenario, seed=3, seeded=True, speed=0, stream_config=scenario.stream)
    return list(wire_items(call, dialect))


def run(steps: list[Any], body: dict[str, Any] | None = None, dialect: OpenAIResponses | None = None) -> bytes:
    """The streamed bytes of `items`."""
    return b"".join(item for item in items(steps, body, dialect) if isinstance(item, bytes))


def kinds(wire: list[Any]) -> list[Any]:
    """Wire items as event types (frames), delays, response statuses and the names of other items."""
    return [_kind(item) for item in wire]


def _kind(item: Any) -> Any:
    if isinstance(item, bytes):
        return events_of(item)[0]["type"]
    if isinstance(item, Respond):
        return item.status
    return item if isinstance(item, Delay) else type(item).__name__


# --- golden bytes and the event sequence ---------------------------------------------------------


@pytest.mark.parametrize("case", CASES)
async def test_matches_golden(client: TestClient[Any, Any], case: str) -> None:
    path = golden_path(case)
    actual = await capture(client, case)
    expected = path.read_bytes()
    if actual != expected:
        old, new = (b.decode().splitlines(keepends=True) for b in (expected, actual))
        diff = "".join(difflib.unified_diff(old, new, f"golden/responses/{path.name}", "served", n=1))
        pytest.fail(f"{case} differs from its golden file:\n{diff}\nIf intended: python scripts/regen_responses_golden.py", pytrace=False)


def test_no_stale_golden_files() -> None:
    assert {p.name for p in GOLDEN_RESPONSES.iterdir()} == {golden_path(case).name for case in CASES}


@pytest.mark.parametrize("case", STREAMED)
def test_stream_event_sequence(case: str) -> None:
    """Numbered from 0 without gaps; created and in_progress first, one terminal event last; one response id; items opened before use."""
    events = events_of(golden_path(case).read_bytes())
    assert [e["sequence_number"] for e in events] == list(range(len(events)))
    assert [e["type"] for e in events[:2]] == ["response.created", "response.in_progress"]
    assert events[-1]["type"] in ("response.completed", "response.incomplete", "response.failed")
    lifecycle = [e["response"] for e in events if "response" in e]
    assert len({r["id"] for r in lifecycle}) == 1 and lifecycle[0]["id"].startswith("resp_")
    opened: dict[int, str] = {}
    for event in events:
        if event["type"] == "response.output_item.added":
            opened[event["output_index"]] = event["item"]["id"]
        elif "item_id" in event:
            assert opened[event["output_index"]] == event["item_id"], event["type"]
    assert all(list(e) == ["type", *sorted(k for k in e if k != "type")] for e in events), "keys follow `type` alphabetically"


@pytest.mark.parametrize("case", ["hello", "tool-call", "reasoning"])
def test_whole_answer_is_the_completed_response(case: str) -> None:
    completed = events_of(golden_path(f"{case}.stream").read_bytes())[-1]["response"]
    assert completed == json.loads(golden_path(f"{case}.whole").read_bytes())


def test_text_deltas_carry_empty_logprobs_and_padding() -> None:
    deltas = [e for e in events_of(golden_path("hello.stream").read_bytes()) if e["type"] == "response.output_text.delta"]
    assert deltas and all(e["logprobs"] == [] and e["content_index"] == 0 for e in deltas)
    assert all((len(e["delta"]) + len(e["obfuscation"])) % OBFUSCATION_BLOCK == 0 and e["obfuscation"].isalnum() for e in deltas)


def test_obfuscation_can_be_turned_off() -> None:
    events = events_of(run([{"say": "hi there"}], {"stream_options": {"include_obfuscation": False}}))
    deltas = [e for e in events if e["type"].endswith(".delta")]
    assert deltas and not any("obfuscation" in e for e in deltas)


def test_usage_counts_text_reasoning_and_arguments() -> None:
    usage = json.loads(golden_path("reasoning.whole").read_bytes())["usage"]
    assert usage["output_tokens_details"]["reasoning_tokens"] > 0
    assert usage["output_tokens"] > usage["output_tokens_details"]["reasoning_tokens"]
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
    assert usage["input_tokens_details"] == {"cached_tokens": 0, "cache_write_tokens": 0}


def test_a_usage_step_replaces_the_counts() -> None:
    final = events_of(run([{"say": "hi"}, {"usage": {"prompt_tokens": 11, "completion_tokens": 5}}]))[-1]["response"]
    assert (final["usage"]["input_tokens"], final["usage"]["output_tokens"], final["usage"]["total_tokens"]) == (11, 5, 16)


@pytest.mark.parametrize(("reason", "details"), [("length", "max_output_tokens"), ("content_filter", "content_filter")])
def test_a_cut_answer_is_incomplete(reason: str, details: str) -> None:
    events = events_of(run([{"say": "cut short"}, {"finish": reason}]))
    final = events[-1]
    assert final["type"] == "response.incomplete"
    assert final["response"]["status"] == "incomplete" and final["response"]["incomplete_details"] == {"reason": details}
    assert final["response"]["output"][0]["status"] == "incomplete"


def test_tool_calls_complete_normally() -> None:
    events = events_of(run([{"tool_call": {"name": "get_weather", "arguments": {"city": "北京"}}}], {"tools": TOOLS}))
    assert events[-1]["type"] == "response.completed" and events[-1]["response"]["status"] == "completed"
    [done] = [e for e in events if e["type"] == "response.function_call_arguments.done"]
    assert json.loads(done["arguments"]) == {"city": "北京"}


def test_a_midstream_error_is_an_error_event_then_response_failed() -> None:
    events = events_of(golden_path("midstream-error.stream").read_bytes())
    error, failed = events[-2:]
    assert error["type"] == "error" and error["error"]["type"] == "server_error" and set(error) == {"type", "error", "sequence_number"}
    response = failed["response"]
    assert response["status"] == "failed" and response["error"] == {"code": "server_error", "message": error["error"]["message"]}
    assert response["output"][0]["status"] == "incomplete" and response["output"][0]["content"][0]["text"].startswith("好的")


def test_an_in_band_error_before_any_output_still_opens_the_response() -> None:
    events = events_of(run([{"error": {"preset": "rate_limited", "delivery": "in_band"}}]))
    assert [e["type"] for e in events] == ["response.created", "response.in_progress", "error", "response.failed"]
    assert events[-1]["response"]["error"]["code"] == "rate_limit_exceeded"


async def test_an_error_before_the_first_byte_is_an_http_error_in_openais_shape(client: TestClient[Any, Any]) -> None:
    response = await client.post("/v1/responses", json={"model": "rate-limited", "input": "x", "stream": True}, headers=SEED)
    assert response.status == 429 and response.headers["retry-after-ms"] == "120"
    assert (await response.json())["error"]["code"] == "rate_limit_exceeded"


def test_the_response_is_created_before_the_wait_for_the_first_output() -> None:
    wire = items([{"say": "hi"}], first_token_ms=300)
    assert kinds(wire)[:4] == ["response.created", "response.in_progress", Delay(300), "response.output_item.added"]


def test_the_closing_events_come_one_delta_later_as_their_own_write() -> None:
    tail = kinds(items([{"say": "hi"}], delay_ms=20))[-7:]
    assert tail == ["response.output_text.delta", Delay(20), "Gap", "response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed"]


def test_a_wait_then_an_error_is_still_an_http_error() -> None:
    assert kinds(items([{"pause": 200}, {"error": "rate_limited"}])) == [Delay(200), 429]


def test_encrypted_reasoning_when_included() -> None:
    events = events_of(run([{"think": "hmm"}, {"say": "ok"}], {"include": ["reasoning.encrypted_content"]}))
    reasoning = events[-1]["response"]["output"][0]
    assert reasoning["type"] == "reasoning" and reasoning["encrypted_content"].startswith("gAAAAA")
    assert list(reasoning) == ["id", "type", "encrypted_content", "summary"]


def test_request_settings_are_echoed() -> None:
    body = {"instructions": "Be brief.", "max_output_tokens": 64, "temperature": 0, "metadata": {"k": "v"}, "store": False, "tools": TOOLS}
    created = events_of(run([{"say": "hi"}], body))[0]["response"]
    assert (created["instructions"], created["max_output_tokens"], created["temperature"], created["metadata"]) == ("Be brief.", 64, 0.0, {"k": "v"})
    assert created["store"] is False and created["tools"][0]["name"] == "get_weather" and created["tools"][0]["strict"] is True
    assert created["service_tier"] == "auto" and created["usage"] is None and created["output"] == []


# --- faults and wire options on a real socket ----------------------------------------------------


@pytest.fixture
def server(live_server: Any) -> Any:
    return live_server()


async def test_a_reset_cuts_the_stream_before_its_terminal_event(server: Any) -> None:
    """Five text deltas arrive, then the connection is reset: no terminal event, no chunked terminator."""
    body = json.dumps({"model": "reset-midstream", "input": "x", "stream": True}).encode()
    head = f"POST /v1/responses HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Mock-Speed: 0\r\nContent-Length: {len(body)}\r\n\r\n"
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(head.encode() + body)
    raw = b""
    with pytest.raises(ConnectionResetError):
        while chunk := await reader.read(1 << 16):
            raw += chunk
    writer.close()
    text = raw.decode("utf-8", "replace")
    assert text.startswith("HTTP/1.1 200") and text.count("event: response.output_text.delta") == 5
    assert "response.completed" not in text and not raw.endswith(b"0\r\n\r\n")


async def test_split_utf8_cuts_writes_inside_characters(server: Any) -> None:
    body = {"model": "split-utf8", "input": "x", "stream": True}
    response = await post("127.0.0.1", server.port, "/v1/responses", body, SEED)
    unsplit = await post("127.0.0.1", server.port, "/v1/responses", body, {**SEED, "X-Mock-Wire": "split_utf8=off"})
    assert response.body == unsplit.body
    assert any(ends_inside_character(chunk) for chunk in response.chunks)
    assert events_of(response.body)[-1]["type"] == "response.completed"


# --- reading requests ----------------------------------------------------------------------------


def test_parse_a_string_input() -> None:
    chat = parse({"model": "m", "input": "你好", "instructions": "Be brief."})
    assert chat.messages == (("system", "Be brief."), ("user", "你好")) and chat.system == "Be brief."
    assert chat.stream is False and chat.model == "m" and chat.tools == () and chat.assistant_turns == 0


def test_parse_items_of_an_agent_loop() -> None:
    items = [
        {"role": "developer", "content": "Use tools."},
        {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "北京"}, {"type": "input_image", "image_url": "x"}]},
        {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "我查一下"}]},
        {"type": "function_call", "call_id": "call_1", "name": "get_weather", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "call_1", "output": "晴"},
        {"type": "web_search_call", "id": "ws_1"},
    ]
    chat = parse({"input": items, "tools": TOOLS, "tool_choice": {"type": "function", "name": "get_weather"}, "mock_scenario": "s"})
    assert chat.messages == (("developer", "Use tools."), ("user", "北京"), ("assistant", "我查一下"), ("tool", "晴"))
    assert chat.tool_results == (ToolResult("晴", "get_weather", "call_1"),) and chat.assistant_turns == 1
    assert chat.system == "Use tools." and chat.last_user_message == "北京" and chat.scenario == "s"
    assert [t.name for t in chat.tools] == ["get_weather"] and (chat.tool_choice, chat.forced_tool) == ("required", "get_weather")


def test_a_user_message_starts_a_new_set_of_tool_results() -> None:
    items = [
        {"type": "function_call", "call_id": "c", "name": "f", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "c", "output": [{"type": "input_text", "text": "ok"}]},
        {"role": "user", "content": "again"},
    ]
    chat = parse({"input": items})
    assert chat.tool_results == () and chat.assistant_turns == 1 and chat.messages[1] == ("tool", "ok")


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        ("none", ("none", None)),
        ({"type": "function", "name": "get_weather"}, ("required", "get_weather")),
        ({"type": "allowed_tools", "mode": "required", "tools": [{"type": "function", "name": "get_weather"}]}, ("required", None)),
        ({"type": "web_search_preview"}, ("required", None)),
    ],
    ids=["mode", "function", "allowed_tools", "built-in"],
)
def test_tool_choice_shapes(choice: Any, expected: tuple[str, str | None]) -> None:
    chat = parse({"input": "x", "tools": TOOLS, "tool_choice": choice})
    assert (chat.tool_choice, chat.forced_tool) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ({"format": {"type": "text"}}, None),
        ({"format": {"type": "json_object"}}, {"type": "json_object"}),
        (
            {"format": {"type": "json_schema", "name": "w", "strict": True, "schema": {"type": "object"}}},
            {"type": "json_schema", "name": "w", "schema": {"type": "object"}, "strict": True},
        ),
        ({"verbosity": "low"}, None),
    ],
    ids=["text", "json_object", "json_schema", "no-format"],
)
def test_text_format_becomes_the_neutral_response_format(text: dict[str, Any], expected: Any) -> None:
    assert parse({"input": "x as json", "text": text}).response_format == expected


@pytest.mark.parametrize(
    "body",
    [{"input": "x"}, {"input": "x", "instructions": "Answer in JSON."}, {"input": [{"role": "developer", "content": "no"}, {"role": "user", "content": "x"}]}],
    ids=["no-word", "only-in-instructions", "no-word-in-any-message"],
)
def test_json_mode_needs_the_word_json_in_the_input_messages(body: dict[str, Any]) -> None:
    """The service's rule: only the input messages count, not `instructions`."""
    with pytest.raises(RequestError) as raised:
        parse({**body, "text": {"format": {"type": "json_object"}}})
    error = raised.value.error
    assert (error.status, error.param) == (400, "input")
    assert error.message == "Response input messages must contain the word 'json' in some form to use 'text.format' of type 'json_object'."
    assert parse({"input": [{"role": "developer", "content": "Reply in JSON"}, {"role": "user", "content": "x"}], "text": {"format": {"type": "json_object"}}}).response_format


BAD_REQUESTS = {
    "input-missing": ({}, "input"),
    "input-number": ({"input": 3}, "input"),
    "item-not-object": ({"input": ["hi"]}, "input[0]"),
    "item-no-type": ({"input": [{"content": "hi"}]}, "input[0].type"),
    "role-unknown": ({"input": [{"role": "robot", "content": "hi"}]}, "input[0].role"),
    "content-number": ({"input": [{"role": "user", "content": 5}]}, "input[0].content"),
    "part-text-missing": ({"input": [{"role": "user", "content": [{"type": "input_text"}]}]}, "input[0].content[0].text"),
    "call-without-name": ({"input": [{"type": "function_call", "call_id": "c", "arguments": "{}"}]}, "input[0].name"),
    "output-without-call-id": ({"input": [{"type": "function_call_output", "output": "x"}]}, "input[0].call_id"),
    "tools-object": ({"input": "x", "tools": {"name": "f"}}, "tools"),
    "tool-without-type": ({"input": "x", "tools": [{"name": "f"}]}, "tools[0]"),
    "tool-without-name": ({"input": "x", "tools": [{"type": "function"}]}, "tools[0].name"),
    "tool-bad-parameters": ({"input": "x", "tools": [{"type": "function", "name": "f", "parameters": []}]}, "tools[0].parameters"),
    "tool-choice-unknown-tool": ({"input": "x", "tools": TOOLS, "tool_choice": {"type": "function", "name": "nope"}}, "tool_choice"),
    "format-unknown": ({"input": "x", "text": {"format": {"type": "yaml"}}}, "text.format.type"),
    "schema-without-name": ({"input": "x", "text": {"format": {"type": "json_schema", "schema": {}}}}, "text.format.name"),
    "schema-malformed": ({"input": "x", "text": {"format": {"type": "json_schema", "name": "w", "schema": {"type": "objekt"}}}}, "text.format.schema"),
    "max-tokens-string": ({"input": "x", "max_output_tokens": "64"}, "max_output_tokens"),
    "temperature-bool": ({"input": "x", "temperature": True}, "temperature"),
    "stream-string": ({"input": "x", "stream": "yes"}, "stream"),
    "stream-options-alone": ({"input": "x", "stream_options": {}}, "stream_options"),
    "model-number": ({"input": "x", "model": 4}, "model"),
}


@pytest.mark.parametrize(("body", "param"), BAD_REQUESTS.values(), ids=BAD_REQUESTS.keys())
async def test_bad_requests_get_a_400_in_openais_shape(client: TestClient[Any, Any], body: dict[str, Any], param: str) -> None:
    response = await client.post("/v1/responses", json=body)
    assert response.status == 400, await response.text()
    error = (await response.json())["error"]
    assert error["type"] == "invalid_request_error" and error["param"] == param and error["message"]


@pytest.mark.parametrize("raw", [b"{not json", b"[]", b""], ids=["broken", "array", "empty"])
async def test_a_body_that_is_not_a_json_object_is_a_400(client: TestClient[Any, Any], raw: bytes) -> None:
    response = await client.post("/v1/responses", data=raw, headers={"Content-Type": "application/json"})
    assert response.status == 400 and "JSON body" in (await response.json())["error"]["message"]


def test_parse_error_names_its_param() -> None:
    with pytest.raises(RequestError) as raised:
        parse({"input": [{"type": "function_call_output", "call_id": "c", "output": 5}]})
    assert raised.value.error.param == "input[0].output" and raised.value.error.status == 400


# --- stored responses ----------------------------------------------------------------------------


async def test_a_response_can_be_retrieved_by_id(client: TestClient[Any, Any]) -> None:
    streamed = await client.post("/v1/responses", json={**REQUEST, "model": "hello", "stream": True}, headers=SEED)
    completed = events_of(await streamed.read())[-1]["response"]
    retrieved = await client.get(f"/v1/responses/{completed['id']}")
    assert retrieved.status == 200 and await retrieved.json() == completed


async def test_unknown_and_unstored_responses_are_404(client: TestClient[Any, Any]) -> None:
    whole = await (await client.post("/v1/responses", json={"model": "hello", "input": "x", "store": False}, headers={"X-Mock-Seed": "99"})).json()
    for response_id in (whole["id"], "resp_nope"):
        response = await client.get(f"/v1/responses/{response_id}")
        assert response.status == 404
        assert (await response.json())["error"] == {"message": f"Response with id '{response_id}' not found.", "type": "invalid_request_error", "param": None, "code": None}


async def test_the_responses_routes_are_listed(client: TestClient[Any, Any]) -> None:
    routes = await (await client.get("/_mock/routes")).json()
    assert {"POST /v1/responses", "GET /v1/responses/{response_id}"} <= set(routes)


def test_each_app_keeps_its_own_store() -> None:
    registered = OpenAIResponses()
    first, second = registered.for_app(), registered.for_app()
    assert first.store is not second.store and first.store is not registered.store


def test_the_store_keeps_the_last_responses_and_their_items() -> None:
    store = ResponseStore(limit=2)
    chat = parse({"input": "x"})
    for n in range(3):
        store.put({"id": f"resp_{n}", "output": [{"id": f"msg_{n}", "type": "message"}]}, chat)
    assert store.get("resp_0") is None and store.item("msg_0") is None
    assert store.get("resp_2") is not None and store.item("msg_1") == {"id": "msg_1", "type": "message"}


def test_previous_response_id_continues_the_conversation() -> None:
    dialect = OpenAIResponses()
    run([{"say": "我查一下"}, {"tool_call": {"name": "get_weather", "arguments": {"city": "北京"}}}], {"input": "北京天气", "tools": TOOLS}, dialect)
    [stored] = dialect.store._responses.values()
    call_id = stored.response["output"][1]["call_id"]
    chat = parse({"previous_response_id": stored.response["id"], "input": [{"type": "function_call_output", "call_id": call_id, "output": "晴"}]}, dialect.store)
    assert chat.last_user_message == "北京天气" and chat.assistant_turns == 1
    assert chat.tool_results == (ToolResult("晴", "get_weather", call_id),)
    assert chat.messages[-2:] == (("assistant", "我查一下"), ("tool", "晴"))


def test_item_references_read_the_stored_items() -> None:
    dialect = OpenAIResponses()
    run([{"say": "我查一下"}, {"tool_call": {"name": "get_weather", "arguments": {"city": "北京"}}}], {"input": "北京天气", "tools": TOOLS}, dialect)
    [stored] = dialect.store._responses.values()
    message, call = stored.response["output"]
    items = [{"role": "user", "content": "北京天气"}, {"type": "item_reference", "id": message["id"]}, {"type": "item_reference", "id": call["id"]}]
    items += [{"type": "function_call_output", "call_id": call["call_id"], "output": "晴"}, {"type": "item_reference", "id": "msg_forgotten"}]
    chat = parse({"input": items}, dialect.store)
    assert chat.assistant_turns == 1 and chat.tool_results == (ToolResult("晴", "get_weather", call["call_id"]),)
    assert ("assistant", "我查一下") in chat.messages


# --- every route feature applies ------------------------------------------------------------------


async def test_selection_by_header_and_the_journal(client: TestClient[Any, Any]) -> None:
    response = await client.post("/v1/responses", json={"model": "gpt-5.2", "input": "原样返回"}, headers={**SEED, "X-Mock-Scenario": "echo"})
    assert response.headers["X-Mock-Scenario"] == "echo" and response.headers["x-request-id"].startswith("req_")
    assert (await response.json())["output"][0]["content"][0]["text"] == "原样返回"
    [entry] = await (await client.get("/_mock/journal")).json()
    assert (entry["path"], entry["scenario"], entry["status"], entry["stream"]) == ("/v1/responses", "echo", 200, False)


def test_an_in_stream_error_code_is_a_string() -> None:
    events = events_of(run([{"say": "你好"}, {"error": {"code": 101, "message": "余额不足", "status": 402}}]))
    assert events[-2]["error"]["code"] == "101" and events[-1]["response"]["error"] == {"code": "101", "message": "余额不足"}
