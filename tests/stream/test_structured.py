"""Structured output: a JSON `response_format` makes the answer a conforming document, streamed like text."""

from __future__ import annotations

import datetime
import enum
import json
from pathlib import Path
from typing import Any, Iterator

import jsonschema
import pytest
from aiohttp.test_utils import TestClient
from openai import OpenAI
from pydantic import BaseModel, Field
from scenario_files import scenario, serving

from mockllm.core.events import Error, Event, Text, ToolCall
from mockllm.core.request import ChatRequest
from mockllm.scenarios.scenario import Scenario
from mockllm.server.app import create_app
from mockllm.stream.call import Call
from mockllm.stream.compile import compile_scenario
from mockllm.stream.transforms.structured import conform, conforms, schema_problem

SEED = {"X-Mock-Seed": "11", "X-Mock-Speed": "0"}
USER = [{"role": "user", "content": "Give me the weather as JSON."}]
SCHEMA = {
    "type": "object",
    "properties": {
        "city": {"type": "string", "enum": ["北京", "上海"]},
        "temperature_c": {"type": "number", "minimum": -40, "maximum": 50},
        "days": {"type": "array", "items": {"$ref": "#/$defs/day"}, "minItems": 1, "maxItems": 3},
        "updated": {"type": "string", "format": "date-time"},
        "note": {"anyOf": [{"type": "string"}, {"type": "null"}]},
    },
    "required": ["city", "temperature_c", "days", "updated", "note"],
    "additionalProperties": False,
    "$defs": {"day": {"type": "object", "properties": {"date": {"type": "string", "format": "date"}, "rain": {"type": "boolean"}}, "required": ["date", "rain"], "additionalProperties": False}},
}
JSON_SCHEMA = {"type": "json_schema", "schema": SCHEMA, "name": "weather", "strict": True}
CONFORMING = '{"city":"上海","temperature_c":21.5,"days":[{"date":"2025-05-01","rain":false}],"updated":"2025-05-01T08:00:00Z","note":null}'


def valid(document: Any) -> bool:
    return jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER).is_valid(document)


def events(steps: list[Any], response_format: dict[str, Any] | None, seed: int = 1, **fields: Any) -> list[Event]:
    parsed = Scenario.model_validate({"schema": 1, "name": "t", "description": "t", "steps": steps, **fields})
    chat = ChatRequest(messages=(("user", "hi"),), response_format=response_format)
    call = Call(chat, parsed, seed=seed, seeded=True, speed=0, stream_config=parsed.stream)
    return list(conform(compile_scenario(parsed, call), call))


def said(out: list[Event]) -> str:
    return "".join(e.text for e in out if isinstance(e, Text))


# ── the transform ──────────────────────────────────────────────────────────────


def test_without_a_format_the_text_passes() -> None:
    assert said(events([{"say": "plain text"}], None)) == "plain text"


def test_a_conforming_text_passes_unchanged() -> None:
    assert said(events([{"say": CONFORMING}], JSON_SCHEMA)) == CONFORMING


@pytest.mark.parametrize("seed", range(10))
def test_a_non_conforming_text_becomes_a_valid_seeded_document(seed: int) -> None:
    document = json.loads(said(events([{"say": "It is sunny."}], JSON_SCHEMA, seed=seed)))
    assert valid(document)
    assert said(events([{"say": "It is sunny."}], JSON_SCHEMA, seed=seed)) == json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def test_different_seeds_give_different_documents() -> None:
    assert len({said(events([{"say": "x"}], JSON_SCHEMA, seed=seed)) for seed in range(6)}) > 1


def test_valid_json_that_breaks_the_schema_is_replaced() -> None:
    out = said(events([{"say": '{"city": "巴黎"}'}], JSON_SCHEMA))
    assert out != '{"city": "巴黎"}' and valid(json.loads(out))


def test_text_spread_over_steps_is_judged_as_one_document() -> None:
    half = len(CONFORMING) // 2
    assert said(events([{"say": CONFORMING[:half]}, {"pause": 10}, {"say": CONFORMING[half:]}], JSON_SCHEMA)) == CONFORMING


