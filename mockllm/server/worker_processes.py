"""The server as one of `--workers N` processes: its metrics shared through a folder, and what it refuses.

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
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, AsyncIterator

from aiohttp import web

from mockllm.server.metrics import Snapshot, merge
from mockllm.server.state import STATE

if TYPE_CHECKING:
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
    from mockllm.server.middleware import error_response
    reason = single_process_refusal(request.app[STATE].config.workers, request.method, request.path)
    if reason is not None:
        return error_response(409, reason)
    return await handler(request)


async def publishing(app: web.Application) -> AsyncIterator[None]:
    """While the app runs, publish its worker's metrics every `PUBLISH_S` (an aiohttp cleanup context)."""
    async def publish() -> None:
        while True:
            app[WORKER].publish(app[STATE].metrics.snapshot())
            await asyncio.sleep(PUBLISH_S)

    task = asyncio.create_task(publish())
    yield
    task.cancel()
