"""Errors with a `rate`: drawn from the request's seed, so a failing run replays from its X-Mock-Seed header."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openai
import pytest
from aiohttp.test_utils import TestClient
from conftest import SCENARIOS
from openai import OpenAI

from mockllm.server.app import create_app
from mockllm.server.config import ServerConfig

MESSAGES: list[Any] = [{"role": "user", "content": "你好"}]
SEEDS = range(200)


@pytest.fixture
async def client(aiohttp_client: Any, tmp_path: Path) -> TestClient[Any, Any]:
    """The shipped scenarios plus `chaotic` (a coin-flip error mid-answer) and `calm` (the same without it); no server seed."""
    for path in SCENARIOS.glob("*.yaml"):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    answer = "stream: {unit: char, delay_ms: 10, jitter_ms: 5, first_token_ms: 0}\nsteps:\n  - say: {faker: sentence, locale: [zh_CN]}\n"
    (tmp_path / "test-chaos.yaml").write_text(
        f"schema: 1\nname: chaotic\ndescription: d\n{answer}  - error: {{preset: server_error, rate: 0.5}}\n  - say: 结束\n"
        f"---\nschema: 1\nname: calm\ndescription: d\n{answer}  - say: 结束\n",
        encoding="utf-8",
    )
    return await aiohttp_client(create_app(ServerConfig(scenarios=tmp_path, speed=0)))


async def ask(client: TestClient[Any, Any], scenario: str, seed: int | None = None) -> tuple[int, str, bytes]:
    """Stream `scenario` (as model `m`); return the status, the seed header and the body."""
    headers = {"X-Mock-Scenario": scenario, **({"X-Mock-Seed": str(seed)} if seed is not None else {})}
    response = await client.post("/v1/chat/completions", json={"model": "m", "stream": True, "messages": MESSAGES}, headers=headers)
    return response.status, response.headers["X-Mock-Seed"], await response.read()


async def test_chaos_20_fails_about_one_request_in_five(client: TestClient[Any, Any]) -> None:
    failed = [seed for seed in SEEDS if (await ask(client, "chaos-20", seed))[0] == 500]
    assert 25 <= len(failed) <= 55


async def test_the_same_seed_fails_the_same_way(client: TestClient[Any, Any]) -> None:
    for seed in range(20):
        assert await ask(client, "chaos-20", seed) == await ask(client, "chaos-20", seed)


async def test_a_failing_run_replays_from_its_seed_header(client: TestClient[Any, Any]) -> None:
    runs = [await ask(client, "chaos-20") for _ in range(100)]  # unseeded: P(no failure) = 0.8**100
    status, seed, body = next(run for run in runs if run[0] == 500)
    assert await ask(client, "chaos-20", int(seed)) == (status, seed, body)
    passed = next(run for run in runs if run[0] == 200)
    assert (await ask(client, "chaos-20", int(passed[1])))[0] == 200


async def test_the_draw_never_changes_the_answer(client: TestClient[Any, Any]) -> None:
    """The rate draws from its own seeded RNG: where no error strikes, the bytes equal the scenario without it."""
    outcomes = {seed: await ask(client, "chaotic", seed) for seed in range(12)}
    assert {status for status, _, _ in outcomes.values()} == {200}
    struck = [seed for seed, (_, _, body) in outcomes.items() if b'"error"' in body]
    assert 0 < len(struck) < len(outcomes)
    for seed, (_, _, body) in outcomes.items():
        calm = (await ask(client, "calm", seed))[2]
        if seed in struck:
            prefix = calm.split(b"\n\n")[:-5]  # the calm answer up to its last delta: 结, 束, finish, [DONE]
            assert body.startswith(b"\n\n".join(prefix)) and body.endswith(b'"code":null}}\n\n') and b"[DONE]" not in body
        else:
            assert body == calm


def test_the_sdk_fails_the_same_way_on_replay(live_server: Any) -> None:
    server = live_server(seed=None)
    sdk = OpenAI(base_url=server.url + "/v1", api_key="sk-unused", max_retries=0)

    def ask(headers: dict[str, str]) -> None:
        sdk.chat.completions.create(model="chaos-20", messages=MESSAGES, extra_headers={"X-Mock-Speed": "0", **headers})

    failure = None
    for _ in range(100):
        try:
            ask({})
        except openai.InternalServerError as exc:
            failure = exc
            break
    assert failure is not None
    seed = failure.response.headers["X-Mock-Seed"]
    with pytest.raises(openai.InternalServerError) as replay:
        ask({"X-Mock-Seed": seed})
    assert (replay.value.status_code, replay.value.message) == (failure.status_code, failure.message)
    assert replay.value.response.headers["X-Mock-Seed"] == seed
