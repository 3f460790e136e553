"""`--workers N`: N server processes on one port (SO_REUSEPORT), started and stopped together.

The parent loads the scenarios once, reserves the port, and forks the workers;
each listens on the port with SO_REUSEPORT, so the kernel spreads new
connections among them, and each paces its own streams on its own core. The
parent prints the banner once every worker listens, passes SIGINT/SIGTERM on,
and stops them all when one dies.

What needs one process is refused, never silently wrong: attempt counters,
the journal, sessions, reload, runtime scenarios and demo overrides live in
one process's memory, and a client's next request may reach another worker.
So a scenario with `attempts:` answers 400 and those admin routes answer 409,
each saying why. Metrics are shared: each worker publishes its figures to a
file every `PUBLISH_S`, and a scrape on any worker adds them up.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import sys
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, AsyncIterator

from aiohttp import web

from mockllm.server.metrics import Snapshot, merge

if TYPE_CHECKING:
    from mockllm.scenarios.catalog import Catalog
    from mockllm.server.config import ServerConfig
    from mockllm.server.middleware import Handler

PUBLISH_S = 1.0
#: Admin routes that read or change one process's state (any method), and admin writes in general.
SINGLE_PROCESS_ROUTES = ("/_mock/journal", "/_mock/sessions", "/_mock/reload", "/_mock/overrides", "/_mock/live")
READ_ONLY_METHODS = ("GET", "HEAD", "OPTIONS")


@dataclass(frozen=True)
class Worker:
    """One worker process: its number, the folder the workers share metrics in, and the pipe it reports ready on."""

    index: int
    folder: Path
    ready_fd: int

    def listening(self) -> None:
        """Tell the parent this worker listens."""
        os.write(self.ready_fd, b"1")
        os.close(self.ready_fd)

    def publish(self, snapshot: Snapshot) -> None:
        """Write this worker's metrics where the others read them (atomically: write, then rename)."""
        path = self.folder / f"worker-{self.index}.json"
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(snapshot))
        temporary.replace(path)

    def gather(self, own: Snapshot) -> Snapshot:
        """Every worker's metrics added up: this one's live, the others' as last published."""
        snapshots = [own]
        for path in self.folder.glob("worker-*.json"):
            if path.name != f"worker-{self.index}.json":
                try:
                    snapshots.append(json.loads(path.read_text()))
                except (OSError, ValueError):
                    continue  # a worker that is starting or gone
        return merge(snapshots)


WORKER = web.AppKey("worker", Worker)


def single_process_refusal(workers: int, method: str, path: str) -> str | None:
    """Why a request to `path` cannot be served with `workers` processes, or None when it can."""
    if workers <= 1 or not path.startswith("/_mock/"):
        return None
    if path.startswith(SINGLE_PROCESS_ROUTES) or method not in READ_ONLY_METHODS:
        return (
            f"{method} {path} needs the state of one process, and this server runs {workers} worker processes "
            "(--workers), each with its own. Run it with --workers 1 to use it."
        )
    return None


def attempts_refusal(workers: int, scenario: str) -> str:
    """The message for a scenario with `attempts:` under several workers."""
    return (
        f"Scenario '{scenario}' counts attempts per session, and this server runs {workers} worker processes (--workers) "
        "whose counters are separate, so a retry could reach another one. Run it with --workers 1 to use it."
    )


@web.middleware
async def one_process_only(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer 409 to the admin routes that need one process, when there are several."""
    from mockllm.server.exchange import STATE
    from mockllm.server.middleware import error_response

    reason = single_process_refusal(request.app[STATE].config.workers, request.method, request.path)
    if reason is not None:
        return error_response(409, reason)
    return await handler(request)


async def publishing(app: web.Application) -> AsyncIterator[None]:
    """While the app runs, publish its worker's metrics every `PUBLISH_S` (an aiohttp cleanup context)."""
    from mockllm.server.exchange import STATE

    async def publish() -> None:
        while True:
            app[WORKER].publish(app[STATE].metrics.snapshot())
            await asyncio.sleep(PUBLISH_S)

    task = asyncio.create_task(publish())
    yield
    task.cancel()


def run(config: ServerConfig, catalog: Catalog) -> int:
    """Start `config.workers` worker processes on one port, print the banner, and wait; return the exit code."""
    from mockllm.ops.banner import banner
    from mockllm.cli import serve

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
