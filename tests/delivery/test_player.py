"""The HTTP player on a real socket: fair to other requests, bounded at speed 0, journaling its writes."""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path

import pytest
from blocking_http import request_bytes, wait_for, write_scenarios
from rawhttp import post

from mockllm.server.state import STATE

#: Timing-sensitive (real pacing, separate network reads): these run one at a time on one worker.
pytestmark = pytest.mark.xdist_group("serial")

#: A day of silence filled with a heartbeat every millisecond: at speed 0, an endless flood of writes.
FLOOD = {"flood": "  - pause: 86400000\nwire: {heartbeat_ms: 1}\n"}


def journal(server) -> list[dict]:
    return server.call(lambda: list(server.app[STATE].journal))


async def http_get(port: int, path: str) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
    try:
        return await reader.read()
    finally:
        writer.close()


async def test_health_answers_while_a_speed_zero_heartbeat_stream_runs(live_server, tmp_path: Path):
    server = live_server(scenarios=write_scenarios(tmp_path, FLOOD), default="flood", max_stream_s=120)
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(request_bytes(server.port, {"stream": True, "messages": [{"role": "user", "content": "hi"}]}, {}))
    assert (await reader.read(1 << 16)).startswith(b"HTTP/1.1 200")
    flood_over = asyncio.Event()

    async def drain() -> None:
        while await reader.read(1 << 16):
            pass
        flood_over.set()

    draining = asyncio.create_task(drain())
    health = await http_get(server.port, "/_mock/health")
    assert health.startswith(b"HTTP/1.1 200") and b'"open_streams": 1' in health
    assert not flood_over.is_set(), "health was answered only after the flood ended"
    draining.cancel()
    writer.close()
    await writer.wait_closed()
    entry = wait_for(lambda: (entries := journal(server)) and "ended" in entries[0] and entries[0])
    assert entry["ended"] == "client went away" and entry["writes"] > 1


async def test_the_maximum_stream_duration_ends_a_speed_zero_flood(live_server, tmp_path: Path):
    server = live_server(scenarios=write_scenarios(tmp_path, FLOOD), default="flood", max_stream_s=0.5)
    response = await post("127.0.0.1", server.port, "/v1/chat/completions", {"stream": True, "messages": [{"role": "user", "content": "hi"}]})
    assert response.status == 200 and response.chunks.count(b": keep-alive\n\n") > 10
    entry = wait_for(lambda: (entries := journal(server)) and "ended" in entries[-1] and entries[-1])
    assert entry["ended"] == "stopped at the maximum stream duration (0.5 s)"


@pytest.mark.parametrize("wire", ["frames_per_write=1", "max_write_bytes=9,gap_ms=0"])
async def test_the_journal_records_each_write_as_the_client_saw_its_chunks(live_server, wire):
    server = live_server()
    body = {"stream": True, "messages": [{"role": "user", "content": "hi"}]}
    response = await post("127.0.0.1", server.port, "/v1/chat/completions", body, {"X-Mock-Scenario": "hello", "X-Mock-Wire": wire})
    entry = wait_for(lambda: (entries := journal(server)) and "ended" in entries[-1] and entries[-1])
    assert [size for _, size in entry["write_log"]] == [len(chunk) for chunk in response.chunks]
    assert all(a <= b for (a, _), (b, _) in itertools.pairwise(entry["write_log"]))
    assert entry["writes"] == len(entry["write_log"]) and "write_log_truncated" not in entry


async def test_a_whole_answer_is_one_logged_write(live_server):
    server = live_server()
    body = {"stream": False, "messages": [{"role": "user", "content": "hi"}]}
    response = await post("127.0.0.1", server.port, "/v1/chat/completions", body, {"X-Mock-Scenario": "hello"})
    entry = wait_for(lambda: (entries := journal(server)) and "ended" in entries[-1] and entries[-1])
    assert [size for _, size in entry["write_log"]] == [len(response.body)]
