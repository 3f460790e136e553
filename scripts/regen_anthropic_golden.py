"""Rewrite the golden byte files of the Anthropic Messages route (run it on purpose, then review the diff).

    python scripts/regen_anthropic_golden.py

Each case is one request to `POST /v1/messages`, served in-process at speed 0
with seed GOLDEN_SEED; its body is stored as tests/golden/anthropic/<case>.
Shipped scenarios come from scenarios/, the thinking ones from
tests/anthropic_scenarios/.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer
from regen_golden import GOLDEN, GOLDEN_SEED, SCENARIOS

from mockllm.server.app import create_app
from mockllm.server.config import ServerConfig

TESTS = Path(__file__).resolve().parents[1] / "tests"
EXTRA_SCENARIOS = TESTS / "anthropic_scenarios"
GOLDEN_DIR = GOLDEN / "anthropic"
SYSTEM = [{"type": "text", "text": "You are helpful."}]
QUESTION = {"role": "user", "content": [{"type": "text", "text": "你好，请介绍一下你自己。Who are you?"}]}
TOOLS = [
    {
        "name": "get_weather",
        "description": "Current weather of a city.",
        "input_schema": {
            "type": "object",
            "properties": {"city": {"type": "string", "enum": ["北京", "上海"]}, "unit": {"type": "string", "enum": ["c", "f"]}},
            "required": ["city"],
        },
    }
]
TOOL_TURNS = [
    QUESTION,
    {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_01A", "name": "get_weather", "input": {"city": "北京"}}]},
    {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_01A", "content": "晴，25°C"}]},
]
THINKING = {"thinking": {"type": "enabled", "budget_tokens": 2048}}


def body(scenario: str, stream: bool, **changes: Any) -> dict[str, Any]:
    """A Messages request for `scenario` that offers the get_weather tool."""
    return {"model": scenario, "max_tokens": 4096, "system": SYSTEM, "messages": [QUESTION], "tools": TOOLS, "stream": stream, **changes}


#: golden file → (scenarios folder, request body)
CASES: dict[str, tuple[Path, dict[str, Any]]] = {
    "hello.stream.txt": (SCENARIOS, body("hello", True)),
    "hello.whole.json": (SCENARIOS, body("hello", False)),
    "thinking.stream.txt": (EXTRA_SCENARIOS, body("thinking", True, **THINKING)),
    "thinking.whole.json": (EXTRA_SCENARIOS, body("thinking", False, **THINKING)),
    "thinking-off.stream.txt": (EXTRA_SCENARIOS, body("thinking", True)),
    "think-then-call.stream.txt": (EXTRA_SCENARIOS, body("think-then-call", True, **THINKING)),
    "think-then-call.whole.json": (EXTRA_SCENARIOS, body("think-then-call", False, **THINKING)),
    "tool-call.stream.txt": (SCENARIOS, body("tool-call", True)),
    "tool-call.whole.json": (SCENARIOS, body("tool-call", False)),
    "agent-answer.stream.txt": (SCENARIOS, body("agent-answer", True, messages=TOOL_TURNS)),
    "max-tokens.stream.txt": (SCENARIOS, body("hello", True, max_tokens=5)),
    "max-tokens.whole.json": (SCENARIOS, body("hello", False, max_tokens=5)),
    "midstream-error.stream.txt": (SCENARIOS, body("midstream-error", True)),
    "overloaded.stream.txt": (SCENARIOS, body("overloaded", True)),
    "rate-limited.whole.json": (SCENARIOS, body("rate-limited", False)),
}


async def capture(client: TestClient[Any, Any], case: str, seed: int = GOLDEN_SEED) -> bytes:
    """The body bytes the route answers for one case."""
    request = CASES[case][1]
    response = await client.post("/v1/messages", json=request, headers={"X-Mock-Seed": str(seed), "X-Mock-Speed": "0"})
    assert response.headers.get("X-Mock-Scenario") == request["model"], f"{case}: HTTP {response.status}: {await response.text()}"
    return await response.read()


def config(scenarios: Path) -> ServerConfig:
    """A scenarios folder served instant, without a server-wide seed (the request sends one)."""
    return ServerConfig(scenarios=scenarios, speed=0, default="default" if scenarios == SCENARIOS else "thinking")


async def regenerate() -> None:
    GOLDEN_DIR.mkdir(exist_ok=True)
    for folder in (SCENARIOS, EXTRA_SCENARIOS):
        async with TestClient(TestServer(create_app(config(folder)))) as client:
            for case, (where, _) in CASES.items():
                if where == folder:
                    (GOLDEN_DIR / case).write_bytes(await capture(client, case))
                    print(f"wrote {(GOLDEN_DIR / case).relative_to(TESTS.parent)}")


if __name__ == "__main__":
    asyncio.run(regenerate())
