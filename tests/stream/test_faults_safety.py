"""Faults stay bounded and contained: seeded replay, no effect on other streams, nothing left behind."""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from blocking_http import chat, request_bytes, wait_for, write_scenarios

from mockllm.server.state import STATE

SCENARIOS = {
    "plain": "",
    "reset2": "faults:\n  - {fault: reset, after_deltas: 2}\n",
    "hang": "faults:\n  - {fault: hang, after_deltas: 2}\n",
    "close": "faults:\n  - {fault: close, after_deltas: 2, clean: false}\n",
    "malformed": "faults:\n  - {fault: malformed, after_deltas: 2}\n",
    "no-response": "faults:\n  - no_response\n",
    "trickle": "faults:\n  - {fault: trickle, bytes_per_s: 2000}\n",
    "chaos": "faults:\n  - {fault: reset, after_deltas: 2, rate: 0.5}\n",
}
#: Seeds whose draw for `chaos` (rate 0.5) does and does not strike, pinned.
STRIKING_SEED, SPARING_SEED = 2, 1


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return write_scenarios(tmp_path, SCENARIOS)


def contents(events: list[bytes]) -> list[str]:
    """The delta texts of SSE events, without ids or timestamps."""
    found = []
    for event in events:
        if event.startswith(b"data: {"):
            choices = json.loads(event[len(b"data: ") :])["choices"]
            found += [c["delta"].get("content") or "" for c in choices]
    return found


@pytest.mark.parametrize(("seed", "ended"), [(STRIKING_SEED, "reset"), (SPARING_SEED, "eof")], ids=["striking", "sparing"])
def test_a_rate_draws_from_the_request_seed(live_server, folder, seed, ended):
    server = live_server(scenarios=folder, default="plain")
    runs = [chat(server.port, "chaos", keep_alive=False, headers={"X-Mock-Seed": str(seed)}) for _ in range(3)]
    assert {run.ended for run in runs} == {ended}
    assert len({tuple(run.response.chunks) for run in runs}) == 1  # the same body, byte for byte


def test_a_failing_run_replays_from_the_seed_in_its_response_header(live_server, folder):
    server = live_server(scenarios=folder, default="plain", seed=None)
    failing = next(run for run in (chat(server.port, "chaos", keep_alive=False) for _ in range(60)) if run.ended == "reset")
    seed = failing.response.headers["x-mock-seed"]
    replay = chat(server.port, "chaos", keep_alive=False, headers={"X-Mock-Seed": seed})
    assert replay.ended == "reset"
    assert contents(replay.events) == contents(failing.events)


def test_faulted_streams_do_not_disturb_a_concurrent_normal_stream(live_server, folder):
    server = live_server(scenarios=folder, default="plain", max_stream_s=1.0)
    paced = {"X-Mock-Speed": "1", "X-Mock-Delay-Ms": "5"}
    reference = chat(server.port, "plain", keep_alive=False)
    faulted = ["reset2", "hang", "close", "malformed", "no-response", "trickle"] * 3
    with ThreadPoolExecutor(len(faulted) + 1) as pool:
        others = [pool.submit(chat, server.port, name, keep_alive=False, headers=paced) for name in faulted]
        normal = pool.submit(chat, server.port, "plain", keep_alive=False, headers=paced).result()
        outcomes = [other.result() for other in others]
    assert normal.response.chunks == reference.response.chunks and normal.terminated
    assert {o.ended for o, name in zip(outcomes, faulted) if name == "reset2"} == {"reset"}


async def test_aborted_and_faulted_streams_leave_nothing_behind(live_server, folder):
    server = live_server(scenarios=folder, default="plain", max_stream_s=0.5)
    state = server.app[STATE]

    def tasks() -> int:
        return server.call(lambda: len(asyncio.all_tasks()))

    baseline = tasks()
    names = list(SCENARIOS)
    await asyncio.gather(*(_client(server.port, names[i % len(names)], abort=i % 3 == 0) for i in range(200)))
    assert wait_for(lambda: server.call(lambda: not state.tasks))
    assert wait_for(lambda: tasks() <= baseline)


async def _client(port: int, scenario: str, abort: bool) -> None:
    """One paced request; read to the end, or (`abort`) close the connection after the first bytes."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    body = {"stream": True, "messages": [{"role": "user", "content": "hi"}]}
    writer.write(request_bytes(port, body, {"X-Mock-Scenario": scenario, "X-Mock-Speed": "1", "X-Mock-Delay-Ms": "20"}))
    try:
        if abort:
            await asyncio.wait_for(reader.read(1), 5)
        else:
            while await asyncio.wait_for(reader.read(1 << 16), 5):
                pass
    except ConnectionResetError:
        pass
    finally:
        writer.transport.abort()
