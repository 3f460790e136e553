"""Reload the scenarios folder: on `POST /_mock/reload`, or whenever a file in it changes (`--watch`).

A reload that finds problems keeps serving the last good catalog and reports
the problems (in the answer, or in the log when watching).
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from aiohttp import web

from mockllm.scenarios.catalog import scenario_count
from mockllm.server.reload import reload_scenarios
from mockllm.server.state import STATE, ServerState

log = logging.getLogger("mockllm")

SCENARIO_SUFFIXES = (".yaml", ".yml")
#: How long the watcher waits for more changes before reloading (an editor's save is often several writes).
DEBOUNCE_MS = 50
_WATCHER = web.AppKey("watcher", asyncio.Task)


def is_scenario_file(path: str) -> bool:
    """Whether a changed path can change the catalog."""
    return path.endswith(SCENARIO_SUFFIXES)


async def watch_folder(state: ServerState) -> None:
    """Reload whenever a scenario file below the folder changes, logging what happened."""
    from watchfiles import awatch

    folder = Path(state.config.scenarios)
    async for changes in awatch(folder, debounce=DEBOUNCE_MS, step=DEBOUNCE_MS, recursive=True):
        changed = sorted({Path(path).name for _, path in changes if is_scenario_file(path)})
        if not changed:
            continue
        problems = await reload_scenarios(state)
        if problems:
            log.warning("reload after %s changed: kept the last good scenarios; problems:\n%s", ", ".join(changed), "\n".join(problems))
        else:
            log.info("reloaded %s (%s changed)", scenario_count(len(state.catalog.scenarios)), ", ".join(changed))


async def start_watching(app: web.Application) -> None:
    """Start the folder watcher (an `on_startup` hook); a watcher that fails says so and serving goes on."""
    app[_WATCHER] = task = asyncio.get_running_loop().create_task(watch_folder(app[STATE]))
    task.add_done_callback(_report_failure)


def _report_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("stopped watching the scenarios folder: %s", task.exception())


async def stop_watching(app: web.Application) -> None:
    """Stop the folder watcher (an `on_cleanup` hook)."""
    task = app.get(_WATCHER)
    if task is not None:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


def add_watcher(app: web.Application) -> None:
    """Watch the app's scenarios folder while it runs."""
    app.on_startup.append(start_watching)
    app.on_cleanup.append(stop_watching)
