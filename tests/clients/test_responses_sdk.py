"""The official openai SDK's Responses client against a live server: streams, helpers, tool calls, errors, retries, agent loops."""

from __future__ import annotations

import datetime
import json
from typing import Any, Callable, Iterator

import openai
import pytest
from conftest import SCENARIOS
from openai import AsyncOpenAI, OpenAI
from pydantic import BaseModel, Field
from regen_responses_golden import TOOLS
from test_openai_sdk import COMPLETE, FAILING, MESSAGES
from test_openai_sdk import SEED as CHAT_SEED

from mockllm.scenarios.loading import load_catalog

SEED = {"X-Mock-Seed": "7", "X-Mock-Speed": "0"}
CATALOG = load_catalog(SCENARIOS)
#: The chat SDK tests' conversation, as Responses input (their FAILING errors were computed for it, at CHAT_SEED).
INPUT: list[Any] = MESSAGES


@pytest.fixture
def server(live_server: Any) -> Any:
    return live_server(speed=1)


@pytest.fixture
def client_of() -> Iterator[Callable[..., OpenAI]]:
    """Make SDK clients of a server: `client_of(server, retries=0)`; each is closed after the test."""
    clients: list[OpenAI] = []

    def make(server: Any, retries: int = 0) -> OpenAI:
        clients.append(OpenAI(base_url=server.url + "/v1", api_key="sk-unused", max_retries=retries))
        return clients[-1]

    yield make
    for client in clients:
        client.close()


def scenario_text(name: str) -> str:
    """The literal text of a scenario made of `say` steps."""
    return "".join(str(step.say) for step in CATALOG.scenarios[name].steps if step.say is not None)


def test_create_stream_yields_text_deltas_then_completed(server: Any, client_of: Any) -> None:
    events = list(client_of(server).responses.create(model="hello", input="你好", stream=True, extra_headers=SEED))
    text = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    assert text == scenario_text("hello")
    assert [events[0].type, events[1].type, events[-1].type] == ["response.created", "response.in_progress", "response.completed"]
    assert [e.sequence_number for e in events] == list(range(len(events)))
    completed = events[-1].response
    assert completed.output_text == text and completed.status == "completed" and completed.id == events[0].response.id
    assert completed.usage is not None and completed.usage.output_tokens > 0
    assert completed.usage.total_tokens == completed.usage.input_tokens + completed.usage.output_tokens


def test_stream_helper_final_response_has_the_text(server: Any, client_of: Any) -> None:
    with client_of(server).responses.stream(model="hello", input="你好", extra_headers=SEED) as stream:
        deltas = [e.delta for e in stream if e.type == "response.output_text.delta"]
        final = stream.get_final_response()
    assert final.output_text == "".join(deltas) == scenario_text("hello")


def test_stream_helper_parses_the_function_call(server: Any, client_of: Any) -> None:
    """The SDK's own accumulation gives the call the scenario made, its arguments valid against the tool's schema."""
    with client_of(server).responses.stream(model="tool-call", input="北京天气", tools=TOOLS, extra_headers=SEED) as stream:
        argument_deltas = [e.delta for e in stream if e.type == "response.function_call_arguments.delta"]
        final = stream.get_final_response()
    calls = [item for item in final.output if item.type == "function_call"]
    assert len(calls) == 1 and calls[0].name == "get_weather" and calls[0].status == "completed"
    assert calls[0].call_id.startswith("call_") and calls[0].id.startswith("fc_")
    assert "".join(argument_deltas) == calls[0].arguments and len(argument_deltas) > 1
    assert json.loads(calls[0].arguments)["city"] in ("北京", "上海")


def test_stream_helper_gives_the_scenarios_literal_arguments(live_server: Any, tmp_path: Any, client_of: Any) -> None:
    (tmp_path / "call.yaml").write_text(
        "schema: 1\nname: call\ndescription: d\nsteps:\n  - say: 我查一下\n  - tool_call: {name: get_weather, arguments: {city: 北京}}\n"
        "  - tool_call: {name: get_weather, arguments: '{\"city\": \"上海\"}', id: call_fixed}\n",
        encoding="utf-8",
    )
    server = live_server(scenarios=tmp_path, default="call")
    with client_of(server).responses.stream(model="call", input="天气", tools=TOOLS, extra_headers=SEED) as stream:
        final = stream.get_final_response()
    assert final.output_text == "我查一下"
    assert [item.type for item in final.output] == ["message", "function_call", "function_call"]
    first, second = [(c.name, json.loads(c.arguments), c.call_id) for c in final.output[1:]]
    assert first[:2] == ("get_weather", {"city": "北京"}) and first[2].startswith("call_")
    assert second == ("get_weather", {"city": "上海"}, "call_fixed")


