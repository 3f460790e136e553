"""`--workers N`: N server processes on one port (SO_REUSEPORT), started and stopped together.

The parent loads the scenarios once, reserves the port, and forks the workers;
each listens on the port with SO_REUSEPORT, so the kernel spreads new
connections among them, and each paces its own streams on its own core. The
parent prints the banner once every worker listens, passes SIGINT/SIGTERM on,
and stops them all when one dies.

Each worker runs the `serve` coroutine function it is given (uvicorn's
supervisors get their target the same way), so this module never imports the
CLI; what a worker refuses is `mockllm.server.worker_processes`.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Coroutine

from mockllm.ops.banner import banner
from mockllm.server.worker_processes import Worker

if TYPE_CHECKING:
    from mockllm.scenarios.catalog import Catalog
    from mockllm.server.config import ServerConfig


def run(config: ServerConfig, catalog: Catalog, serve: Callable[..., Coroutine[Any, Any, None]]) -> int:
    """Start `config.workers` processes that each run `serve(config, catalog, worker=…)` on one port; wait, return the exit code."""

    family, _, _, _, address = socket.getaddrinfo(config.host, config.port, type=socket.SOCK_STREAM)[0]
    reserved = socket.socket(family, socket.SOCK_STREAM)
    reserved.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    reserved.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    reserved.bind(address)  # bound, never listening: it holds the port and receives no connections
    port = reserved.getsockname()[1]
    folder = Path(tempfile.mkdtemp(prefix="mockllm-workers-"))
    ready_r, ready_w = os.pipe()
    pids = []
    for index in range(config.workers):
        pid = os.fork()
        if pid == 0:  # the worker
            os.close(ready_r)
            reserved.close()
            worker = Worker(index, folder, ready_w)
            code = 0
            try:
                asyncio.run(serve(replace(config, port=port), catalog, worker=worker))
            except BaseException as exc:  # noqa: BLE001 - a worker reports and exits; the parent stops the rest
                print(f"mockllm: worker {index} stopped: {exc!r}", file=sys.stderr, flush=True)
                code = 1
            os._exit(code)
        pids.append(pid)
    os.close(ready_w)
    try:
        return _supervise(pids, ready_r, lambda: print(banner(config, port, len(catalog.scenarios)) + f"\n  workers: {config.workers} processes on port {port}", flush=True))
    finally:
        reserved.close()
        shutil.rmtree(folder, ignore_errors=True)


def _supervise(pids: list[int], ready_r: int, announce: Any) -> int:
    """Wait until every worker listens (then `announce`), pass stop signals on, and reap them."""
    with os.fdopen(ready_r, "rb") as ready:
        listening = len(ready.read(len(pids)))
    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True
        _signal_all(pids, signal.SIGTERM)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    if listening < len(pids):
        _signal_all(pids, signal.SIGTERM)
        stopping = True
    else:
        announce()
    code = 0 if listening == len(pids) else 1
    alive = set(pids)
    while alive:
        pid, status = os.wait()
        alive.discard(pid)
        if not stopping:  # a worker died on its own: stop the others
            print(f"mockllm: a worker exited ({os.waitstatus_to_exitcode(status)}); stopping", file=sys.stderr, flush=True)
            stopping, code = True, 1
            _signal_all(list(alive), signal.SIGTERM)
    print("mockllm: shutting down", flush=True)
    return code


def _signal_all(pids: list[int], signum: int) -> None:
    for pid in pids:
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass
