"""OpenAI Realtime over WebSocket: event sequences byte for byte, the official SDKs (Python and Node), refusals, cancel, faults, audio, journal."""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer
from conftest import SCENARIOS
from node_clients import run_node
from openai import AsyncOpenAI
from websockets.exceptions import ConnectionClosedError

from mockllm.dialects.openai_realtime import SAMPLE_RATE, TONE_MS_PER_CHAR, tone
from mockllm.scenarios.catalog import Catalog
from mockllm.scenarios.loading import load_catalog
from mockllm.scenarios.scenario import Scenario
from mockllm.server.app import create_app
from mockllm.server.config import ServerConfig

CATALOG = load_catalog(SCENARIOS)
SEED = {"X-Mock-Seed": "7"}
TEXT_ONLY = {"type": "realtime", "output_modalities": ["text"]}
GOLDEN_SEED = 20250101
WEATHER = {"type": "object", "properties": {"city": {"type": "string", "enum": ["北京", "上海"]}}, "required": ["city"]}
TOOLS = [{"type": "function", "name": "get_weather", "description": "Current weather of a city.", "parameters": WEATHER}]
SETUP = {"type": "session.update", "session": {**TEXT_ONLY, "tools": TOOLS}}
#: A short spoken answer, so the audio case's golden file stays small.
EXTRA = [{"schema": 1, "name": "short-voice", "description": "Two words, spoken.", "stream": {"unit": "word"}, "steps": [{"say": "你好。Hi!"}]}]
#: 120 ms of silence, the least a commit accepts plus some.
SILENCE = "A" * (120 * 48 * 4 // 3)


def user(text: str) -> dict[str, Any]:
    """A `conversation.item.create` of a user's text message."""
    return {"type": "conversation.item.create", "item": {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}}


#: case → (the URL's model, the upgrade's extra headers, the client events).
CASES: dict[str, tuple[str, dict[str, str], list[dict[str, Any]]]] = {
    "text": ("hello", {}, [SETUP, user("你好"), {"type": "response.create"}]),
    "tool_call": ("gpt-realtime", {}, [SETUP, user("北京天气怎么样？"), {"type": "response.create"}]),
    "audio": ("short-voice", {}, [user("你好"), {"type": "response.create"}]),
    "audio_in": (
        "short-voice",
        {},
        [{"type": "input_audio_buffer.append", "audio": SILENCE}, {"type": "input_audio_buffer.commit"}, {"type": "response.create", "response": {"output_modalities": ["text"]}}],
    ),
    "error": ("rate-limited", {}, [{"type": "response.create", "event_id": "evt_client_1"}]),
    "midstream_error": ("midstream-error", {}, [SETUP, {"type": "response.create"}]),
    "beta_text": ("hello", {"OpenAI-Beta": "realtime=v1"}, [{"type": "session.update", "session": {"modalities": ["text"]}}, user("你好"), {"type": "response.create"}]),
}


def catalog() -> Catalog:
    """The shipped scenarios plus EXTRA."""
    shipped = load_catalog(SCENARIOS)
    extra = {spec["name"]: Scenario.model_validate(spec) for spec in EXTRA}
    return replace(shipped, scenarios={**shipped.scenarios, **extra})


async def converse(client: TestClient[Any, Any], model: str, headers: dict[str, str], events: list[dict[str, Any]], responses: int = 1) -> list[str]:
    """Connect, send `events`, and return every server message up to the `responses`-th `response.done`."""
    seen: list[str] = []
    async with client.ws_connect(f"/v1/realtime?model={model}", headers=headers) as socket:
        for event in events:
            await socket.send_str(json.dumps(event, ensure_ascii=False))
        while responses:
            message = await socket.receive(timeout=30)
            if message.type != aiohttp.WSMsgType.TEXT:
                raise AssertionError(f"the socket ended before response.done: {message}")
            seen.append(message.data)
            responses -= json.loads(message.data)["type"] == "response.done"
    return seen


async def run_case(name: str) -> list[str]:
    """The server messages of one case, from a fresh in-process server."""
    app = create_app(ServerConfig(scenarios=SCENARIOS, speed=0, seed=GOLDEN_SEED), catalog=catalog())
    async with TestClient(TestServer(app)) as client:
        model, headers, events = CASES[name]
        return await converse(client, model, headers, events)


def scenario_text(name: str) -> str:
    return "".join(str(step.say) for step in CATALOG.scenarios[name].steps if step.say is not None)


@pytest.mark.parametrize("name", sorted(CASES))
async def test_event_sequence_matches_golden(name: str, golden: Any) -> None:
    """Each server message of the session, one per line, byte for byte (`pytest --regen-golden` rewrites them)."""
    golden.check(f"openai_realtime/{name}.jsonl", "".join(line + "\n" for line in await run_case(name)).encode())


# --- the official Python SDK ----------------------------------------------------------------------


def sdk(server: Any, **options: Any) -> AsyncOpenAI:
    return AsyncOpenAI(base_url=server.url + "/v1", api_key="sk-unused", **options)


async def until_done(connection: Any) -> list[Any]:
    """The events of one response, up to its `response.done`."""
    events = []
    async for event in connection:
        events.append(event)
        if event.type == "response.done":
            return events
    raise AssertionError("the connection closed before response.done")


async def test_python_sdk_streams_a_scenarios_text(live_server: Any) -> None:
    async with sdk(live_server()).realtime.connect(model="hello", extra_headers=SEED) as connection:
        created = await connection.recv()
        assert created.type == "session.created" and created.session.output_modalities == ["audio"]
        await connection.session.update(session=TEXT_ONLY)
        await connection.conversation.item.create(item={"type": "message", "role": "user", "content": [{"type": "input_text", "text": "你好"}]})
        await connection.response.create()
        events = await until_done(connection)
    text = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    assert text == scenario_text("hello")
    done = events[-1].response
    assert done.status == "completed" and done.output[0].content[0].text == text
    assert done.usage.total_tokens == done.usage.input_tokens + done.usage.output_tokens > 0


async def test_python_sdk_function_call_round_trip(live_server: Any) -> None:
    """A tool call whose arguments parse; its output and the next response.create get the scenario that answers with it."""
    async with sdk(live_server()).realtime.connect(model="gpt-realtime", extra_headers=SEED) as connection:
        await connection.session.update(session={**TEXT_ONLY, "tools": TOOLS})
        await connection.conversation.item.create(item={"type": "message", "role": "user", "content": [{"type": "input_text", "text": "北京天气"}]})
        await connection.response.create()
        first = await until_done(connection)
        call = next(item for item in first[-1].response.output if item.type == "function_call")
        arguments = json.loads(call.arguments)
        assert call.name == "get_weather" and arguments["city"] in ("北京", "上海") and call.status == "completed"
        assert "".join(e.delta for e in first if e.type == "response.function_call_arguments.delta") == call.arguments
        await connection.conversation.item.create(item={"type": "function_call_output", "call_id": call.call_id, "output": '{"weather": "晴"}'})
        await connection.response.create()
        second = await until_done(connection)
    answer = "".join(e.delta for e in second if e.type == "response.output_text.delta")
    assert answer == '根据 get_weather 的结果：{"weather": "晴"}'


async def test_python_sdk_receives_an_error_event_and_a_failed_response(live_server: Any) -> None:
    async with sdk(live_server()).realtime.connect(model="insufficient-quota", extra_headers=SEED) as connection:
        await connection.response.create()
        events = await until_done(connection)
    error = next(e for e in events if e.type == "error")
    assert (error.error.type, error.error.code) == ("insufficient_quota", "insufficient_quota")
    assert error.error.message.startswith("You exceeded your current quota")
    done = events[-1].response
    assert done.status == "failed" and done.status_details.error.code == "insufficient_quota"


async def test_python_beta_client_gets_the_beta_names(live_server: Any) -> None:
    server = live_server()
    client = sdk(server, websocket_base_url=f"ws://127.0.0.1:{server.port}/v1")
    async with client.beta.realtime.connect(model="hello", extra_headers=SEED) as connection:
        await connection.session.update(session={"modalities": ["text"]})
        await connection.conversation.item.create(item={"type": "message", "role": "user", "content": [{"type": "input_text", "text": "你好"}]})
        await connection.response.create()
        events = await until_done(connection)
    assert "".join(e.delta for e in events if e.type == "response.text.delta") == scenario_text("hello")
    assert "conversation.item.created" in {e.type for e in events} and "conversation.item.added" not in {e.type for e in events}


@pytest.mark.parametrize(("scenario", "code"), [("socket-close-4001", 4001), ("reset-midstream", 1006)], ids=["close-4001", "reset"])
async def test_faults_end_the_connection_as_the_sdk_sees_it(live_server: Any, scenario: str, code: int) -> None:
    texts: list[str] = []
    with pytest.raises(ConnectionClosedError) as closed:
        async with sdk(live_server()).realtime.connect(model=scenario, extra_headers=SEED) as connection:
            await connection.session.update(session=TEXT_ONLY)
            await connection.response.create()
            async for event in connection:
                if event.type == "response.output_text.delta":
                    texts.append(event.delta)
    assert closed.value.rcvd is None if code == 1006 else closed.value.rcvd.code == code
    assert texts, "the deltas before the fault arrive"


# --- the official Node SDK ------------------------------------------------------------------------


def test_node_sdk_text_function_call_error_and_audio() -> None:
    seen = run_node("realtime_clients.mjs")
    text, call, error, audio = seen["text"], seen["functionCall"], seen["error"], seen["audio"]
    assert (text["deltas"], text["output"], text["status"], text["errors"]) == (scenario_text("hello"),) * 2 + ("completed", [])
    assert text["types"][:2] == ["session.created", "session.updated"] and text["types"][-1] == "response.done"
    assert call["call"]["name"] == "get_weather" and call["call"]["args"]["city"] in ("北京", "上海") and call["argumentDeltas"] > 1
    assert call["answer"] == '根据 get_weather 的结果：{"city":"北京","weather":"晴"}' and call["errors"] == []
    assert error["status"] == "failed" and [e["code"] for e in error["errors"]] == ["rate_limit_exceeded"]
    assert audio["transcript"] == scenario_text("hello") and audio["content"] == {"type": "output_audio", "transcript": scenario_text("hello")}
    assert audio["pcmBytes"] > 0 and audio["pcmBytes"] % 2 == 0 and audio["audioTokens"] > 0


# --- the protocol on a raw socket -----------------------------------------------------------------


async def session_events(socket: aiohttp.ClientWebSocketResponse, until: str) -> list[dict[str, Any]]:
    events = []
    while True:
        message = await socket.receive(timeout=30)
        assert message.type == aiohttp.WSMsgType.TEXT, message
        events.append(json.loads(message.data))
        if events[-1]["type"] == until:
            return events


@pytest.mark.parametrize(
    ("sent", "code", "param"),
    [
        ("{", "invalid_json", None),
        ({"type": "response.dance"}, "invalid_value", "type"),
        ({"type": "session.update", "session": {"output_modalities": ["text"]}}, "missing_required_parameter", "session.type"),
        ({"type": "session.update", "session": {"type": "realtime", "voices": "x"}}, "unknown_parameter", "session.voices"),
        ({"type": "conversation.item.create", "item": {"type": "message", "role": "robot", "content": []}}, "invalid_value", "item.role"),
        ({"type": "input_audio_buffer.commit"}, "input_audio_buffer_commit_empty", None),
        ({"type": "input_audio_buffer.append", "audio": "not base64!"}, "invalid_value", "audio"),
        ({"type": "response.cancel"}, "response_cancel_not_active", None),
        ({"type": "conversation.item.delete", "item_id": "item_nope"}, "item_not_found", "item_id"),
    ],
    ids=["bad-json", "unknown-type", "no-session-type", "unknown-key", "bad-role", "empty-commit", "bad-audio", "cancel-idle", "no-item"],
)
async def test_refused_client_events_get_an_error_event_and_the_session_stays_open(aiohttp_client: Any, sent: Any, code: str, param: str | None) -> None:
    client = await aiohttp_client(create_app(ServerConfig(scenarios=SCENARIOS, speed=0, seed=1)))
    async with client.ws_connect("/v1/realtime?model=hello") as socket:
        await session_events(socket, "session.created")
        await socket.send_str(sent if isinstance(sent, str) else json.dumps({**sent, "event_id": "evt_1"}))
        (error,) = await session_events(socket, "error")
        assert (error["error"]["code"], error["error"]["param"]) == (code, param)
        assert error["error"]["event_id"] == (None if isinstance(sent, str) else "evt_1")
        await socket.send_json({"type": "session.update", "session": TEXT_ONLY})
        assert (await session_events(socket, "session.updated"))[-1]["session"]["output_modalities"] == ["text"]


@pytest.mark.parametrize(
    ("response", "param"),
    [({"output_modalities": "text"}, "response.output_modalities"), ({"tool_choice": {"type": "function", "name": "nope"}}, "tool_choice"), ({"conversation": "other"}, "response.conversation")],
    ids=["modalities", "tool-choice", "conversation"],
)
async def test_a_response_with_bad_parameters_is_refused_and_the_next_one_plays(aiohttp_client: Any, response: dict[str, Any], param: str) -> None:
    client = await aiohttp_client(create_app(ServerConfig(scenarios=SCENARIOS, speed=0, seed=1)))
    async with client.ws_connect("/v1/realtime?model=fast") as socket:
        await socket.send_json({"type": "response.create", "response": response})
        error = (await session_events(socket, "error"))[-1]
        assert (error["error"]["type"], error["error"]["param"]) == ("invalid_request_error", param)
        await socket.send_json({"type": "response.create"})
        assert (await session_events(socket, "response.done"))[-1]["response"]["status"] == "completed"


@pytest.mark.xdist_group("serial")
async def test_a_second_response_is_refused_and_cancel_ends_the_active_one(live_server: Any) -> None:
    server = live_server(speed=1)
    async with aiohttp.ClientSession() as http, http.ws_connect(f"ws://127.0.0.1:{server.port}/v1/realtime?model=hello") as socket:
        await socket.send_json({"type": "session.update", "session": TEXT_ONLY})
        await socket.send_json({"type": "response.create"})
        await session_events(socket, "response.output_text.delta")
        await socket.send_json({"type": "response.create"})
        refused = (await session_events(socket, "error"))[-1]
        assert refused["error"]["code"] == "conversation_already_has_active_response"
        await socket.send_json({"type": "response.cancel"})
        done = (await session_events(socket, "response.done"))[-1]["response"]
        assert done["status"] == "cancelled" and done["status_details"] == {"type": "cancelled", "reason": "client_cancelled"}
        assert done["output"][0]["status"] == "incomplete"
        assert done["output"][0]["content"][0]["text"] in scenario_text("hello")
        await socket.send_json({"type": "response.create"})
        assert (await session_events(socket, "response.done"))[-1]["response"]["status"] == "completed"


def test_tone_is_deterministic_pcm16_whose_length_follows_the_text() -> None:
    pcm = tone("你好")
    assert pcm == tone("你好") and pcm != tone("Hi")
    assert len(pcm) == 2 * SAMPLE_RATE * 2 * TONE_MS_PER_CHAR // 1000
    samples = memoryview(pcm).cast("h")
    assert samples[0] == 0 and max(samples) > 5000 and min(samples) < -5000


async def test_audio_deltas_are_the_tones_of_the_transcript_pieces(live_server: Any) -> None:
    async with sdk(live_server()).realtime.connect(model="fast", extra_headers=SEED) as connection:
        await connection.response.create()
        events = await until_done(connection)
    pieces = [e.delta for e in events if e.type == "response.output_audio_transcript.delta"]
    audio = b"".join(base64.b64decode(e.delta) for e in events if e.type == "response.output_audio.delta")
    assert "".join(pieces) == scenario_text("fast")
    assert audio == b"".join(map(tone, pieces))


async def test_each_response_is_journaled_with_its_why_and_no_key(live_server: Any) -> None:
    server = live_server()
    headers = {"Authorization": "Bearer sk-secret-1"}
    async with aiohttp.ClientSession() as http:
        async with http.ws_connect(f"ws://127.0.0.1:{server.port}/v1/realtime?model=fast", headers=headers, protocols=("realtime", "openai-insecure-api-key.sk-secret-2")) as socket:
            assert socket.protocol == "realtime"
            await socket.send_json({"type": "response.create", "response": {"metadata": {"topic": "x"}}})
            await session_events(socket, "response.done")
        journal = await (await http.get(f"{server.url}/_mock/journal")).json()
        plain = await http.get(f"{server.url}/v1/realtime?model=fast")
        assert plain.status == 426 and (await plain.json())["error"]["message"].endswith("(Upgrade: websocket).")
    (entry,) = [e for e in journal if e.get("dialect") == "openai_realtime"]
    assert (entry["transport"], entry["scenario"], entry["why"]["reason"]) == ("websocket", "fast", "model names scenario fast")
    assert entry["body"] == {"type": "response.create", "response": {"metadata": {"topic": "x"}}}
    assert "sk-secret" not in json.dumps(entry)


def test_user_helper_builds_a_text_item() -> None:
    assert user("hi")["item"]["content"] == [{"type": "input_text", "text": "hi"}]


HOSTILE = [
    None,
    [],
    {"type": 5},
    {"type": "session.update", "session": {"type": "realtime", "audio": {"input": 3}}},
    {"type": "session.update", "session": {"type": "realtime", "tools": [{"type": "function", "name": "f", "parameters": []}]}},
    {"type": "session.update", "session": {"type": "realtime", "output_modalities": [["text"]]}},
    {"type": "session.update", "session": {"modalities": "text"}},
    {"type": "conversation.item.create", "item": {"type": "message", "role": "user", "content": [{"type": "input_text", "text": ["x"]}]}},
    {"type": "conversation.item.create", "item": {"type": "function_call_output", "call_id": 1, "output": None}},
    {"type": "conversation.item.create", "item": {"type": "message", "role": "user", "content": "hi", "id": 7}},
    {"type": "conversation.item.retrieve", "item_id": {"a": 1}},
    {"type": "input_audio_buffer.append", "audio": 123},
    {"type": "response.create", "response": []},
]


@pytest.mark.parametrize("event", HOSTILE, ids=[str(i) for i in range(len(HOSTILE))])
@pytest.mark.parametrize("beta", [False, True], ids=["ga", "beta"])
def test_hostile_client_events_are_refused_not_crashed(event: Any, beta: bool) -> None:
    from multidict import CIMultiDict, CIMultiDictProxy, MultiDict, MultiDictProxy

    from mockllm.core.errors import RequestError
    from mockllm.core.incoming import Incoming
    from mockllm.dialects.openai_realtime import OpenAIRealtime

    headers = CIMultiDictProxy(CIMultiDict({"OpenAI-Beta": "realtime=v1"} if beta else {}))
    connection = OpenAIRealtime().connect(Incoming("GET", "/v1/realtime", MultiDictProxy(MultiDict()), headers, b""), 1, True)
    with pytest.raises(RequestError) as refused:
        connection.receive(event)
    assert refused.value.error.status == 400 and refused.value.error.message


async def test_a_connection_under_a_session_prefix_counts_in_that_session(live_server: Any) -> None:
    server = live_server()
    async with aiohttp.ClientSession() as http:
        async with http.ws_connect(f"ws://127.0.0.1:{server.port}/s/rt-1/v1/realtime?model=fast") as socket:
            await socket.send_json({"type": "response.create"})
            await session_events(socket, "response.done")
        journal = await (await http.get(f"{server.url}/_mock/journal?session=rt-1")).json()
    assert [(e.get("dialect"), e["session"], e["scenario"]) for e in journal] == [("openai_realtime", "rt-1", "fast")]
