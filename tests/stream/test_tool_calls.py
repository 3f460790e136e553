"""Tool calls end to end: the `tool_call` step, conversation-aware `match`, and Chat tool calls as every client sees them.

Clients: raw bytes, the official openai SDK for Python (its stream helper and
plain accumulation) and for Node, and the AI SDK's `streamText` over
`@ai-sdk/openai` `.chat()`; plus the failures a tool-call stream must survive
(an in-stream error, a reset, characters split across writes).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import openai
import pytest
from aiohttp.test_utils import TestClient
from conftest import REPO
from openai import OpenAI
from rawhttp import ends_inside_character, post
from scenario_files import scenario, serving

from mockllm.core.events import Error, Finish, ToolCall
from mockllm.core.request import ChatRequest, Tool
from mockllm.dialects.openai import OpenAIChat
from mockllm.scenarios.scenario import Scenario
from mockllm.server.app import create_app
from mockllm.stream.call import Call
from mockllm.stream.compile import compile_scenario
from mockllm.stream.pipeline import events_for

SEED = {"X-Mock-Seed": "7", "X-Mock-Speed": "0"}
USER = [{"role": "user", "content": "北京天气怎么样？"}]
WEATHER = {
    "type": "object",
    "properties": {"city": {"type": "string", "enum": ["北京", "上海"]}, "unit": {"type": "string", "enum": ["c", "f"]}},
    "required": ["city"],
}
#: A schema using what tool parameters use: required, enums, types, formats, bounds, $ref.
RICH = {
    "type": "object",
    "$defs": {"place": {"type": "object", "properties": {"lat": {"type": "number", "minimum": -90, "maximum": 90}}, "required": ["lat"]}},
    "properties": {
        "city": {"type": "string", "enum": ["北京", "上海"]},
        "when": {"type": "string", "format": "date-time"},
        "day": {"type": "string", "format": "date"},
        "email": {"type": "string", "format": "email"},
        "id": {"type": "string", "format": "uuid"},
        "days": {"type": "integer", "minimum": 1, "maximum": 7},
        "ratio": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
        "tags": {"type": "array", "items": {"type": "string", "minLength": 3, "maxLength": 5}, "minItems": 2, "maxItems": 4},
        "detailed": {"type": "boolean"},
        "note": {"type": ["string", "null"]},
        "place": {"$ref": "#/$defs/place"},
        "choice": {"anyOf": [{"type": "integer"}, {"type": "null"}]},
    },
    "required": ["city", "when", "day", "email", "id", "days", "ratio", "tags", "detailed", "place"],
    "additionalProperties": False,
}


def tool(name: str, parameters: dict[str, Any] | None = None, description: str = "") -> dict[str, Any]:
    return {"type": "function", "function": {"name": name, "description": description, "parameters": parameters or WEATHER}}


TOOLS = [tool("get_weather", description="Current weather of a city."), tool("get_time", {"type": "object", "properties": {"tz": {"type": "string"}}})]


def call_of(steps: list[Any], tools: list[dict[str, Any]] = TOOLS, seed: int = 1, **chat: Any) -> Call:
    """A seeded Call of `steps` for a request offering `tools`."""
    offered = tuple(Tool(t["function"]["name"], "", t["function"]["parameters"]) for t in tools)
    parsed = Scenario.model_validate({"schema": 1, "name": "t", "description": "t", "steps": steps})
    request = ChatRequest(messages=(("user", "hi"),), tools=offered, **chat)
    return Call(request, parsed, seed=seed, seeded=True, speed=0, stream_config=parsed.stream)


def tool_calls(call: Call) -> list[ToolCall]:
    return [e for e in compile_scenario(call.scenario, call) if isinstance(e, ToolCall)]


# ── the step: arguments ────────────────────────────────────────────────────────


@pytest.mark.parametrize("arguments", [{"city": "北京"}, '{"city":"北京"}'], ids=["mapping", "json-text"])
def test_arguments_as_mapping_or_json_text(arguments: Any) -> None:
    [made] = tool_calls(call_of([{"tool_call": {"name": "get_weather", "arguments": arguments}}]))
    assert (made.index, made.id, made.name, json.loads(made.arguments)) == (0, None, "get_weather", {"city": "北京"})
    assert made.arguments == '{"city":"北京"}'  # compact, UTF-8 kept as OpenAI sends it


def test_arguments_text_that_is_not_json_is_a_load_problem() -> None:
    with pytest.raises(ValueError, match="arguments given as text must be JSON"):
        Scenario.model_validate({"schema": 1, "name": "t", "description": "t", "steps": [{"tool_call": {"name": "f", "arguments": "{city"}}]})


@pytest.mark.parametrize("seed", range(12))
def test_from_schema_validates_against_the_tools_schema(seed: int) -> None:
    step = {"tool_call": {"name": "plan", "arguments": {"from_schema": True}}}
    [made] = tool_calls(call_of([step], [tool("plan", RICH)], seed=seed))
    document = json.loads(made.arguments)
    validator = jsonschema.Draft202012Validator(RICH, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    assert not list(validator.iter_errors(document)), document
    assert set(RICH["required"]) <= set(document)


def test_from_schema_is_seeded() -> None:
    step = [{"tool_call": {"name": "plan", "arguments": {"from_schema": True}}}]
    runs = {seed: tool_calls(call_of(step, [tool("plan", RICH)], seed=seed))[0].arguments for seed in (1, 1, 2)}
    assert tool_calls(call_of(step, [tool("plan", RICH)], seed=1))[0].arguments == runs[1]
    assert runs[1] != runs[2]


def test_from_schema_all_properties_fills_the_optional_ones() -> None:
    step = [{"tool_call": {"name": "plan", "arguments": {"from_schema": True, "all_properties": True}}}]
    for seed in range(5):
        assert set(json.loads(tool_calls(call_of(step, [tool("plan", RICH)], seed=seed))[0].arguments)) == set(RICH["properties"])


@pytest.mark.parametrize(
    ("parameters", "says"),
    [
        ({"type": "object", "properties": {"a": {"$ref": "#/$defs/missing"}}, "required": ["a"]}, "leads nowhere"),
        ({"type": "object", "properties": {"a": {"type": "decimal"}}, "required": ["a"]}, "unknown type"),
        ({"type": "object", "properties": {"a": {"type": "integer", "minimum": 5, "maximum": 1}}, "required": ["a"]}, "no integer"),
    ],
    ids=["dangling-ref", "unknown-type", "empty-range"],
)
def test_a_schema_that_cannot_be_generated_from_is_a_400(parameters: dict[str, Any], says: str) -> None:
    events = list(compile_scenario((c := call_of([{"tool_call": {"name": "f", "arguments": {"from_schema": True}}}], [tool("f", parameters)])).scenario, c))
    [error] = [e for e in events if isinstance(e, Error)]
    assert error.status == 400 and says in error.message and "'f'" in error.message


# ── the step: which tool, indexes, finish ─────────────────────────────────────


def test_name_auto_calls_the_first_tool() -> None:
    [made] = tool_calls(call_of([{"tool_call": {"name": "auto", "arguments": {"from_schema": True}}}]))
    assert made.name == "get_weather" and json.loads(made.arguments)["city"] in ("北京", "上海")


def test_name_auto_calls_the_tool_that_tool_choice_forces() -> None:
    [made] = tool_calls(call_of([{"tool_call": {"name": "auto"}}], tool_choice="required", forced_tool="get_time"))
    assert made.name == "get_time"


def test_name_auto_without_tools_is_a_400() -> None:
    c = call_of([{"tool_call": {"name": "auto"}}], tools=[])
    [error] = [e for e in compile_scenario(c.scenario, c) if isinstance(e, Error)]
    assert error.status == 400 and "offers no tools" in error.message


def test_consecutive_tool_calls_are_parallel_calls_with_consecutive_indexes() -> None:
    steps = [{"tool_call": {"name": "get_weather", "arguments": {"city": "北京"}}}, {"tool_call": {"name": "get_time", "id": "call_mine"}}]
    made = tool_calls(call_of(steps))
    assert [(m.index, m.name, m.id) for m in made] == [(0, "get_weather", None), (1, "get_time", "call_mine")]


@pytest.mark.parametrize(
    ("steps", "reason"),
    [
        ([{"tool_call": {"name": "get_weather"}}], "tool_calls"),
        ([{"say": "先查一下"}, {"tool_call": {"name": "get_weather"}}], "tool_calls"),
        ([{"tool_call": {"name": "get_weather"}}, {"say": "查好了"}], None),
        ([{"tool_call": {"name": "get_weather"}}, {"finish": "stop"}], "stop"),
    ],
    ids=["call-last", "text-then-call", "text-last", "explicit-finish"],
)
def test_an_answer_ending_in_a_tool_call_finishes_with_tool_calls(steps: list[Any], reason: str | None) -> None:
    c = call_of(steps)
    finishes = [e.reason for e in compile_scenario(c.scenario, c) if isinstance(e, Finish)]
    assert finishes == ([reason] if reason else [])


# ── Chat bytes ─────────────────────────────────────────────────────────────────

PARALLEL = scenario(
    "parallel",
    [
        {"say": "好的"},
        {"tool_call": {"name": "get_weather", "arguments": {"city": "北京", "unit": "c"}}},
        {"tool_call": {"name": "get_time", "arguments": {"tz": "Asia/Shanghai"}}},
    ],
    stream={"unit": "char", "per_delta": 4, "first_token_ms": 0},
)
EXPECTED_PARALLEL = [("get_weather", {"city": "北京", "unit": "c"}), ("get_time", {"tz": "Asia/Shanghai"})]


@pytest.fixture
async def client(aiohttp_client: Any, tmp_path: Path) -> TestClient[Any, Any]:
    return await aiohttp_client(create_app(serving(tmp_path, PARALLEL, *TEST_SCENARIOS)))


async def chat(client: TestClient[Any, Any], model: str, **body: Any) -> Any:
    response = await client.post("/v1/chat/completions", json={"model": model, "messages": USER, "tools": TOOLS, **body}, headers=SEED)
    return response


def frames(body: bytes) -> list[Any]:
    events = [line[len("data: ") :] for line in body.decode().split("\n\n") if line.startswith("data: ")]
    assert events[-1] == "[DONE]"
    return [json.loads(e) for e in events[:-1]]


async def test_streamed_tool_call_deltas_are_shaped_as_openai_sends_them(client: TestClient[Any, Any]) -> None:
    chunks = frames(await (await chat(client, "parallel", stream=True)).read())
    deltas = [c["choices"][0]["delta"] for c in chunks]
    calls = [(i, d["tool_calls"][0]) for i, d in enumerate(deltas) if "tool_calls" in d]
    heads = [(i, c) for i, c in calls if "id" in c]
    assert [c["index"] for _, c in heads] == [0, 1]
    for _, head in heads:  # the first delta of each call: index, id, type, name and empty arguments, in this order
        assert list(head) == ["index", "id", "type", "function"] and head["type"] == "function"
        assert head["function"]["arguments"] == "" and head["id"].startswith("call_") and len(head["id"]) == 29
    for _, fragment in (pair for pair in calls if "id" not in pair[1]):  # then fragments with the index only
        assert list(fragment) == ["index", "function"] and list(fragment["function"]) == ["arguments"]
    # call 0's fragments all come before call 1's head, and each call's fragments join to its JSON
    second = heads[1][0]
    assert {c["index"] for i, c in calls if i < second} == {0} and {c["index"] for i, c in calls if i > second} == {1}
    for index, (name, arguments) in enumerate(EXPECTED_PARALLEL):
        joined = "".join(c["function"]["arguments"] for _, c in calls if c["index"] == index)
        assert json.loads(joined) == arguments and heads[index][1]["function"]["name"] == name
    assert deltas[0] == {"role": "assistant", "content": "", "refusal": None}  # text came first
    assert chunks[-1]["choices"][0] == {"index": 0, "delta": {}, "logprobs": None, "finish_reason": "tool_calls"}


def test_a_first_delta_that_is_a_tool_call_carries_the_role() -> None:
    c = call_of([{"tool_call": {"name": "get_weather", "arguments": {"city": "上海"}}}])
    first = next(item for item in OpenAIChat().stream(events_for(c), c) if isinstance(item, bytes))
    delta = json.loads(first[len(b"data: ") :])["choices"][0]["delta"]
    assert list(delta) == ["role", "content", "tool_calls", "refusal"] and delta["content"] is None and delta["role"] == "assistant"


async def test_whole_answer_has_tool_calls_and_null_content_without_text(client: TestClient[Any, Any]) -> None:
    body = await (await chat(client, "calls-only")).json()
    [choice] = body["choices"]
    assert choice["finish_reason"] == "tool_calls"
    message = choice["message"]
    assert list(message) == ["role", "content", "tool_calls", "refusal", "annotations"] and message["content"] is None
    assert [(c["type"], c["function"]["name"], json.loads(c["function"]["arguments"])) for c in message["tool_calls"]] == [
        ("function", name, arguments) for name, arguments in EXPECTED_PARALLEL
    ]
    assert body["usage"]["completion_tokens"] > 0


async def test_whole_answer_keeps_text_beside_its_tool_calls(client: TestClient[Any, Any]) -> None:
    message = (await (await chat(client, "parallel")).json())["choices"][0]["message"]
    assert message["content"] == "好的" and len(message["tool_calls"]) == 2


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"tool_choice": {"type": "function", "function": {"name": "nope"}}}, "tool_choice"),
        ({"tool_choice": "sometimes"}, "tool_choice"),
        ({"tool_choice": 3}, "tool_choice"),
        ({"tools": {"type": "function"}}, "tools"),
        ({"tools": [{"type": "function"}]}, "tools[0]"),
        ({"tools": [{"type": "function", "function": {"name": "f", "parameters": []}}]}, "tools[0].function.parameters"),
        ({"messages": [{"role": "assistant", "tool_calls": 5}, *USER]}, "messages[0].tool_calls"),
        ({"messages": [{"role": "assistant", "tool_calls": [{"function": "f"}]}, *USER]}, "messages[0].tool_calls[0]"),
    ],
    ids=[
        "unknown-forced-tool",
        "unknown-mode",
        "mode-not-a-string",
        "tools-not-a-list",
        "tool-without-function",
        "parameters-not-an-object",
        "history-calls-not-a-list",
        "history-call-without-function",
    ],
)
async def test_bad_tool_input_is_a_400_in_openais_shape(client: TestClient[Any, Any], body: dict[str, Any], param: str) -> None:
    response = await chat(client, "parallel", **body)
    assert response.status == 400
    error = (await response.json())["error"]
    assert error["type"] == "invalid_request_error" and error["param"] == param and error["message"]


async def test_a_tool_schema_that_cannot_be_generated_from_is_a_400_on_the_route(client: TestClient[Any, Any]) -> None:
    bad = [tool("get_weather", {"type": "object", "properties": {"a": {"$ref": "#/nowhere"}}, "required": ["a"]})]
    response = await client.post("/v1/chat/completions", json={"model": "from-schema", "messages": USER, "tools": bad}, headers=SEED)
    assert response.status == 400
    error = (await response.json())["error"]
    assert error["param"] == "tools" and "leads nowhere" in error["message"]


# ── conversation-aware match ──────────────────────────────────────────────────

ANSWERING = [{"role": "assistant", "content": None, "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{}"}}]}]
TOOL_REPLY = [*ANSWERING, {"role": "tool", "tool_call_id": "call_1", "content": "晴，25°C"}]
TEST_SCENARIOS = [
    scenario("calls-only", [{"tool_call": {"name": n, "arguments": a}} for n, a in EXPECTED_PARALLEL]),
    scenario("from-schema", [{"tool_call": {"name": "auto", "arguments": {"from_schema": True}}}]),
    scenario("by-system", [{"say": "system"}], match={"system": "^You are a pirate"}),
    scenario("by-result-content", [{"say": "{{tool}}: {{tool_result}}"}], match={"tool_result": {"content": "°C$"}}),
    scenario("by-result-name", [{"say": "time result"}], match={"tool_result": "get_time"}),
    scenario("by-any-result", [{"say": "some result"}], match={"tool_result": True}),
    scenario("second-turn", [{"say": "turn 2"}], match={"turn": 2}),
    scenario("offers-get-time", [{"say": "get_time offered"}], match={"tool": "get_time"}),
    scenario("has-tools", [{"say": "tools offered"}], match={"has_tools": True, "tool_result": False}),
    scenario("no-tools", [{"say": "no tools"}], match={"has_tools": False}),
]


@pytest.mark.parametrize(
    ("messages", "tools", "expected"),
    [
        ([{"role": "system", "content": "You are a pirate."}, *USER], TOOLS, "by-system"),
        ([*USER, *TOOL_REPLY], TOOLS, "by-result-content"),
        ([*USER, *ANSWERING, {"role": "tool", "tool_call_id": "call_1", "content": "sunny"}], TOOLS, "by-any-result"),
        ([*USER, {**ANSWERING[0], "tool_calls": [{**ANSWERING[0]["tool_calls"][0], "function": {"name": "get_time", "arguments": "{}"}}]},
          {"role": "tool", "tool_call_id": "call_1", "content": "12:00"}], TOOLS, "by-result-name"),
        ([*USER, *TOOL_REPLY, {"role": "user", "content": "再查上海"}], TOOLS[:1], "has-tools"),  # a new user message: no results since it
        ([*USER, {"role": "assistant", "content": "a"}, *USER, {"role": "assistant", "content": "b"}, *USER], [], "second-turn"),
        (USER, TOOLS, "offers-get-time"),
        (USER, TOOLS[:1], "has-tools"),
        (USER, [], "no-tools"),
    ],
    ids=["system", "result-content", "any-result", "result-name", "results-reset-by-user", "turn", "tool", "has-tools", "no-tools"],
)
async def test_match_reads_the_conversation(client: TestClient[Any, Any], messages: list[Any], tools: list[Any], expected: str) -> None:
    body: dict[str, Any] = {"model": "gpt-4o", "messages": messages}
    if tools:
        body["tools"] = tools
    response = await client.post("/v1/chat/completions", json=body, headers=SEED)
    assert response.status == 200 and response.headers["X-Mock-Scenario"] == expected


async def test_tool_result_and_tool_placeholders_quote_the_last_result(client: TestClient[Any, Any]) -> None:
    response = await client.post("/v1/chat/completions", json={"model": "gpt-4o", "messages": [*USER, *TOOL_REPLY]}, headers=SEED)
    assert (await response.json())["choices"][0]["message"]["content"] == "get_weather: 晴，25°C"


# ── the official Python SDK ───────────────────────────────────────────────────


@pytest.fixture
def sdk(live_server: Any, tmp_path: Path) -> OpenAI:
    server = live_server(**vars(serving(tmp_path, PARALLEL, *TEST_SCENARIOS)) | {"speed": 1.0})
    return OpenAI(base_url=server.url + "/v1", api_key="sk-unused", max_retries=0, default_headers=SEED)


def test_python_sdk_stream_helper_final_completion_has_the_scenarios_calls(sdk: OpenAI) -> None:
    with sdk.chat.completions.stream(model="parallel", messages=USER, tools=TOOLS) as stream:
        kinds = {event.type for event in stream}
        final = stream.get_final_completion()
    assert {"tool_calls.function.arguments.delta", "tool_calls.function.arguments.done", "content.done"} <= kinds
    message = final.choices[0].message
    assert final.choices[0].finish_reason == "tool_calls" and message.content == "好的"
    assert [(c.function.name, json.loads(c.function.arguments)) for c in message.tool_calls or []] == EXPECTED_PARALLEL


def test_python_sdk_create_stream_accumulates_the_calls_by_index(sdk: OpenAI) -> None:
    calls: dict[int, dict[str, str]] = {}
    finish = None
    for chunk in sdk.chat.completions.create(model="parallel", messages=USER, tools=TOOLS, stream=True):
        choice = chunk.choices[0]
        finish = choice.finish_reason or finish
        for delta in choice.delta.tool_calls or []:
            call = calls.setdefault(delta.index, {"id": "", "name": "", "arguments": ""})
            call["id"] += delta.id or ""
            call["name"] += (delta.function and delta.function.name) or ""
            call["arguments"] += (delta.function and delta.function.arguments) or ""
    assert finish == "tool_calls" and sorted(calls) == [0, 1]
    assert [(c["name"], json.loads(c["arguments"])) for c in calls.values()] == EXPECTED_PARALLEL
    whole = sdk.chat.completions.create(model="parallel", messages=USER, tools=TOOLS).choices[0].message.tool_calls or []
    assert [c["id"] for c in calls.values()] == [c.id for c in whole]  # the same seeded ids streamed and whole


def test_python_sdk_strict_function_tool_gets_parsed_arguments(sdk: OpenAI) -> None:
    from pydantic import BaseModel

    class GetWeather(BaseModel):
        city: str
        unit: str

    forced = {"type": "function", "function": {"name": "GetWeather"}}
    completion = sdk.chat.completions.parse(
        model="from-schema", messages=USER, tools=[openai.pydantic_function_tool(GetWeather)], tool_choice=forced  # type: ignore[arg-type]
    )
    [call] = completion.choices[0].message.tool_calls or []
    assert isinstance(call.function.parsed_arguments, GetWeather)


def test_agent_loop_over_chat_with_the_shipped_scenarios(live_server: Any) -> None:
    """Turn 1 offers a tool and gets a call (agent-call-tool); turn 2 carries the result and gets an answer quoting it (agent-answer)."""
    client = OpenAI(base_url=live_server(speed=1.0).url + "/v1", api_key="sk-unused", max_retries=0, default_headers=SEED)
    messages: list[Any] = list(USER)
    tools = TOOLS[:1]
    with client.chat.completions.stream(model="gpt-4o", messages=messages, tools=tools) as stream:
        first = stream.get_final_completion()
    assert first.choices[0].finish_reason == "tool_calls"
    [call] = first.choices[0].message.tool_calls or []
    assert call.function.name == "get_weather" and json.loads(call.function.arguments)["city"] in ("北京", "上海")
    messages += [first.choices[0].message.model_dump(exclude_none=True, include={"role", "content", "tool_calls"})]
    messages += [{"role": "tool", "tool_call_id": call.id, "content": "晴，25°C"}]
    raw = client.chat.completions.with_raw_response.create(model="gpt-4o", messages=messages, tools=tools, stream=True)
    assert raw.headers["X-Mock-Scenario"] == "agent-answer"
    text = "".join(chunk.choices[0].delta.content or "" for chunk in raw.parse() if chunk.choices)
    assert text == "根据 get_weather 的结果：晴，25°C"


# ── failures inside a tool-call stream ────────────────────────────────────────

FAILING = [
    scenario("call-then-error", [{"tool_call": {"name": "get_weather", "arguments": {"city": "北京"}}}, {"error": "server_error"}]),
    scenario("call-then-reset", [{"tool_call": {"name": "get_weather", "arguments": {"city": "北京", "unit": "c"}}}], faults=[{"fault": "reset", "after_deltas": 4}]),
    scenario("call-split-utf8", [{"tool_call": {"name": "get_weather", "arguments": {"city": "北京", "note": "晴转多云😀"}}}], wire={"split_utf8": "every"}),
]


@pytest.fixture
def failing(live_server: Any, tmp_path: Path) -> Any:
    return live_server(**vars(serving(tmp_path, *FAILING)) | {"speed": 1.0})


def _streamed(client: OpenAI, model: str, received: list[Any]) -> None:
    for chunk in client.chat.completions.create(model=model, messages=USER, tools=TOOLS, stream=True):
        received.append(chunk)  # noqa: PERF402 - one by one, so what came before a failure is kept


def _arguments(chunks: list[Any]) -> str:
    return "".join(d.function.arguments or "" for c in chunks if c.choices for d in c.choices[0].delta.tool_calls or [] if d.function)


def test_an_error_after_a_tool_call_raises_after_its_fragments(failing: Any) -> None:
    client = OpenAI(base_url=failing.url + "/v1", api_key="sk-unused", max_retries=0, default_headers=SEED)
    received: list[Any] = []
    with pytest.raises(openai.APIError, match="The server had an error"):
        _streamed(client, "call-then-error", received)
    assert json.loads(_arguments(received)) == {"city": "北京"}
    assert {c.choices[0].finish_reason for c in received} == {None}


def test_a_reset_inside_the_arguments_leaves_them_incomplete(failing: Any) -> None:
    client = OpenAI(base_url=failing.url + "/v1", api_key="sk-unused", max_retries=0, default_headers=SEED)
    received: list[Any] = []
    with pytest.raises(openai.APIConnectionError):
        _streamed(client, "call-then-reset", received)
    assert len(received) == 4  # four deltas: the call's head (no role chunk before it), then 3 fragments
    with pytest.raises(json.JSONDecodeError):
        json.loads(_arguments(received))


async def test_characters_split_across_writes_inside_arguments_still_decode(failing: Any) -> None:
    response = await post("127.0.0.1", failing.port, "/v1/chat/completions", {"model": "call-split-utf8", "messages": USER, "tools": TOOLS, "stream": True}, SEED)
    assert response.status == 200 and any(ends_inside_character(piece) for piece in response.payload_reads)
    arguments = "".join(
        d["function"].get("arguments", "") for c in frames(response.body) for d in c["choices"][0]["delta"].get("tool_calls", [])
    )
    assert json.loads(arguments) == {"city": "北京", "note": "晴转多云😀"}
    client = OpenAI(base_url=failing.url + "/v1", api_key="sk-unused", max_retries=0, default_headers=SEED)
    with client.chat.completions.stream(model="call-split-utf8", messages=USER, tools=TOOLS) as stream:
        [call] = stream.get_final_completion().choices[0].message.tool_calls or []
    assert json.loads(call.function.arguments) == {"city": "北京", "note": "晴转多云😀"}


# ── Node clients: openai-node and the AI SDK ──────────────────────────────────


def _node_tools(server_url: str, model: str, agent_model: str | None = None) -> dict[str, Any]:
    node = shutil.which("node")
    assert node, "Node.js is needed to test the Node clients (`node` is not on PATH)"
    request = {"baseURL": server_url, "headers": SEED, "model": model, "agentModel": agent_model, "messages": USER, "tools": TOOLS}
    result = subprocess.run(
        [node, "openai_tools.mjs"], cwd=REPO / "tests" / "browser", input=json.dumps(request), capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_node_clients_see_the_streamed_text_and_tool_calls(live_server: Any, tmp_path: Path) -> None:
    server = live_server(**vars(serving(tmp_path, PARALLEL, *TEST_SCENARIOS)) | {"speed": 1.0})
    seen = _node_tools(server.url, "parallel")
    expected = [(name, arguments) for name, arguments in EXPECTED_PARALLEL]
    for key in ("sdkFinal", "sdkWhole"):
        assert [(c["name"], json.loads(c["arguments"])) for c in seen[key]] == expected, key
    assert seen["sdkDeltas"]["finishReason"] == "tool_calls"
    assert [(c["index"], c["name"], json.loads(c["arguments"])) for c in seen["sdkDeltas"]["calls"]] == [(i, *e) for i, e in enumerate(expected)]
    assert [c["id"] for c in seen["sdkDeltas"]["calls"]] == [c["id"] for c in seen["sdkWhole"]]
    ai = seen["aiSdk"]
    assert ai["errors"] == [] and ai["text"] == "好的" and ai["finishReason"] == "tool-calls"
    assert [(c["name"], c["input"]) for c in ai["toolCalls"]] == expected
    assert [json.loads(ai["toolInputs"][c["id"]]) for c in ai["toolCalls"]] == [e[1] for e in expected]  # streamed in fragments


def test_ai_sdk_agent_loop_over_chat_with_the_shipped_scenarios(live_server: Any) -> None:
    seen = _node_tools(live_server(speed=1.0).url, "agent-call-tool", agent_model="gpt-4o")["aiAgent"]
    assert seen["errors"] == [] and seen["finishReason"] == "stop"
    [call] = seen["toolCalls"]
    assert seen["text"] == "好的，我先查一下。根据 get_weather 的结果：" + json.dumps({"forecast": "晴", "args": call["input"]}, ensure_ascii=False, separators=(",", ":"))