def test_reasoning_summary_streams_before_the_answer(live_server: Any, tmp_path: Any, client_of: Any) -> None:
    (tmp_path / "think.yaml").write_text(
        "schema: 1\nname: think\ndescription: d\nsteps:\n  - think: 先想一想。Let me think.\n  - say: 答案是 42。\n", encoding="utf-8"
    )
    server = live_server(scenarios=tmp_path, default="think")
    with client_of(server).responses.stream(model="think", input="?", extra_headers=SEED) as stream:
        summary = "".join(e.delta for e in stream if e.type == "response.reasoning_summary_text.delta")
        final = stream.get_final_response()
    reasoning = final.output[0]
    assert reasoning.type == "reasoning" and summary == reasoning.summary[0].text == "先想一想。Let me think."
    assert final.output_text == "答案是 42。"
    assert final.usage is not None and final.usage.output_tokens_details.reasoning_tokens > 0


def test_whole_answer_and_retrieve(server: Any, client_of: Any) -> None:
    client = client_of(server)
    whole = client.responses.create(model="hello", input="你好", extra_headers=SEED)
    assert whole.output_text == scenario_text("hello") and whole.status == "completed"
    again = client.responses.retrieve(whole.id)
    assert again.id == whole.id and again.output_text == whole.output_text
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve("resp_unknown")


def test_an_error_before_the_first_byte_raises_the_sdks_class(server: Any, client_of: Any) -> None:
    client = client_of(server)
    with pytest.raises(openai.RateLimitError) as streamed:
        list(client.responses.create(model="rate-limited", input="x", stream=True, extra_headers=SEED))
    assert streamed.value.code == "rate_limit_exceeded"
    with pytest.raises(openai.InternalServerError):
        client.responses.create(model="server-error", input="x", extra_headers=SEED)


def test_a_midstream_error_raises_after_the_partial_text(server: Any, client_of: Any) -> None:
    received: list[Any] = []
    with pytest.raises(openai.APIError, match="The server had an error"):
        for event in client_of(server).responses.create(model="midstream-error", input="x", stream=True, extra_headers=SEED):
            received.append(event)  # noqa: PERF402 - one by one, so what came before the error is kept
    text = "".join(e.delta for e in received if e.type == "response.output_text.delta")
    assert text == scenario_text("midstream-error")


def test_retries_of_an_attempts_scenario_advance(server: Any, client_of: Any) -> None:
    """The SDK retries the two 429s on its own (honouring retry-after-ms) and gets the answer on the third attempt."""
    response = client_of(server, retries=2).responses.create(model="fail-twice-then-succeed", input="重试", extra_headers=SEED)
    assert response.output_text == scenario_text("hello")


def test_reset_midstream_raises_a_connection_error(server: Any, client_of: Any) -> None:
    received: list[Any] = []
    with pytest.raises(openai.APIConnectionError):
        for event in client_of(server).responses.create(model="reset-midstream", input="x", stream=True, extra_headers=SEED):
            received.append(event)  # noqa: PERF402
    assert sum(e.type == "response.output_text.delta" for e in received) == 5


def test_split_utf8_reaches_the_sdk_intact(server: Any, client_of: Any) -> None:
    with client_of(server).responses.stream(model="split-utf8", input="x", extra_headers=SEED) as stream:
        final = stream.get_final_response()
    assert final.output_text == scenario_text("split-utf8")


