"""Realtime responses per second on one connection, and what choosing a scenario with its trace costs.

    python bench/realtime_and_why.py

A background server (the shipped scenarios, speed 0) answers N text
responses of the `fast` scenario on one `GET /v1/realtime` connection, one
after another; then `choose()` is timed for a request that falls to the
default (every match rule tried and traced) and for one whose model names
its scenario. Local and bounded: 127.0.0.1 only, a few seconds.
"""

from __future__ import annotations

import asyncio
import json
import time
import timeit
from pathlib import Path

import aiohttp

from mockllm.core.request import ChatRequest
from mockllm.scenarios.loading import load_catalog
from mockllm.server.app import create_app
from mockllm.server.config import ServerConfig
from mockllm.server.selection import choose
from mockllm.testing.background import BackgroundServer

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"

N = 200
async def realtime(url):
    async with aiohttp.ClientSession() as http, http.ws_connect(url.replace("http", "ws") + "/v1/realtime?model=fast") as ws:
        await ws.receive()
        await ws.send_json({"type": "session.update", "session": {"type": "realtime", "output_modalities": ["text"]}})
        started = time.perf_counter()
        for _ in range(N):
            await ws.send_json({"type": "response.create"})
            while json.loads((await ws.receive()).data)["type"] != "response.done":
                pass
        return time.perf_counter() - started

config = ServerConfig(scenarios=SCENARIOS, speed=0, seed=1, journal_size=50)
server = BackgroundServer(lambda: create_app(config)).start()
try:
    elapsed = asyncio.run(realtime(server.url))
finally:
    server.stop()
print(f"realtime: {N} text responses (fast scenario, 15 deltas each) on one connection in {elapsed:.2f} s = {N/elapsed:.0f} responses/s")
catalog = load_catalog(SCENARIOS)
chat = ChatRequest(messages=(("user", "你好"),), model="gpt-4o")
n = 20000
t = timeit.timeit(lambda: choose(catalog, chat, headers={}, query={}, path="/v1/chat/completions", default="default"), number=n)
print(f"choose(): a request that falls to the default, every match rule tried and traced: {t/n*1e6:.1f} µs")
named = ChatRequest(messages=(("user", "你好"),), model="hello")
t = timeit.timeit(lambda: choose(catalog, named, headers={}, query={}, path="/v1/chat/completions", default="default"), number=n)
print(f"choose(): model names the scenario: {t/n*1e6:.1f} µs")