@pytest.mark.parametrize(
    ("text", "expected"),
    [("你好", {"answer": "你好"}), ('{"a": [1, 2]}', {"a": [1, 2]}), ("[1, 2]", {"answer": "[1, 2]"})],
    ids=["text", "object", "array-is-not-an-object"],
)
def test_json_object_wraps_text_that_is_not_an_object(text: str, expected: Any) -> None:
    assert json.loads(said(events([{"say": text}], {"type": "json_object"}))) == expected


def test_as_is_keeps_a_non_conforming_text() -> None:
    assert said(events([{"say": "not json"}], JSON_SCHEMA, structured="as_is")) == "not json"


def test_tool_calls_and_errors_before_any_text_pass() -> None:
    calls = events([{"tool_call": {"name": "f", "arguments": {"a": 1}}}], JSON_SCHEMA)
    assert [type(e) for e in calls if isinstance(e, (ToolCall, Text))] == [ToolCall]
    [error] = events([{"error": "rate_limited"}], JSON_SCHEMA)
    assert isinstance(error, Error) and error.status == 429


def test_text_then_an_error_keeps_the_error_after_the_document() -> None:
    out = events([{"say": "partial"}, {"error": "server_error"}], JSON_SCHEMA)
    assert valid(json.loads(said(out))) and isinstance(out[-1], Error)


def test_a_schema_nothing_can_be_generated_for_is_an_error_when_the_text_does_not_conform() -> None:
    pattern = {"type": "json_schema", "schema": {"type": "string", "pattern": "^[0-9]{3}$"}}
    [error] = events([{"say": "abc"}], pattern)
    assert isinstance(error, Error) and error.status == 400 and "structured: as_is" in error.message
    assert said(events([{"say": '"123"'}], pattern)) == '"123"'  # a conforming text still goes out


@pytest.mark.parametrize(
    ("schema", "says"),
    [
        ([], "a schema is a JSON object"),
        ({"type": "objekt"}, "at type"),
        ({"type": "object", "properties": {"a": {"type": "integer", "minimum": "x"}}}, "properties/a/minimum"),
        ({"$ref": "#/$defs/nowhere"}, "leads nowhere"),
    ],
    ids=["not-an-object", "bad-type", "bad-bound", "dangling-ref"],
)
def test_schema_problem_names_what_is_wrong(schema: Any, says: str) -> None:
    assert says in (schema_problem(schema) or "")


def test_conforms() -> None:
    assert conforms(CONFORMING, JSON_SCHEMA) and not conforms("{", JSON_SCHEMA) and conforms("{}", {"type": "json_object"})


# ── Chat ───────────────────────────────────────────────────────────────────────


SCENARIOS = [
    scenario("prose", [{"say": "今天北京晴，最高 25 度。"}], stream={"unit": "token", "first_token_ms": 0}),
    scenario("raw", [{"say": "今天北京晴。"}], structured="as_is"),
]


@pytest.fixture
async def client(aiohttp_client: Any, tmp_path: Path) -> TestClient[Any, Any]:
    return await aiohttp_client(create_app(serving(tmp_path, *SCENARIOS)))


def chat_format(schema: Any = SCHEMA, name: str = "weather") -> dict[str, Any]:
    return {"type": "json_schema", "json_schema": {"name": name, "schema": schema, "strict": True}}


async def test_the_document_streams_in_deltas_like_text(client: TestClient[Any, Any]) -> None:
    body = {"model": "prose", "messages": USER, "stream": True, "response_format": chat_format()}
    raw = await (await client.post("/v1/chat/completions", json=body, headers=SEED)).read()
    chunks = [json.loads(line[6:]) for line in raw.decode().split("\n\n") if line.startswith("data: {")]
    pieces = [c["choices"][0]["delta"].get("content") for c in chunks if c["choices"]]
    text = "".join(p for p in pieces if p)
    assert len([p for p in pieces if p]) > 5 and valid(json.loads(text))
    whole = await (await client.post("/v1/chat/completions", json={**body, "stream": False}, headers=SEED)).json()
    assert whole["choices"][0]["message"]["content"] == text  # the same seeded document streamed and whole