def test_agent_loop_with_input_items(server: Any, client_of: Any) -> None:
    """Turn 1 (tools offered) gets a call of the first tool; turn 2 sends it back with its output and gets an answer quoting it."""
    client = client_of(server)
    first = client.responses.create(model="gpt-5.2", input="北京天气怎么样？", tools=TOOLS, extra_headers=SEED)
    call = next(item for item in first.output if item.type == "function_call")
    items: list[Any] = [{"role": "user", "content": "北京天气怎么样？"}, *[item.model_dump(exclude_none=True) for item in first.output]]
    items.append({"type": "function_call_output", "call_id": call.call_id, "output": "晴，25°C"})
    second = client.responses.create(model="gpt-5.2", input=items, tools=TOOLS, extra_headers=SEED)
    assert second.output_text == "根据 get_weather 的结果：晴，25°C"


async def test_agent_loop_with_previous_response_id(server: Any) -> None:
    async with AsyncOpenAI(base_url=server.url + "/v1", api_key="sk-unused", max_retries=0) as client:
        async with client.responses.stream(model="gpt-5.2", input="上海天气？", tools=TOOLS, extra_headers={"X-Mock-Speed": "0"}) as stream:
            first = await stream.get_final_response()
        call = next(item for item in first.output if item.type == "function_call")
        second = await client.responses.create(
            model="gpt-5.2",
            previous_response_id=first.id,
            input=[{"type": "function_call_output", "call_id": call.call_id, "output": "多云"}],
            tools=TOOLS,
            extra_headers={"X-Mock-Speed": "0"},
        )
    assert second.output_text == "根据 get_weather 的结果：多云" and second.previous_response_id == first.id


@pytest.mark.parametrize("name", COMPLETE)
def test_every_complete_scenario_streams_what_it_answers_whole(server: Any, client_of: Any, name: str) -> None:
    client = client_of(server)
    events = list(client.responses.create(model=name, input=INPUT, stream=True, extra_headers=CHAT_SEED))
    whole = client.responses.create(model=name, input=INPUT, extra_headers=CHAT_SEED)
    text = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    cut_off = any(step.finish == "length" for step in CATALOG.scenarios[name].steps)
    assert text == whole.output_text and events[-1].type == ("response.incomplete" if cut_off else "response.completed")
    assert events[-1].response.id == whole.id and whole.model == name


@pytest.mark.parametrize("name", sorted(FAILING))
def test_every_failing_scenario_raises_the_sdk_error(server: Any, client_of: Any, name: str) -> None:
    """Streamed, an HTTP error before the first byte or the `error` event after it; whole, a status error with its status."""
    error = FAILING[name]
    client = client_of(server)
    with pytest.raises(openai.APIError) as streamed:
        list(client.responses.create(model=name, input=INPUT, stream=True, extra_headers=CHAT_SEED))
    with pytest.raises(openai.APIStatusError) as whole:
        client.responses.create(model=name, input=INPUT, extra_headers=CHAT_SEED)
    assert whole.value.status_code == error.status
    for raised in (streamed.value, whole.value):  # the `error` event carries codes as strings, as the service does
        assert isinstance(raised.body, dict) and (raised.body["message"], _text(raised.body["code"])) == (error.message, _text(error.code))


def _text(code: Any) -> str | None:
    return None if code is None else str(code)


class Weather(BaseModel):
    city: str
    high_c: int = Field(ge=-40, le=50)
    rain: bool
    issued: datetime.datetime


def test_parse_with_a_text_format_gives_the_pydantic_model(server: Any, client_of: Any) -> None:
    """`text.format` json_schema: the scenario's prose becomes a seeded document the SDK validates into the model."""
    response = client_of(server).responses.parse(model="hello", input="天气？", text_format=Weather, extra_headers=SEED)
    assert isinstance(response.output_parsed, Weather) and -40 <= response.output_parsed.high_c <= 50


def test_stream_helper_parses_the_streamed_document(server: Any, client_of: Any) -> None:
    with client_of(server).responses.stream(model="hello", input="天气？", text_format=Weather, extra_headers=SEED) as stream:
        deltas = sum(event.type == "response.output_text.delta" for event in stream)
        final = stream.get_final_response()
    assert deltas > 1 and isinstance(final.output_parsed, Weather)


def test_json_object_format_gives_a_json_object(server: Any, client_of: Any) -> None:
    response = client_of(server).responses.create(model="hello", input="x as JSON", text={"format": {"type": "json_object"}}, extra_headers=SEED)
    assert json.loads(response.output_text) == {"answer": scenario_text("hello")}
