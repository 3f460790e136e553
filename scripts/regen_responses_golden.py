"""Rewrite the golden byte files of the Responses route (run it on purpose, then review the diff).

    python scripts/regen_responses_golden.py

Each case is one `POST /v1/responses` served in-process at speed 0 with seed
GOLDEN_SEED, from the shipped scenarios plus the EXTRA ones below (a reasoning
answer, an answer cut by length); the body is stored byte for byte under
tests/golden/responses/ as `<case>.txt` (streamed) or `<case>.json` (whole).
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer
from regen_golden import TOOLS as CHAT_TOOLS

from mockllm.scenarios.catalog import SHIPPED, Catalog
from mockllm.scenarios.loading import load_catalog
from mockllm.scenarios.scenario import Scenario
from mockllm.server.app import create_app
from mockllm.server.config import ServerConfig

TESTS = Path(__file__).resolve().parents[1] / "tests"
SCENARIOS = SHIPPED
GOLDEN_RESPONSES = TESTS / "golden" / "responses"
GOLDEN_SEED = 20250101
#: The chat goldens' tool, in Responses' flat function tool shape.
TOOLS = [{"type": "function", **tool["function"]} for tool in CHAT_TOOLS]
REQUEST: dict[str, Any] = {
    "instructions": "You are helpful.",
    "input": [{"role": "user", "content": [{"type": "input_text", "text": "你好，请介绍一下你自己。Who are you?"}]}],
    "tools": TOOLS,
}
#: Scenarios the golden cases need beyond the shipped ones.
EXTRA: list[dict[str, Any]] = [
    {
        "schema": 1,
        "name": "reasoning",
        "description": "A reasoning summary, then the answer.",
        "stream": {"unit": "token"},
        "steps": [{"think": "用户在打招呼。I should introduce myself briefly."}, {"say": "你好！我是 mockllm。"}],
    },
    {
        "schema": 1,
        "name": "cut-by-length",
        "description": "An answer cut by the output token limit.",
        "stream": {"unit": "token"},
        "steps": [{"say": "这个回答被截断了，because"}, {"finish": "length"}],
    },
]
#: case → (scenario, streamed?)
CASES: dict[str, tuple[str, bool]] = {
    "hello.stream": ("hello", True),
    "hello.whole": ("hello", False),
    "tool-call.stream": ("tool-call", True),
    "tool-call.whole": ("tool-call", False),
    "agent-call-tool.stream": ("agent-call-tool", True),
    "reasoning.stream": ("reasoning", True),
    "reasoning.whole": ("reasoning", False),
    "midstream-error.stream": ("midstream-error", True),
    "cut-by-length.stream": ("cut-by-length", True),
}


def golden_catalog() -> Catalog:
    """The shipped scenarios and the EXTRA ones."""
    catalog = load_catalog(SCENARIOS)
    for raw in EXTRA:
        scenario = Scenario.model_validate(raw)
        catalog.scenarios[scenario.name] = scenario
    return catalog


def golden_app() -> Any:
    """The app the golden cases are served by: instant, the request sends the seed."""
    return create_app(ServerConfig(scenarios=SCENARIOS, speed=0), golden_catalog())


def golden_path(case: str) -> Path:
    return GOLDEN_RESPONSES / (case + (".txt" if CASES[case][1] else ".json"))


async def capture(client: TestClient[Any, Any], case: str) -> bytes:
    """The body bytes one case answers."""
    scenario, streamed = CASES[case]
    body = {**REQUEST, "model": scenario, "stream": streamed}
    response = await client.post("/v1/responses", json=body, headers={"X-Mock-Seed": str(GOLDEN_SEED), "X-Mock-Speed": "0"})
    assert response.status == 200, f"{case}: HTTP {response.status}: {await response.text()}"
    return await response.read()


async def regenerate() -> None:
    GOLDEN_RESPONSES.mkdir(parents=True, exist_ok=True)
    async with TestClient(TestServer(golden_app())) as client:
        for case in CASES:
            golden_path(case).write_bytes(await capture(client, case))
            print(f"wrote {golden_path(case).relative_to(TESTS.parent)}")


def main() -> int:
    asyncio.run(regenerate())
    return 0


if __name__ == "__main__":
    sys.exit(main())