async def test_as_is_sends_the_scenarios_text(client: TestClient[Any, Any]) -> None:
    body = {"model": "raw", "messages": USER, "response_format": chat_format()}
    assert (await (await client.post("/v1/chat/completions", json=body, headers=SEED)).json())["choices"][0]["message"]["content"] == "今天北京晴。"


@pytest.mark.parametrize(
    ("response_format", "param"),
    [
        (chat_format({"type": "objekt"}), "response_format.json_schema.schema"),
        (chat_format([]), "response_format.json_schema.schema"),
        (chat_format(name="has space"), "response_format.json_schema.name"),
        ({"type": "json_schema"}, "response_format.json_schema"),
        ({"type": "yaml"}, "response_format.type"),
        ("json", "response_format.type"),
        ({"type": "json_schema", "json_schema": {"name": "a", "schema": {}, "strict": "yes"}}, "strict"),
    ],
    ids=["bad-type", "schema-not-an-object", "bad-name", "no-json-schema", "unknown-type", "not-an-object", "strict-not-a-boolean"],
)
@pytest.mark.parametrize("route", ["/v1/chat/completions", "/openai/deployments/prose/chat/completions?api-version=2024-10-21"])
async def test_a_malformed_format_is_a_400_in_the_routes_shape(client: TestClient[Any, Any], route: str, response_format: Any, param: str) -> None:
    response = await client.post(route, json={"model": "prose", "messages": USER, "response_format": response_format}, headers=SEED)
    assert response.status == 400
    error = (await response.json())["error"]
    assert error["type"] == "invalid_request_error" and error["param"] == param and error["message"]


async def test_text_format_is_no_structured_output(client: TestClient[Any, Any]) -> None:
    body = {"model": "prose", "messages": USER, "response_format": {"type": "text"}}
    assert (await (await client.post("/v1/chat/completions", json=body, headers=SEED)).json())["choices"][0]["message"]["content"].startswith("今天")


# ── the official Python SDK's parse helpers ───────────────────────────────────


class Sky(enum.Enum):
    SUNNY = "sunny"
    RAINY = "rainy"


class Day(BaseModel):
    date: datetime.date
    sky: Sky
    high_c: int = Field(ge=-40, le=50)


class Forecast(BaseModel):
    city: str
    days: list[Day]
    issued: datetime.datetime
    warning: str | None


@pytest.fixture
def sdk(live_server: Any, tmp_path: Path) -> Iterator[OpenAI]:
    server = live_server(**vars(serving(tmp_path, *SCENARIOS)) | {"speed": 1.0})
    with OpenAI(base_url=server.url + "/v1", api_key="sk-unused", max_retries=0, default_headers=SEED) as client:
        yield client


def test_python_sdk_parse_gives_the_pydantic_model(sdk: OpenAI) -> None:
    completion = sdk.chat.completions.parse(model="prose", messages=USER, response_format=Forecast)
    parsed = completion.choices[0].message.parsed
    assert isinstance(parsed, Forecast) and parsed.days and all(isinstance(day.sky, Sky) for day in parsed.days)


def test_python_sdk_stream_helper_parses_the_streamed_document(sdk: OpenAI) -> None:
    with sdk.chat.completions.stream(model="prose", messages=USER, response_format=Forecast) as stream:
        kinds = {event.type for event in stream}
        final = stream.get_final_completion()
    assert "content.delta" in kinds and isinstance(final.choices[0].message.parsed, Forecast)


def test_python_sdk_parse_fails_on_an_as_is_answer(sdk: OpenAI) -> None:
    """What a client meets when the model ignores the schema: the SDK's own validation error."""
    with pytest.raises(Exception, match="Invalid JSON"):
        sdk.chat.completions.parse(model="raw", messages=USER, response_format=Forecast)


