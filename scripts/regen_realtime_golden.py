"""Rewrite the golden event sequences of the OpenAI Realtime route (run it on purpose, then review the diff).

    python scripts/regen_realtime_golden.py

Each case is one WebSocket session on `GET /v1/realtime` served in-process at
speed 0 with seed GOLDEN_SEED: the client sends the case's events, and every
server message up to the case's last `response.done` is stored as one line of
tests/golden/openai_realtime/<case>.jsonl, byte for byte (audio deltas too).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
import sys
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp.test_utils import TestClient, TestServer

from mockllm.scenarios.catalog import Catalog
from mockllm.scenarios.loading import load_catalog
from mockllm.scenarios.scenario import Scenario
from mockllm.server.app import create_app
from mockllm.server.config import ServerConfig

TESTS = Path(__file__).resolve().parents[1] / "tests"
SCENARIOS = TESTS.parent / "scenarios"
GOLDEN = TESTS / "golden" / "openai_realtime"
GOLDEN_SEED = 20250101
WEATHER = {"type": "object", "properties": {"city": {"type": "string", "enum": ["北京", "上海"]}}, "required": ["city"]}
TOOLS = [{"type": "function", "name": "get_weather", "description": "Current weather of a city.", "parameters": WEATHER}]
TEXT_ONLY = {"type": "session.update", "session": {"type": "realtime", "output_modalities": ["text"], "tools": TOOLS}}
#: A short spoken answer, so the audio case's golden file stays small.
EXTRA = [{"schema": 1, "name": "short-voice", "description": "Two words, spoken.", "stream": {"unit": "word"}, "steps": [{"say": "你好。Hi!"}]}]
#: 120 ms of silence, the least a commit accepts plus some.
SILENCE = "A" * (120 * 48 * 4 // 3)


def user(text: str) -> dict[str, Any]:
    """A `conversation.item.create` of a user's text message."""
    return {"type": "conversation.item.create", "item": {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}}


#: case → (the URL's model, the upgrade's extra headers, the client events).
CASES: dict[str, tuple[str, dict[str, str], list[dict[str, Any]]]] = {
    "text": ("hello", {}, [TEXT_ONLY, user("你好"), {"type": "response.create"}]),
    "tool_call": ("gpt-realtime", {}, [TEXT_ONLY, user("北京天气怎么样？"), {"type": "response.create"}]),
    "audio": ("short-voice", {}, [user("你好"), {"type": "response.create"}]),
    "audio_in": (
        "short-voice",
        {},
        [{"type": "input_audio_buffer.append", "audio": SILENCE}, {"type": "input_audio_buffer.commit"}, {"type": "response.create", "response": {"output_modalities": ["text"]}}],
    ),
    "error": ("rate-limited", {}, [{"type": "response.create", "event_id": "evt_client_1"}]),
    "midstream_error": ("midstream-error", {}, [TEXT_ONLY, {"type": "response.create"}]),
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


async def regenerate(names: list[str] | None = None) -> None:
    """Rewrite the golden file of each case in `names` (all when None)."""
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for name in names or CASES:
        (GOLDEN / f"{name}.jsonl").write_text("".join(line + "\n" for line in await run_case(name)), encoding="utf-8")
        print(f"wrote {GOLDEN / f'{name}.jsonl'}")


if __name__ == "__main__":
    asyncio.run(regenerate(sys.argv[1:] or None))
