"""Serve an app on 127.0.0.1 from a background thread with its own event loop (test fixtures, the recorder's tests)."""

from __future__ import annotations

import asyncio
import threading
from typing import Any, Callable

from aiohttp import web

from mockllm.server.app import warm_up
from mockllm.server.state import STATE

#: A hang guard for starting and stopping; both take milliseconds.
START_STOP_TIMEOUT_S = 30


class BackgroundServer:
    """An aiohttp app listening on a free port of 127.0.0.1 while the caller's thread goes on."""

    def __init__(self, build: Callable[[], web.Application], host: str = "127.0.0.1", port: int = 0) -> None:
        self.app: web.Application | None = None
        self.host = host
        self.port = port
        self._build = build
        self._loop = asyncio.new_event_loop()
        self._started = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="mockllm-server", daemon=True)
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        """Base URL, e.g. `http://127.0.0.1:PORT` (no `/v1`)."""
        return f"http://{self.host}:{self.port}"

    def start(self) -> BackgroundServer:
        """Start listening; raise what building or binding the app raised."""
        self._thread.start()
        if not self._started.wait(START_STOP_TIMEOUT_S):
            raise RuntimeError("mockllm did not start in time")
        if self._error is not None:
            self._thread.join(START_STOP_TIMEOUT_S)
            raise self._error
        return self

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._listen())
        except BaseException as exc:  # reported to the starting thread
            self._error = exc
            self._started.set()
            self._loop.close()
            return
        self._started.set()
        self._loop.run_forever()

    async def _listen(self) -> None:
        self.app = self._build()
        self._runner = web.AppRunner(self.app, handler_cancellation=True, access_log=None, shutdown_timeout=1)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        self.port = self._runner.addresses[0][1]
        if STATE in self.app:  # a mock server (the recorder's is not)
            warm_up(self.app)

    def call(self, fn: Callable[[], Any]) -> Any:
        """Run `fn` on the server's loop and return its result (to inspect state safely)."""

        async def run() -> Any:
            return fn()

        return asyncio.run_coroutine_threadsafe(run(), self._loop).result(START_STOP_TIMEOUT_S)

    def stop(self) -> None:
        """Close open streams, stop listening and end the thread (a server already stopped stays so)."""
        if self._loop.is_closed():
            return
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(START_STOP_TIMEOUT_S)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(START_STOP_TIMEOUT_S)
        self._loop.close()
