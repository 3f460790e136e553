"""The official anthropic SDK against a live server: streams, thinking, tool use, whole answers, errors and retries."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import anthropic
import pytest
from anthropic import Anthropic, AsyncAnthropic
from conftest import SCENARIOS, shipped_catalog
from regen_anthropic_golden import EXTRA_SCENARIOS, TOOLS
from regen_failure_table import is_failure

from mockllm.scenarios.loading import load_catalog
from mockllm.scenarios.presets import PRESETS, variants
from mockllm.server.state import STATE

MESSAGES: list[Any] = [{"role": "user", "content": "你好，介绍一下你自己。"}]
SEED = {"X-Mock-Seed": "123", "X-Mock-Speed": "0"}
THINKING: Any = {"type": "enabled", "budget_tokens": 2048}

#: preset → the exception the SDK raises for it, its status and error type (as for the real service)
RAISES: dict[str, tuple[type[anthropic.APIStatusError], int, str]] = {
    "rate_limited": (anthropic.RateLimitError, 429, "rate_limit_error"),
    "insufficient_quota": (anthropic.BadRequestError, 400, "invalid_request_error"),
    "insufficient_balance": (anthropic.PaymentRequiredError, 402, "billing_error"),
    "invalid_api_key": (anthropic.AuthenticationError, 401, "authentication_error"),
    "content_filter": (anthropic.BadRequestError, 400, "invalid_request_error"),
    "context_length_exceeded": (anthropic.BadRequestError, 400, "invalid_request_error"),
    "server_error": (anthropic.InternalServerError, 500, "api_error"),
    "bad_gateway": (anthropic.InternalServerError, 502, "api_error"),
    "unavailable": (anthropic.ServiceUnavailableError, 503, "api_error"),
    "overloaded": (anthropic.OverloadedError, 529, "overloaded_error"),
}


@pytest.fixture
def shipped(live_server: Any) -> Any:
    return live_server(speed=1)


@pytest.fixture
def extra(live_server: Any) -> Any:
    return live_server(speed=1, scenarios=EXTRA_SCENARIOS, default="thinking")


@pytest.fixture
def presets(live_server: Any, tmp_path: Path) -> Any:
    """A server with one scenario per preset, named after it, that is just `error: PRESET`."""
    for name in PRESETS:
        scenario = f"schema: 1\nname: {name.replace('_', '-')}\ndescription: t\nsteps:\n  - error: {name}\n"
        (tmp_path / f"{name}.yaml").write_text(scenario, encoding="utf-8")
    return live_server(speed=1, scenarios=tmp_path, default="overloaded")


_OPEN: list[Anthropic] = []


@pytest.fixture(autouse=True)
def _close_clients() -> Iterator[None]:
    """Close every client a test made, so no pooled connection is left for the garbage collector."""
    yield
    while _OPEN:
        _OPEN.pop().close()


def client(server: Any, max_retries: int = 0) -> Anthropic:
    made = Anthropic(base_url=server.url, api_key="sk-ant-unused", max_retries=max_retries)
    _OPEN.append(made)
    return made


@pytest.mark.parametrize("name", [name for name, scenario in load_catalog(SCENARIOS).scenarios.items() if not is_failure(scenario)])
def test_every_answering_scenario_streams_what_it_answers_whole(shipped: Any, name: str) -> None:
    sdk = client(shipped)
    with sdk.messages.stream(model=name, max_tokens=8192, messages=MESSAGES, tools=TOOLS, extra_headers=SEED) as stream:
        final = stream.get_final_message()
    whole = sdk.messages.create(model=name, max_tokens=8192, messages=MESSAGES, tools=TOOLS, extra_headers=SEED)
    assert final.content and final.model_dump()["content"] == whole.model_dump()["content"]
    steps = shipped_catalog().scenarios[name].steps
    cut_off = any(step.finish == "length" for step in steps) or whole.usage.output_tokens > 8192 - 100  # md-long-answer outgrows the limit
    assert final.stop_reason == whole.stop_reason in (("max_tokens",) if cut_off else ("end_turn", "tool_use"))
    assert final.usage.output_tokens == whole.usage.output_tokens


def test_stream_text_matches_the_whole_answer(shipped: Any) -> None:
    sdk = client(shipped)
    with sdk.messages.stream(model="hello", max_tokens=1024, messages=MESSAGES, extra_headers=SEED) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    whole = sdk.messages.create(model="hello", max_tokens=1024, messages=MESSAGES, extra_headers=SEED)
    assert text == "你好！我是 mockllm，一个用于测试的模拟大模型。Hello! How can I help you today?"
    assert final.content[0].type == "text" and final.content[0].text == text == whole.content[0].text  # type: ignore[union-attr]
    assert final.id == whole.id and final.id.startswith("msg_01") and final.model == whole.model == "hello"
    assert final.stop_reason == whole.stop_reason == "end_turn"
    assert final.usage.input_tokens == whole.usage.input_tokens > 0 and final.usage.output_tokens == whole.usage.output_tokens > 0


def test_stream_thinking_then_tool_use(extra: Any) -> None:
    sdk = client(extra)
    with sdk.messages.stream(
        model="think-then-call", max_tokens=4096, thinking=THINKING, messages=MESSAGES, tools=TOOLS, extra_headers=SEED
    ) as stream:
        kinds = [event.type for event in stream]
        final = stream.get_final_message()
    assert [block.type for block in final.content] == ["thinking", "text", "tool_use"]
    thinking, text, tool = final.content
    assert thinking.thinking == "需要查天气。" and len(thinking.signature) > 100  # type: ignore[union-attr]
    assert text.text == "我查一下。"  # type: ignore[union-attr]
    assert (tool.name, tool.input, tool.id[:6]) == ("get_weather", {"city": "上海", "unit": "c"}, "toolu_")  # type: ignore[union-attr]
    assert final.stop_reason == "tool_use" and {"thinking", "signature", "text", "input_json"} <= set(kinds)


def test_thinking_is_left_out_unless_the_request_turns_it_on(extra: Any) -> None:
    whole = client(extra).messages.create(model="thinking", max_tokens=1024, messages=MESSAGES, extra_headers=SEED)
    assert [block.type for block in whole.content] == ["text"]


def test_stream_tool_use_input_is_the_scenarios_arguments(shipped: Any) -> None:
    sdk = client(shipped)
    with sdk.messages.stream(model="tool-call", max_tokens=1024, messages=MESSAGES, tools=TOOLS, extra_headers=SEED) as stream:
        final = stream.get_final_message()
    whole = sdk.messages.create(model="tool-call", max_tokens=1024, messages=MESSAGES, tools=TOOLS, extra_headers=SEED)
    (tool,) = final.content
    assert tool.type == "tool_use" and tool.input == whole.content[0].input and tool.input["city"] in ("北京", "上海")  # type: ignore[union-attr]
    assert final.stop_reason == whole.stop_reason == "tool_use"


def test_a_two_turn_tool_loop_from_the_shipped_agent_scenarios(shipped: Any) -> None:
    sdk = client(shipped)
    headers = {**SEED, "X-Mock-Session": "anth-loop"}
    first = sdk.messages.create(model="claude-sonnet-4-5", max_tokens=1024, messages=MESSAGES, tools=TOOLS, extra_headers=headers)
    assert first.stop_reason == "tool_use" and [b.type for b in first.content] == ["text", "tool_use"]
    tool = first.content[1]
    turns = [*MESSAGES, {"role": "assistant", "content": first.content}]
    turns.append({"role": "user", "content": [{"type": "tool_result", "tool_use_id": tool.id, "content": "晴，25°C"}]})  # type: ignore[union-attr]
    second = sdk.messages.create(model="claude-sonnet-4-5", max_tokens=1024, messages=turns, tools=TOOLS, extra_headers=headers)
    assert second.stop_reason == "end_turn" and second.content[0].text == "根据 get_weather 的结果：晴，25°C"  # type: ignore[union-attr]


def test_count_tokens(shipped: Any) -> None:
    counted = client(shipped).messages.count_tokens(model="hello", messages=MESSAGES, tools=TOOLS)
    assert counted.input_tokens > 0


@pytest.mark.parametrize("preset", list(PRESETS))
def test_each_preset_raises_what_the_real_service_causes(presets: Any, preset: str) -> None:
    kind, status, error_type = RAISES[preset]
    with pytest.raises(anthropic.APIStatusError) as caught:
        with client(presets).messages.stream(model=preset.replace("_", "-"), max_tokens=64, messages=MESSAGES, extra_headers=SEED) as stream:
            stream.get_final_message()
    error = caught.value
    assert type(error) is kind and (error.status_code, error.type) == (status, error_type)
    assert error.request_id and error.request_id.startswith("req_011C") and error.body["request_id"] == error.request_id  # type: ignore[index]
    variant = variants(preset).get("Anthropic", PRESETS[preset])
    assert error.api_message == variant.message


def test_a_midstream_error_event_raises_after_the_partial_text(shipped: Any) -> None:
    received: list[str] = []
    with pytest.raises(anthropic.APIStatusError) as caught:
        with client(shipped).messages.stream(model="midstream-error", max_tokens=64, messages=MESSAGES, extra_headers=SEED) as stream:
            received.extend(stream.text_stream)
    assert "".join(received) == "好的，我先回答一部分，The answer starts"
    assert caught.value.type == "api_error" and caught.value.api_message == "Internal server error"


def test_the_sdks_retries_advance_attempts_waiting_as_retry_after_says(shipped: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    waits: list[float] = []
    monkeypatch.setattr("anthropic._base_client.time.sleep", waits.append)
    answer = client(shipped, max_retries=2).messages.create(
        model="fail-twice-then-succeed", max_tokens=64, messages=MESSAGES, extra_headers={**SEED, "X-Mock-Session": "anth-retries"}
    )
    assert answer.content[0].text.startswith("你好！我是 mockllm")  # type: ignore[union-attr]
    assert waits == [1.0, 1.0]  # retry-after: 1, as Anthropic sends it on a 429


def test_x_should_retry_false_stops_the_sdks_retries(tmp_path: Path, live_server: Any) -> None:
    (tmp_path / "no-retry.yaml").write_text(
        "schema: 1\nname: no-retry\ndescription: t\nsteps:\n  - error: {preset: overloaded, retry: false}\n", encoding="utf-8"
    )
    server = live_server(scenarios=tmp_path, default="no-retry")
    with pytest.raises(anthropic.OverloadedError):
        client(server, max_retries=2).messages.create(model="no-retry", max_tokens=64, messages=MESSAGES, extra_headers=SEED)
    assert server.call(lambda: [entry["status"] for entry in server.app[STATE].journal]) == [529]


async def test_async_stream(shipped: Any) -> None:
    async with AsyncAnthropic(base_url=shipped.url, api_key="sk-ant-unused", max_retries=0) as sdk:
        async with sdk.messages.stream(model="hello", max_tokens=64, messages=MESSAGES, extra_headers=SEED) as stream:
            text = "".join([piece async for piece in stream.text_stream])
    assert text.startswith("你好！")


def test_raw_events_are_named_and_typed_alike(shipped: Any) -> None:
    raw = client(shipped).messages.with_raw_response.create(model="hello", max_tokens=64, messages=MESSAGES, stream=True, extra_headers=SEED)
    body = raw.http_response.read().decode()
    for frame in body.split("\n\n")[:-1]:
        name, data = frame.split("\n")
        assert json.loads(data[6:])["type"] == name[7:]


def test_models_are_listed_in_anthropics_shape_for_its_sdk(shipped: Any) -> None:
    sdk = client(shipped)
    models = list(sdk.models.list())
    assert [m.id for m in models] == load_catalog(SCENARIOS).names
    assert (models[0].type, models[0].display_name, models[0].created_at.year) == ("model", models[0].id, 2025)
    assert sdk.models.retrieve("hello").id == "hello"
    with pytest.raises(anthropic.NotFoundError) as caught:
        sdk.models.retrieve("claude-nope")
    assert caught.value.type == "not_found_error" and caught.value.api_message == "model: claude-nope"
    with urllib.request.urlopen(shipped.url + "/v1/models") as plain:  # no anthropic-version: OpenAI's list
        openai_shape = json.load(plain)
    assert openai_shape["object"] == "list" and openai_shape["data"][0]["object"] == "model"


def test_a_path_no_route_answers_raises_not_found_in_anthropics_shape(shipped: Any) -> None:
    anthropic_client = client(shipped)
    for call in (anthropic_client.messages.batches.list, anthropic_client.beta.files.list):
        with pytest.raises(anthropic.NotFoundError) as raised:
            call()
        assert raised.value.body["error"]["type"] == "not_found_error" and raised.value.message.startswith("Error code: 404")
        assert raised.value.request_id is not None and raised.value.request_id.startswith("req_")


# ── structured output: `output_config.format`, and the beta `output_format` ────


def test_messages_parse_gets_a_valid_object_whole_and_streamed(live_server: Any) -> None:
    from pydantic import BaseModel

    class Weather(BaseModel):
        city: str
        temperature: int

    sdk = client(live_server())
    ask = {"model": "hello", "max_tokens": 1024, "messages": [{"role": "user", "content": "weather?"}], "output_format": Weather}
    whole = sdk.messages.parse(**ask)
    assert isinstance(whole.parsed_output, Weather) and whole.stop_reason == "end_turn" and [block.type for block in whole.content] == ["text"]
    with sdk.messages.stream(**ask) as stream:
        final = stream.get_final_message()
    assert Weather.model_validate_json(final.content[0].text) and final.stop_reason == "end_turn"
    beta = sdk.beta.messages.parse(**ask, betas=["structured-outputs-2025-11-13"])
    assert isinstance(beta.parsed_output, Weather)


@pytest.mark.parametrize(
    ("schema", "problem"),
    [
        ({"type": "object", "properties": {"a": {"type": "string"}}}, "For 'object' type, 'additionalProperties' must be explicitly set to false"),
        ({"type": "object", "properties": {"a": {"type": "integer", "minimum": 1}}, "additionalProperties": False}, "For 'integer' type, property 'minimum' is not supported"),
        ({"type": "object", "properties": {"a": {"type": "array", "items": {"type": "string"}, "minItems": 2}}, "additionalProperties": False}, "For 'array' type, property 'minItems' only supports values 0 and 1"),
    ],
    ids=["open-object", "minimum", "min-items"],
)
def test_a_schema_the_api_does_not_support_is_its_400(live_server: Any, schema: dict[str, Any], problem: str) -> None:
    sdk = client(live_server())
    with pytest.raises(anthropic.BadRequestError) as raised:
        sdk.messages.create(model="hello", max_tokens=64, messages=[{"role": "user", "content": "hi"}], output_config={"format": {"type": "json_schema", "schema": schema}})
    assert raised.value.body["error"] == {"type": "invalid_request_error", "message": f"output_config.format.schema: {problem}"}


def test_output_format_needs_its_beta_header(live_server: Any) -> None:
    sdk = client(live_server())
    schema = {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"], "additionalProperties": False}
    ask = {"model": "hello", "max_tokens": 64, "messages": [{"role": "user", "content": "hi"}], "extra_body": {"output_format": {"type": "json_schema", "schema": schema}}}
    with pytest.raises(anthropic.BadRequestError, match="output_format: Extra inputs are not permitted"):
        sdk.messages.create(**ask)
    message = sdk.messages.create(**ask, extra_headers={"anthropic-beta": "structured-outputs-2025-11-13"})
    assert isinstance(json.loads(message.content[0].text)["a"], str)
