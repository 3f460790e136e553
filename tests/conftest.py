"""Shared fixtures: the app in-process, and a live server on a real port for blocking clients."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from aiohttp import web

from mockllm.app import create_app
from mockllm.call import Call, ChatRequest
from mockllm.config import ServerConfig
from mockllm.scenario import Scenario

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = REPO / "scenarios"


class LiveServer:
    """The app served on 127.0.0.1 from a background thread with its own event loop."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.app: web.Application | None = None
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        """Base URL, e.g. `http://127.0.0.1:PORT`."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LiveServer:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("live server did not start")
        return self

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._start())
        self._ready.set()
        self._loop.run_forever()

    async def _start(self) -> None:
        self.app = create_app(self.config)
        self._runner = web.AppRunner(self.app, handler_cancellation=True, access_log=None, shutdown_timeout=1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    def call(self, fn: Callable[[], Any]) -> Any:
        """Run `fn` on the server's loop and return its result (for inspecting state)."""

        async def run() -> Any:
            return fn()

        return asyncio.run_coroutine_threadsafe(run(), self._loop).result(10)

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()


def build_call(
    steps: list[Any],
    *,
    stream: dict[str, Any] | None = None,
    messages: tuple[tuple[str, str], ...] = (("user", "你好"),),
    model: str | None = None,
    streamed: bool = True,
    include_usage: bool = False,
    seed: int = 1,
) -> Call:
    """A seeded Call of a scenario built from `steps` (YAML-shaped) and `stream` settings."""
    scenario = Scenario.model_validate(
        {"schema": 1, "name": "t", "description": "test", "stream": stream or {}, "steps": steps}
    )
    chat = ChatRequest(messages=messages, model=model, stream=streamed, include_usage=include_usage)
    return Call(chat, scenario, seed=seed, seeded=True, speed=0, stream_config=scenario.stream)


@pytest.fixture
def make_call() -> Callable[..., Call]:
    """Build seeded Calls from YAML-shaped steps: `make_call([{"say": "hi"}], stream={"unit": "char"})`."""
    return build_call


@pytest.fixture
def base_config() -> ServerConfig:
    """The shipped scenarios, instant (speed 0) and seeded."""
    return ServerConfig(scenarios=SCENARIOS, speed=0, seed=1)


@pytest.fixture
def live_server(base_config: ServerConfig) -> Iterator[Callable[..., LiveServer]]:
    """Start live servers: `live_server(speed=1, scenarios=path)`; all are stopped after the test."""
    servers: list[LiveServer] = []

    def start(**changes: Any) -> LiveServer:
        server = LiveServer(replace(base_config, **changes)).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
