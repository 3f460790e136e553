"""Rewrite the golden byte files of the shipped scenarios (run it on purpose, then review the diff).

    python scripts/regen_golden.py            # every shipped scenario
    python scripts/regen_golden.py hello echo # only these

Each scenario is served in-process at speed 0 with seed GOLDEN_SEED, and two
answers are stored under tests/golden/: `<name>.stream.txt` (the streamed body
with include_usage, byte for byte) and `<name>.whole.json` (the non-streamed body).
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from mockllm.scenarios.catalog import SHIPPED
from mockllm.scenarios.loading import load_catalog
from mockllm.scenarios.scenario import Scenario
from mockllm.server.app import create_app
from mockllm.server.config import ServerConfig

TESTS = Path(__file__).resolve().parents[1] / "tests"
SCENARIOS = SHIPPED
GOLDEN = TESTS / "golden"
GOLDEN_SEED = 20250101
MESSAGES = [{"role": "system", "content": "You are helpful."}, {"role": "user", "content": "你好，请介绍一下你自己。Who are you?"}]
#: Offered on every golden request, so tool-calling scenarios have a tool to call.
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Current weather of a city.",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string", "enum": ["北京", "上海"]}, "unit": {"type": "string", "enum": ["c", "f"]}},
                "required": ["city"],
            },
        },
    }
]
#: golden file suffix → request body changes
VARIANTS: dict[str, dict[str, Any]] = {
    "stream.txt": {"stream": True, "stream_options": {"include_usage": True}},
    "whole.json": {},
}


def golden_config() -> ServerConfig:
    """The shipped scenarios, instant, without a server-wide seed (the request sends one)."""
    return ServerConfig(scenarios=SCENARIOS, speed=0)


async def capture(client: TestClient[Any, Any], name: str, suffix: str, seed: int = GOLDEN_SEED) -> bytes:
    """The body bytes scenario `name` answers for one golden variant."""
    body = {"model": name, "messages": MESSAGES, "tools": TOOLS, **VARIANTS[suffix]}
    response = await client.post("/v1/chat/completions", json=body, headers={"X-Mock-Seed": str(seed), "X-Mock-Speed": "0"})
    # the scenario answered (business-error scenarios answer with an HTTP error status on this route)
    assert response.headers.get("X-Mock-Scenario") == name, f"{name}: HTTP {response.status}: {await response.text()}"
    return await response.read()


def golden_names() -> list[str]:
    """The shipped scenarios with golden files: all but those whose faults drop the connection.

    After a reset, close or hang there is no whole answer to store (and a hang
    lasts until the maximum stream duration); tests/test_faults_shipped.py
    checks those scenarios on a raw socket instead.
    """
    return [name for name, scenario in load_catalog(SCENARIOS).scenarios.items() if not drops_connection(scenario)]


def drops_connection(scenario: Scenario) -> bool:
    """Whether a fault of the scenario (listed or as a step) ends the connection (a whole answer then gets none)."""
    faults = [*scenario.faults, *(step.disconnect for step in scenario.steps if step.disconnect is not None)]
    return any(fault.ends_stream for fault in faults)


def golden_path(name: str, suffix: str) -> Path:
    return GOLDEN / f"{name}.{suffix}"


async def regenerate(names: list[str]) -> None:
    async with TestClient(TestServer(create_app(golden_config()))) as client:
        for name in names:
            for suffix in VARIANTS:
                path = golden_path(name, suffix)
                path.parent.mkdir(exist_ok=True)
                path.write_bytes(await capture(client, name, suffix))
                print(f"wrote {path.relative_to(TESTS.parent)}")


def main(argv: list[str]) -> int:
    known = sorted(golden_names())
    unknown = [n for n in argv if n not in known]
    if unknown:
        print(f"unknown scenario(s): {', '.join(unknown)}; known: {', '.join(known)}", file=sys.stderr)
        return 1
    asyncio.run(regenerate(argv or known))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
