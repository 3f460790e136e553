"""Faker instances are built in the background once the server has announced itself, not before (they would slow start-up)."""

from __future__ import annotations

import asyncio
import threading

import pytest
from conftest import SCENARIOS, shipped_catalog

import mockllm.server.app
import mockllm.testing.background
from mockllm.ops import serve
from mockllm.server.config import ServerConfig
from mockllm.testing.background import BackgroundServer


def test_serve_warms_up_after_announcing(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    done = asyncio.Event()

    def warm_up(app: object) -> None:
        seen.append("warm up")
        done.set()

    monkeypatch.setattr(serve, "_announce", lambda config, port, catalog: seen.append(f"announce {port > 0}"))
    monkeypatch.setattr(mockllm.server.app, "warm_up", warm_up)

    async def run() -> None:
        serving = asyncio.create_task(serve.serve(ServerConfig(scenarios=SCENARIOS, port=0, watch=False), shipped_catalog()))
        await asyncio.wait_for(done.wait(), 10)
        serving.cancel()
        await asyncio.gather(serving, return_exceptions=True)

    asyncio.run(run())
    assert seen == ["announce True", "warm up"]


def test_a_background_server_warms_up_once_listening(monkeypatch: pytest.MonkeyPatch) -> None:
    warmed: list[int] = []
    server = BackgroundServer(lambda: mockllm.server.app.create_app(ServerConfig(scenarios=SCENARIOS)))
    monkeypatch.setattr(mockllm.testing.background, "warm_up", lambda app: warmed.append(server.port))
    server.start()
    try:
        assert warmed == [server.port] and server.port > 0
    finally:
        server.stop()


def test_the_warm_up_builds_the_locales_the_scenarios_use(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[list[str]] = []
    finished = threading.Event()
    monkeypatch.setattr(mockllm.server.app.text_render, "warm_up", lambda locales: built.append(locales) or finished.set())
    server = BackgroundServer(lambda: mockllm.server.app.create_app(ServerConfig(scenarios=SCENARIOS))).start()
    try:
        assert finished.wait(10)
        assert built == [sorted(built[0])] and {"zh_CN", "en_US"} <= set(built[0])
    finally:
        server.stop()
