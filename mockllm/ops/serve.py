"""Run the server: build the app, listen, announce, serve until SIGINT or SIGTERM, then close open streams."""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Coroutine

from aiohttp import web

from mockllm.ops.ready import ready_info, remove_ready_file, write_ready_file
from mockllm.scenarios.catalog import Catalog
from mockllm.server.config import DEFAULT_SCENARIOS, ServerConfig

if TYPE_CHECKING:
    from mockllm.server.worker_processes import Worker


def run_until_stopped(config: ServerConfig, run: Coroutine[Any, Any, None]) -> int:
    """Run a server until it stops; exit code 1 with the reason when it cannot listen."""
    try:
        asyncio.run(run)
    except OSError as exc:
        reason = os.strerror(exc.errno) if exc.errno and exc.errno > 0 else exc.strerror or str(exc)
        print(f"mockllm: cannot listen on {config.host}:{config.port}: {reason}", file=sys.stderr)
        return 1
    return 0


def _settle_memory() -> None:
    """Keep the garbage collector off what start-up built, collect the young less often, and turn it on.

    Streaming allocates many short-lived objects; with the defaults a full
    collection of every scenario and module object ran every few thousand
    deltas (about a fifth of the CPU under load). Start-up leaves a few
    thousand unreachable objects; collecting them took longer (about 40 ms)
    than the memory they hold is worth, so they are frozen with the rest.
    """
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)
    gc.enable()


async def serve(config: ServerConfig, catalog: Catalog, worker: Worker | None = None) -> None:
    """Serve until SIGINT or SIGTERM, then close open streams and stop; as one of several `worker`s when given."""
    from mockllm.server.app import create_app, warm_up
    from mockllm.server.state import STATE

    app = create_app(config, catalog)
    if watching(config):
        from mockllm.ops.watch import add_watcher

        add_watcher(app)
    if worker is not None:
        from mockllm.server.worker_processes import WORKER, one_process_only, publishing

        app[WORKER] = worker
        app.middlewares.append(one_process_only)
        app.cleanup_ctx.append(publishing)
    served = app[STATE].config  # with the admin token create_app made, if any

    def announce(port: int) -> None:
        worker.listening() if worker is not None else _announce(served, port, catalog)
        warm_up(app)

    await run_app(app, served, announce=announce, reuse_port=worker is not None)


async def run_app(app: web.Application, config: ServerConfig, announce: Callable[[int], None], reuse_port: bool = False) -> None:
    """Listen on the configured address (at most the connection cap at once), `announce` the port, serve until SIGINT or SIGTERM."""
    from mockllm.server.limits import connection_cap, listen, raise_fd_limit

    cap = connection_cap(config.max_connections, raise_fd_limit())
    runner = web.AppRunner(app, handler_cancellation=True, access_log=None, shutdown_timeout=2, keepalive_timeout=config.idle_timeout_s)
    await runner.setup()
    try:
        server = await listen(runner, config.host, config.port, backlog=config.backlog, cap=cap, reuse_port=reuse_port)
    except OSError:
        await runner.cleanup()
        raise
    _settle_memory()
    announce(server.sockets[0].getsockname()[1])
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        if reuse_port:
            pass  # a worker: the parent says it
        elif config.log_format == "json":
            logging.getLogger("mockllm").info("shutting down")
        else:
            print("mockllm: shutting down", flush=True)
        if config.ready_file:
            remove_ready_file(config.ready_file)
        server.close()
        await runner.cleanup()


def _announce(config: ServerConfig, port: int, catalog: Catalog) -> None:
    """Write the ready file, then print the banner (or the JSON start line): whoever reads either finds both."""
    from mockllm.ops.banner import banner, try_scenario

    info = ready_info(config, port, catalog.names)
    if config.ready_file:
        write_ready_file(config.ready_file, info)
    if config.log_format == "json":
        print(json.dumps({"event": "listening", **info, "watch": watching(config)}, ensure_ascii=False), flush=True)
    else:
        print(banner(config, port, len(catalog.scenarios), try_scenario(catalog.names, config.default)), flush=True)
        if watching(config):
            print(f"  watching {config.scenarios} for changes (--watch off to stop)", flush=True)


def watching(config: ServerConfig) -> bool:
    """Whether to reload on file changes: as configured, else when serving your own folder in a terminal."""
    if config.watch is not None:
        return config.watch
    return sys.stdout.isatty() and Path(config.scenarios).resolve() != DEFAULT_SCENARIOS
