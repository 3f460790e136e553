"""Rewrite the golden byte files of the app framings (run it on purpose, then review the diff).

    python scripts/regen_app_golden.py

Each case is one request to an app route, served in-process at speed 0 with
seed GOLDEN_SEED; the body is stored byte for byte under tests/golden/app/ as
`<framing>.<scenario>.<stream|whole>.txt`.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from mockllm.scenarios.catalog import SHIPPED
from mockllm.server.app import create_app
from mockllm.server.config import ServerConfig

TESTS = Path(__file__).resolve().parents[1] / "tests"
SCENARIOS = SHIPPED
GOLDEN_APP = TESTS / "golden" / "app"
GOLDEN_SEED = 20250101
FRAMINGS = ("miniprogram", "text", "sse-json", "ndjson", "ai-sdk")
#: (scenario, streamed?) served in every framing
CASES = (("hello", True), ("hello", False), ("recharge-required", True), ("content-blocked", True))
#: more cases for the framings that frame more than text
EXTRA_CASES = {"ai-sdk": (("tool-with-output", True), ("tool-with-output", False), ("midstream-error", True))}


def case_names() -> list[str]:
    """Every golden case as `<framing>.<scenario>.<stream|whole>`."""
    return [
        f"{framing}.{scenario}.{'stream' if stream else 'whole'}"
        for framing in FRAMINGS
        for scenario, stream in CASES + EXTRA_CASES.get(framing, ())
    ]


def golden_path(case: str) -> Path:
    return GOLDEN_APP / f"{case}.txt"


async def capture(client: TestClient[Any, Any], case: str) -> bytes:
    """The body bytes one case answers: a mini-program style POST with a JSON body."""
    framing, scenario, variant = case.split(".")
    body = {"message": "你好，请介绍一下你自己。", "stream": variant == "stream"}
    headers = {"X-Mock-Scenario": scenario, "X-Mock-Seed": str(GOLDEN_SEED), "X-Mock-Speed": "0"}
    response = await client.post(f"/{framing}/api/chat", json=body, headers=headers)
    assert response.status == 200, f"{case}: HTTP {response.status}: {await response.text()}"
    return await response.read()


def app_config() -> ServerConfig:
    return ServerConfig(scenarios=SCENARIOS, speed=0)


async def regenerate() -> None:
    GOLDEN_APP.mkdir(parents=True, exist_ok=True)
    async with TestClient(TestServer(create_app(app_config()))) as client:
        for case in case_names():
            golden_path(case).write_bytes(await capture(client, case))
            print(f"wrote {golden_path(case).relative_to(TESTS.parent)}")


if __name__ == "__main__":
    asyncio.run(regenerate())
    sys.exit(0)
