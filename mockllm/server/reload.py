"""Re-read the scenarios folder into a running server; a folder with problems leaves the last good one serving."""

from __future__ import annotations

import asyncio

from mockllm.scenarios.catalog import Catalog
from mockllm.scenarios.loading import check_default, load_catalog
from mockllm.scenarios.problems import ProblemsError
from mockllm.server.config import ServerConfig
from mockllm.server.state import ServerState


def load_checked(config: ServerConfig) -> Catalog:
    """Load the folder and check its default scenario; raise ProblemsError listing every problem."""
    catalog = load_catalog(config.scenarios)
    check_default(catalog, config.default)
    return catalog


async def reload_scenarios(state: ServerState) -> list[str]:
    """Re-read the folder off the event loop; serve it when it is good, else keep the old; return the problems."""
    try:
        catalog = await asyncio.get_running_loop().run_in_executor(None, load_checked, state.config)
    except ProblemsError as exc:
        return [str(p) for p in exc.problems]
    state.catalog = catalog
    return []