def test_json_object_mode_gives_a_json_object(sdk: OpenAI) -> None:
    content = sdk.chat.completions.create(model="prose", messages=USER, response_format={"type": "json_object"}).choices[0].message.content
    assert json.loads(content or "") == {"answer": "今天北京晴，最高 25 度。"}


async def test_responses_text_format_gets_a_generated_document_and_a_bad_ref_is_a_400(client: TestClient[Any, Any]) -> None:
    """The transform is the same on Responses (`text.format`); a schema the route let through still never gives a 500."""
    fmt = {"type": "json_schema", "name": "weather", "schema": SCHEMA, "strict": True}
    body = {"model": "prose", "input": "weather?", "text": {"format": fmt}}
    response = await client.post("/v1/responses", json=body, headers=SEED)
    assert response.status == 200
    [text] = [part["text"] for item in (await response.json())["output"] if item["type"] == "message" for part in item["content"]]
    assert valid(json.loads(text))
    dangling = {**fmt, "schema": {"type": "object", "properties": {"a": {"$ref": "#/$defs/nowhere"}}, "required": ["a"]}}
    response = await client.post("/v1/responses", json={**body, "text": {"format": dangling}}, headers=SEED)
    assert response.status == 400 and "leads nowhere" in (await response.json())["error"]["message"]


# ── JSON mode: the word "json", and a schema the prompt holds ──────────────────


@pytest.mark.parametrize("route", ["/v1/chat/completions", "/openai/deployments/prose/chat/completions?api-version=2024-10-21"])
async def test_json_mode_without_the_word_json_is_openais_400(client: TestClient[Any, Any], route: str) -> None:
    body = {"model": "prose", "messages": [{"role": "user", "content": "weather?"}], "response_format": {"type": "json_object"}}
    response = await client.post(route, json=body, headers=SEED)
    assert response.status == 400
    error = (await response.json())["error"]
    assert error == {
        "message": "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.",
        "type": "invalid_request_error",
        "param": "messages",
        "code": None,
    }
    said_json = {**body, "messages": [{"role": "system", "content": "Reply with a Json object."}, {"role": "user", "content": "weather?"}]}
    assert (await client.post(route, json=said_json, headers=SEED)).status == 200


def prompted(messages: tuple[tuple[str, str], ...], steps: list[Any] | None = None) -> str:
    parsed = Scenario.model_validate({"schema": 1, "name": "t", "description": "t", "steps": steps or [{"say": "今天北京晴。"}]})
    chat = ChatRequest(messages=messages, response_format={"type": "json_object"})
    call = Call(chat, parsed, seed=5, seeded=True, speed=0, stream_config=parsed.stream)
    return said(list(conform(compile_scenario(parsed, call), call)))


@pytest.mark.parametrize(
    "system",
    [
        f"Answer in JSON that matches this schema:\n{json.dumps(SCHEMA, indent=2)}\nReturn an instance, not the schema.",
        f"Use this JSON schema:\n```json\n{json.dumps(SCHEMA)}\n```",
    ],
    ids=["plain", "fenced"],
)
def test_json_mode_follows_a_schema_in_the_system_prompt(system: str) -> None:
    assert valid(json.loads(prompted((("system", system), ("user", "weather?")))))


def test_json_mode_follows_a_schema_in_the_last_user_message_and_skips_json_that_is_no_schema() -> None:
    user = 'Examples look like {"note": 1}. Reply as JSON with this schema: ' + json.dumps(SCHEMA)
    assert valid(json.loads(prompted((("user", user),))))


def test_json_mode_without_a_schema_in_the_prompt_answers_as_before() -> None:
    assert json.loads(prompted((("system", "Reply in JSON {not json}"), ("user", "hi")))) == {"answer": "今天北京晴。"}
    assert json.loads(prompted((("user", "json please"),), [{"say": '{"a": 1}'}])) == {"a": 1}
