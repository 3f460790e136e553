"""The clock, planned rather than timed: when the pacer means to write, and the speed a request is played at.

Nothing here reads the wall clock: the pacer runs on a clock the test moves,
so a change that doubled every delay, or a server that ignored
`X-Mock-Speed: 0`, fails here instead of only making the suite slower.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Sequence

import pytest
from aiohttp.test_utils import TestClient
from scenario_files import scenario, write_scenarios

from mockllm.core.events import Close, Delay, Gap, Respond, WireItem
from mockllm.delivery.pacer import END, Outcome, _Stream
from mockllm.delivery.transports.base import Transport
from mockllm.server.app import create_app
from mockllm.server.config import ServerConfig


class Sink(Transport):
    """Takes every write at once; records what arrived."""

    def __init__(self) -> None:
        self.data: list[bytes] = []

    async def open(self) -> None: ...

    def write(self, data: bytes) -> None:
        self.data.append(data)

    def write_many(self, parts: Sequence[bytes]) -> None:
        self.data.extend(parts)

    def buffered(self) -> int:
        return 0

    def gone(self) -> bool:
        return False

    async def end(self) -> None: ...

    def abort(self) -> None: ...

    def drop(self) -> None: ...

    async def close(self, item: Close) -> None: ...

    async def respond(self, item: Respond) -> None: ...


def plan(items: list[WireItem], speed: float) -> tuple[list[float], list[list[bytes]]]:
    """The times (ms after the start) the pacer asks to be woken at, and what each wake-up wrote, on a clock that jumps there."""
    now = [0.0]
    sink = Sink()
    stream = _Stream(sink, iter(items), Outcome(), speed, deadline=1e9, now=0.0)
    stream.clock = lambda: now[0]
    stream.opened = True
    wakes, writes = [], []
    while True:
        step = stream.advance()
        writes.append(sink.data)
        sink.data = []
        if step is END:
            return wakes, writes
        assert isinstance(step, float), step
        wakes.append(round(step * 1000, 6))
        now[0] = step


GUARD_S = 30
ITEMS: list[WireItem] = [Delay(200), b"a", Delay(40), b"b", Delay(40), b"c", Delay(15, own_write=True), b"end"]


def test_each_write_is_planned_at_the_sum_of_the_delays_before_it():
    assert plan(ITEMS, 1) == ([200, 240, 280, 295], [[], [b"a"], [b"b"], [b"c"], [b"end"]])


@pytest.mark.parametrize(("speed", "wakes"), [(0.5, [100, 120, 140, 147.5]), (2, [400, 480, 560, 590])])
def test_speed_scales_every_planned_time(speed: float, wakes: list[float]):
    assert plan(ITEMS, speed)[0] == wakes


def test_at_speed_zero_nothing_waits():
    assert plan(ITEMS, 0) == ([], [[b"a", b"b", b"c", b"end"]])


def test_a_gap_holds_a_write_in_real_time_even_at_speed_zero():
    wakes, writes = plan([b"a", Gap(30), b"b"], 0)
    assert wakes == [30] and writes == [[b"a"], [b"b"]]


@pytest.fixture
async def client(aiohttp_client: Any, tmp_path: Path) -> TestClient[Any, Any]:
    folder = write_scenarios(tmp_path, scenario("slow", [{"say": "hi"}], stream={"first_token_ms": 600_000}))
    return await aiohttp_client(create_app(ServerConfig(scenarios=folder, speed=1, seed=1, default="slow")))


@pytest.mark.parametrize(
    ("headers", "path", "speed"),
    [({"X-Mock-Speed": "0"}, "/v1/chat/completions", 0), ({}, "/v1/chat/completions?mock_speed=0", 0), ({"X-Mock-Speed": "0"}, "/v1/messages", 0)],
    ids=["header", "query", "anthropic-header"],
)
async def test_a_request_asking_for_speed_zero_is_played_at_speed_zero(client: TestClient[Any, Any], headers: dict[str, str], path: str, speed: float):
    """The scenario waits ten minutes at the server's speed 1: only the request's speed 0 lets it answer, and the journal says so."""
    body = {"model": "slow", "max_tokens": 10, "messages": [{"role": "user", "content": "hi"}], "stream": True}

    async def answer() -> bytes:
        response = await client.post(path, json=body, headers=headers)
        assert response.status == 200
        return await response.read()

    assert b"hi" in await asyncio.wait_for(answer(), GUARD_S)  # a guard against a hang, not a timing: the wait planned is ten minutes
    [entry] = await (await client.get("/_mock/journal")).json()
    assert entry["speed"] == speed
