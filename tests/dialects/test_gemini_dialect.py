"""Gemini: request parsing into the neutral conversation, the exact framing, errors, listings, faults and wire options."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from blocking_http import chat
from conftest import SCENARIOS
from rawhttp import ends_inside_character, post

from mockllm.core.errors import RequestError
from mockllm.core.events import Error
from mockllm.core.incoming import Incoming
from mockllm.core.request import ToolResult
from mockllm.dialects.gemini import Gemini, GeminiRequest, error_json, json_schema, status_name
from mockllm.scenarios.presets import PRESETS, PROVIDER_PRESETS, variants
from mockllm.server.app import create_app
from mockllm.server.config import ServerConfig
from mockllm.server.state import STATE

DIALECT = Gemini()
HELLO = {"contents": [{"role": "user", "parts": [{"text": "你好"}]}]}
WEATHER = {"name": "get_weather", "parameters": {"type": "OBJECT", "properties": {"city": {"type": "STRING"}}, "required": ["city"]}}
CLOCK = {"name": "get_time", "parametersJsonSchema": {"type": "object", "properties": {}}}
SEEDED = {"X-Mock-Seed": "7"}


def parse(body: dict[str, Any], path: str = "/v1beta/models/m:generateContent", query: dict[str, str] | None = None) -> GeminiRequest:
    incoming = Incoming("POST", path, query or {}, {}, b"", json=body, match_info={"model": "m"})
    chat_request = DIALECT.parse(incoming)
    assert isinstance(chat_request, GeminiRequest)
    return chat_request


@pytest.fixture
async def client(aiohttp_client: Any) -> TestClient[Any, Any]:
    return await aiohttp_client(create_app(ServerConfig(scenarios=SCENARIOS, speed=0, seed=1)))


def test_contents_become_the_neutral_conversation() -> None:
    body = {
        "systemInstruction": {"parts": [{"text": "Be brief."}]},
        "contents": [
            {"role": "user", "parts": [{"text": "北京天气？"}]},
            {"role": "model", "parts": [{"text": "我查一下。"}, {"functionCall": {"name": "get_weather", "args": {"city": "北京"}}}]},
            {"role": "user", "parts": [{"functionResponse": {"name": "get_weather", "response": {"result": "晴"}, "id": "c1"}}]},
        ],
    }
    request = parse(body)
    assert request.messages == (("system", "Be brief."), ("user", "北京天气？"), ("assistant", "我查一下。"), ("tool", '{"result":"晴"}'))
    assert (request.system, request.assistant_turns, request.last_user_message) == ("Be brief.", 1, "北京天气？")
    assert request.tool_results == (ToolResult('{"result":"晴"}', "get_weather", "c1"),)
    assert (request.model, request.stream, request.count_tokens) == ("m", False, False)


def test_a_user_turn_with_text_starts_a_new_round_of_tool_results() -> None:
    answered = {"role": "user", "parts": [{"functionResponse": {"name": "f", "response": {"ok": True}}}]}
    contents = [{"parts": [{"text": "a"}]}, answered, {"role": "model", "parts": [{"text": "done"}]}, {"parts": [{"text": "next"}]}]
    assert parse({"contents": contents}).tool_results == ()
    assert parse({"contents": contents[:2]}).tool_results == (ToolResult('{"ok":true}', "f", None),)


def test_a_gemini_schema_becomes_the_json_schema_it_means() -> None:
    schema = {
        "type": "OBJECT",
        "properties": {"tags": {"type": "ARRAY", "items": {"type": "STRING"}, "minItems": "1"}, "note": {"type": "STRING", "nullable": True}},
        "propertyOrdering": ["tags", "note"],
        "required": ["tags"],
    }
    assert json_schema(schema) == {
        "type": "object",
        "properties": {"tags": {"type": "array", "items": {"type": "string"}, "minItems": 1}, "note": {"type": ["string", "null"]}},
        "required": ["tags"],
    }


def test_function_declarations_become_tools_with_json_schemas() -> None:
    request = parse({**HELLO, "tools": [{"functionDeclarations": [WEATHER]}, {"function_declarations": [CLOCK]}, {"googleSearch": {}}]})
    assert [(tool.name, tool.parameters["type"]) for tool in request.tools] == [("get_weather", "object"), ("get_time", "object")]
    assert request.tools[0].parameters["properties"] == {"city": {"type": "string"}}


@pytest.mark.parametrize(
    ("config", "choice", "forced"),
    [
        (None, None, None),
        ({"mode": "AUTO"}, "auto", None),
        ({"mode": "NONE"}, "none", None),
        ({"mode": "ANY"}, "required", None),
        ({"mode": "ANY", "allowedFunctionNames": ["get_time"]}, "required", "get_time"),
        ({"mode": "VALIDATED"}, "auto", None),
    ],
    ids=["absent", "auto", "none", "any", "any-allowed", "validated"],
)
def test_function_calling_config_becomes_the_tool_choice(config: dict[str, Any] | None, choice: str | None, forced: str | None) -> None:
    body: dict[str, Any] = {**HELLO, "tools": [{"functionDeclarations": [WEATHER, CLOCK]}]}
    if config is not None:
        body["toolConfig"] = {"functionCallingConfig": config}
    request = parse(body)
    assert (request.tool_choice, request.forced_tool) == (choice, forced)


@pytest.mark.parametrize(
    ("generation", "expected"),
    [
        ({"responseMimeType": "application/json"}, {"type": "json_object"}),
        ({"responseMimeType": "application/json", "responseSchema": {"type": "OBJECT"}}, {"type": "json_schema", "schema": {"type": "object"}}),
        ({"response_mime_type": "application/json", "response_json_schema": {"type": "object"}}, {"type": "json_schema", "schema": {"type": "object"}}),
        ({"responseMimeType": "text/plain"}, None),
    ],
    ids=["json", "schema", "json-schema-snake-case", "text"],
)
def test_generation_config_becomes_the_response_format(generation: dict[str, Any], expected: dict[str, Any] | None) -> None:
    assert parse({**HELLO, "generationConfig": generation}).response_format == expected


def test_the_route_sets_streaming_sse_thoughts_and_token_counting() -> None:
    streamed = parse({**HELLO, "generationConfig": {"thinkingConfig": {"include_thoughts": True}}}, "/v1/models/m:streamGenerateContent", {"alt": "sse"})
    assert (streamed.stream, streamed.sse, streamed.include_thoughts) == (True, True, True)
    counted = parse({"generateContentRequest": {"model": "models/m", **HELLO}}, "/v1beta/models/m:countTokens")
    assert (counted.count_tokens, counted.stream, counted.last_user_message) == (True, False, "你好")


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({}, "contents is not specified"),
        ({"contents": [{"role": "assistant", "parts": [{"text": "x"}]}]}, "Please use a valid role: user, model."),
        ({"contents": [{"role": "user", "parts": []}]}, "contents.parts must not be empty"),
        ({**HELLO, "tools": [{"functionDeclarations": [{"description": "no name"}]}]}, "Function name cannot be empty"),
        ({**HELLO, "tools": [{"functionDeclarations": [WEATHER]}], "toolConfig": {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["nope"]}}}, "'nope'"),
        ({**HELLO, "toolConfig": {"functionCallingConfig": {"mode": "SOMETIMES"}}}, "mode"),
    ],
    ids=["no-contents", "bad-role", "no-parts", "nameless-function", "unknown-allowed", "bad-mode"],
)
def test_a_malformed_request_is_rejected_with_the_field_named(body: dict[str, Any], says: str) -> None:
    with pytest.raises(RequestError) as raised:
        parse(body)
    assert says in raised.value.error.message and raised.value.error.status == 400


async def test_bad_input_gets_invalid_argument_in_googles_shape(client: TestClient[Any, Any]) -> None:
    response = await client.post("/v1beta/models/hello:generateContent", data=b"{not json", headers={"Content-Type": "application/json"})
    assert response.status == 400 and response.headers["Content-Type"] == "application/json; charset=UTF-8"
    error = (await response.json())["error"]
    assert (error["code"], error["status"]) == (400, "INVALID_ARGUMENT") and error["message"].startswith("Invalid JSON payload received.")
    unknown = await client.post("/v1beta/models/hello:generateContent", json=HELLO, headers={"X-Mock-Scenario": "nope"})
    assert unknown.status == 404 and (await unknown.json())["error"]["status"] == "NOT_FOUND"


async def test_every_route_is_listed(client: TestClient[Any, Any]) -> None:
    listed = json.dumps(await (await client.get("/_mock/routes")).json())
    for route in (*Gemini.routes, "GET /v1beta/models", "GET /v1beta/models/{model}"):
        assert route.split(" ", 1)[1] in listed, route


async def test_sse_events_end_in_crlf_and_the_array_form_is_one_json_document(client: TestClient[Any, Any]) -> None:
    sse = await client.post("/v1beta/models/hello:streamGenerateContent?alt=sse", json=HELLO)
    body = await sse.read()
    assert sse.headers["Content-Type"] == "text/event-stream" and body.endswith(b"}\r\n\r\n")
    events = body.split(b"\r\n\r\n")[:-1]
    assert all(event.startswith(b"data: {") for event in events) and b"\n" not in b"".join(events)
    array = await client.post("/v1beta/models/hello:streamGenerateContent", json=HELLO)
    assert array.headers["Content-Type"] == "application/json; charset=UTF-8"
    elements = json.loads(await array.read())
    assert elements == [json.loads(event[len(b"data: ") :]) for event in events]
    assert elements[-1]["candidates"][0] == {"content": {"parts": [{"text": ""}], "role": "model"}, "finishReason": "STOP", "index": 0}


async def test_v1_and_v1beta_answer_the_same_bytes(client: TestClient[Any, Any]) -> None:
    bodies = [await (await client.post(f"/{version}/models/hello:streamGenerateContent?alt=sse", json=HELLO, headers=SEEDED)).read() for version in ("v1", "v1beta")]
    assert bodies[0] == bodies[1]


async def test_text_is_escaped_as_googles_json_and_usage_grows_per_chunk(client: TestClient[Any, Any]) -> None:
    body = {"contents": [{"parts": [{"text": "<b>&</b> 你好"}]}]}
    whole = await (await client.post("/v1beta/models/echo:generateContent", json=body)).read()
    assert '"text": "\\u003cb\\u003e\\u0026\\u003c/b\\u003e 你好"'.encode() in whole
    raw = await (await client.post("/v1beta/models/echo:streamGenerateContent?alt=sse", json=body)).read()
    assert b"<" not in raw and b"&" not in raw
    chunks = [json.loads(event[len(b"data: ") :]) for event in raw.split(b"\r\n\r\n")[:-1]]
    counts = [chunk["usageMetadata"]["candidatesTokenCount"] for chunk in chunks]
    assert counts == sorted(counts) and counts[-1] == counts[-2]


async def test_a_midstream_error_is_a_last_event_with_a_numeric_code(client: TestClient[Any, Any]) -> None:
    sse = await (await client.post("/v1beta/models/midstream-error:streamGenerateContent?alt=sse", json=HELLO)).read()
    last = sse.split(b"\r\n\r\n")[-2]
    assert sse.endswith(b"\r\n\r\n") and json.loads(last[len(b"data: ") :]) == {
        "error": {"code": 500, "message": PROVIDER_PRESETS["Gemini"]["server_error"].message, "status": "INTERNAL"}
    }
    array = json.loads(await (await client.post("/v1beta/models/midstream-error:streamGenerateContent", json=HELLO)).read())
    assert array[-1]["error"]["code"] == 500 and "candidates" in array[-2]


def preset_scenario(client: TestClient[Any, Any], preset: str) -> str:
    """The shipped scenario that is the error preset alone."""
    return next(name for name, s in client.server.app[STATE].catalog.scenarios.items() if [(st.error and st.error.preset) for st in s.steps] == [preset])


@pytest.mark.parametrize("preset", [name for name in PRESETS if variants(name).get("Gemini", PRESETS[name]).status >= 400])
async def test_each_error_preset_answers_geminis_status_and_message_in_googles_shape(client: TestClient[Any, Any], preset: str) -> None:
    response = await client.post(f"/v1beta/models/{preset_scenario(client, preset)}:generateContent", json=HELLO)
    error, sent = (await response.json())["error"], variants(preset).get("Gemini", PRESETS[preset])
    assert response.status == sent.status == error["code"] and error["status"] == status_name(response.status)
    assert error["message"] == sent.message.replace("{{model}}", preset_scenario(client, preset))
    assert "innererror" not in error and "type" not in error


async def test_a_rate_limit_carries_googles_quota_and_retry_details_and_no_retry_header(client: TestClient[Any, Any]) -> None:
    response = await client.post("/v1beta/models/rate-limited:streamGenerateContent?alt=sse", json=HELLO)
    error = (await response.json())["error"]
    assert response.status == 429 and "retry-after" not in response.headers and "retry-after-ms" not in response.headers
    assert [detail["@type"].rsplit(".", 1)[1] for detail in error["details"]] == ["Help", "QuotaFailure", "RetryInfo"]
    [violation] = error["details"][1]["violations"]
    assert violation["quotaDimensions"] == {"location": "global", "model": "rate-limited"} and "model: rate-limited\n" in error["message"]
    assert error["details"][2]["retryDelay"] == "1s" and error["message"].endswith("Please retry in 1.208374116s.")
    assert client.server.app[STATE].journal.entries()[-1]["errors"] == [{"status": 429, "code": None, "type": None, "message": error["message"]}]


async def test_an_invalid_key_is_400_invalid_argument_with_the_api_key_invalid_reason(client: TestClient[Any, Any]) -> None:
    response = await client.post("/v1beta/models/invalid-api-key:generateContent", json=HELLO)
    error = (await response.json())["error"]
    assert (response.status, error["status"], error["message"]) == (400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.")
    assert {"reason": "API_KEY_INVALID", "domain": "googleapis.com"}.items() <= error["details"][0].items()


def test_a_429_of_no_preset_gets_the_details_google_sends_with_its_status() -> None:
    error = error_json(Error("slow down", status=429, headers=(("retry-after-ms", "120"),)))
    assert [detail["@type"].rsplit(".", 1)[1] for detail in error["details"]] == ["Help", "QuotaFailure", "RetryInfo"]
    assert error["details"][-1]["retryDelay"] == "0.12s" and "details" not in error_json(Error("x", status=429, extra=(("details", []),)))


@pytest.mark.parametrize("method", [":generateContent", ":streamGenerateContent?alt=sse", ":streamGenerateContent"])
async def test_a_content_filter_blocks_the_prompt_with_a_200_and_no_candidates(client: TestClient[Any, Any], method: str) -> None:
    response = await client.post(f"/v1beta/models/content-filter{method}", json=HELLO)
    raw = await response.read()
    body = json.loads(raw[len(b"data: ") :]) if method.endswith("sse") else json.loads(raw)
    [blocked] = body if isinstance(body, list) else [body]
    assert response.status == 200 and blocked["promptFeedback"] == {"blockReason": "PROHIBITED_CONTENT"} and "candidates" not in blocked
    assert blocked["usageMetadata"]["promptTokenCount"] == blocked["usageMetadata"]["totalTokenCount"] > 0 and blocked["modelVersion"] == "content-filter"


async def test_a_content_filter_after_the_first_part_ends_the_answer_with_its_block_reason(aiohttp_client: Any, tmp_path: Any) -> None:
    steps = [{"say": "好的，"}, {"error": "content_filter"}]
    (tmp_path / "filtered.yaml").write_text(json.dumps({"schema": 1, "name": "filtered", "description": "d", "steps": steps}), encoding="utf-8")
    client = await aiohttp_client(create_app(ServerConfig(scenarios=tmp_path, speed=0, seed=1, default="filtered")))
    raw = await (await client.post("/v1beta/models/filtered:streamGenerateContent?alt=sse", json=HELLO)).read()
    *said, last = (json.loads(event[len(b"data: ") :]) for event in raw.split(b"\r\n\r\n")[:-1])
    assert "".join(part["text"] for chunk in said for part in chunk["candidates"][0]["content"]["parts"]) == "好的，"
    assert last["candidates"][0]["finishReason"] == "PROHIBITED_CONTENT" and "promptFeedback" not in last


async def test_count_tokens_and_listings(client: TestClient[Any, Any]) -> None:
    counted = await (await client.post("/v1beta/models/hello:countTokens", json=HELLO)).json()
    whole = await (await client.post("/v1beta/models/hello:generateContent", json=HELLO)).json()
    assert counted["totalTokens"] == whole["usageMetadata"]["promptTokenCount"]
    models = (await (await client.get("/v1beta/models")).json())["models"]
    assert {"name": "models/hello", "displayName": "hello"}.items() <= next(m for m in models if m["displayName"] == "hello").items()
    missing = await client.get("/v1beta/models/nope")
    assert missing.status == 404 and (await missing.json())["error"]["message"].startswith("models/nope is not found for API version v1beta")


async def test_v1_models_is_googles_list_for_a_google_client_and_openais_otherwise(client: TestClient[Any, Any]) -> None:
    google = await (await client.get("/v1/models", headers={"x-goog-api-key": "k"})).json()
    by_query = await (await client.get("/v1/models/hello?key=k")).json()
    openai = await (await client.get("/v1/models", headers={"Authorization": "Bearer sk-1"})).json()
    assert "models/hello" in [model["name"] for model in google["models"]] and by_query["name"] == "models/hello"
    assert openai["object"] == "list" and "hello" in [model["id"] for model in openai["data"]]


async def test_the_api_key_is_accepted_either_way_and_never_journaled(client: TestClient[Any, Any]) -> None:
    by_header = await client.post("/v1beta/models/hello:generateContent", json=HELLO, headers={"x-goog-api-key": "secret-1"})
    by_query = await client.post("/v1beta/models/hello:generateContent?key=secret-2", json=HELLO)
    assert (by_header.status, by_query.status) == (200, 200)
    journal = json.dumps(client.server.app[STATE].journal.entries())
    assert "secret-1" not in journal and "secret-2" not in journal


async def test_a_header_scenario_wins_over_the_path_model(client: TestClient[Any, Any]) -> None:
    response = await client.post("/v1beta/models/hello:generateContent", json=HELLO, headers={"X-Mock-Scenario": "echo"})
    assert response.headers["X-Mock-Scenario"] == "echo" and (await response.json())["candidates"][0]["content"]["parts"] == [{"text": "你好"}]


async def test_split_utf8_cuts_characters_inside_a_text_part_across_reads(live_server: Any) -> None:
    server = live_server()
    split = await post("127.0.0.1", server.port, "/v1beta/models/split-utf8:streamGenerateContent?alt=sse", HELLO)
    assert any(ends_inside_character(read) for read in split.payload_reads)
    events = split.body.split(b"\r\n\r\n")[:-1]
    text = "".join(json.loads(event[len(b"data: ") :])["candidates"][0]["content"].get("parts", [{"text": ""}])[0]["text"] for event in events)
    assert text.startswith("好的，这是一段测试文字") and "😀" in text


def test_a_reset_after_five_deltas_and_a_hang_after_three(live_server: Any) -> None:
    server = live_server(max_stream_s=0.5)
    path = "/v1beta/models/m:streamGenerateContent?alt=sse"
    reset = chat(server.port, "reset-midstream", path=path, body=HELLO)
    assert (reset.ended, reset.terminated, reset.response.body.count(b"\r\n\r\n")) == ("reset", False, 5)
    hung = chat(server.port, "hang", path=path, body=HELLO)
    assert (hung.ended, hung.terminated, hung.response.body.count(b"\r\n\r\n")) == ("eof", False, 3)


async def test_wire_options_move_write_boundaries_and_keep_the_bytes(live_server: Any) -> None:
    server = live_server()
    path = "/v1beta/models/hello:streamGenerateContent?alt=sse"
    plain = await post("127.0.0.1", server.port, path, HELLO, SEEDED)
    merged = await post("127.0.0.1", server.port, path + "&mock_wire=frames_per_write=3", HELLO, SEEDED)
    assert merged.body == plain.body and len(merged.chunks) < len(plain.chunks)


async def test_chaos_strikes_at_the_seed_that_strikes(client: TestClient[Any, Any]) -> None:
    struck = await client.post("/v1beta/models/chaos-20:generateContent", json=HELLO, headers={"X-Mock-Seed": "10"})
    assert struck.status == 500 and (await struck.json())["error"]["status"] == "INTERNAL"


# ── thought signatures, as the service sends and checks them ───────────────────

TOOL = {"functionDeclarations": [{"name": "get_weather", "parametersJsonSchema": {"type": "object", "properties": {"city": {"type": "string"}}}}]}


async def test_a_function_call_part_carries_a_seeded_signature(client: TestClient[Any, Any]) -> None:
    body = {**HELLO, "tools": [TOOL]}
    answers = [await (await client.post("/v1beta/models/tool-call:generateContent", json=body, headers=SEEDED)).json() for _ in range(2)]
    [part] = answers[0]["candidates"][0]["content"]["parts"]
    assert set(part) == {"functionCall", "thoughtSignature"} and len(part["thoughtSignature"]) > 100
    assert answers[0] == answers[1] and "finishMessage" not in answers[0]["candidates"][0]


async def test_a_thinking_models_stream_ends_in_a_signed_empty_part_and_names_its_model(client: TestClient[Any, Any]) -> None:
    raw = await (await client.post("/v1beta/models/gemini-3-pro-preview:streamGenerateContent?alt=sse", json=HELLO, headers={"X-Mock-Scenario": "hello"})).read()
    last = json.loads(raw.split(b"\r\n\r\n")[-2][len(b"data: ") :])
    [part] = last["candidates"][0]["content"]["parts"]
    assert part["text"] == "" and part["thoughtSignature"] and last["modelVersion"] == "gemini-3-pro-preview"


def history(signed: bool) -> dict[str, Any]:
    call: dict[str, Any] = {"functionCall": {"name": "get_weather", "args": {"city": "北京"}}}
    if signed:
        call["thoughtSignature"] = "c2lnbmF0dXJl"
    reply = {"role": "user", "parts": [{"functionResponse": {"name": "get_weather", "response": {"sky": "sunny"}}}]}
    return {"contents": [HELLO["contents"][0], {"role": "model", "parts": [call]}, reply], "tools": [TOOL]}


async def test_gemini_3_refuses_a_history_that_drops_a_signature_of_this_turn(client: TestClient[Any, Any]) -> None:
    response = await client.post("/v1beta/models/gemini-3-pro-preview:generateContent", json=history(signed=False))
    assert response.status == 400
    error = (await response.json())["error"]
    assert (error["code"], error["status"]) == (400, "INVALID_ARGUMENT")
    assert error["message"] == (
        "Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly, "
        "and missing thought_signature may lead to degraded model performance. Additional data, function call `default_api:get_weather` , "
        "position 2. Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more details."
    )
    assert (await client.post("/v1beta/models/gemini-3-pro-preview:generateContent", json=history(signed=True))).status == 200
    assert (await client.post("/v1beta/models/gemini-2.5-flash:generateContent", json=history(signed=False))).status == 200


async def test_only_the_current_turn_is_checked(client: TestClient[Any, Any]) -> None:
    """A new question starts a new turn: calls before it are not checked."""
    body = history(signed=False)
    body["contents"] += [{"role": "model", "parts": [{"text": "晴。"}]}, {"role": "user", "parts": [{"text": "谢谢"}]}]
    assert (await client.post("/v1beta/models/gemini-3-pro-preview:generateContent", json=body)).status == 200
