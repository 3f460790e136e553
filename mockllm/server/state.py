"""What the request handlers share: `ServerState`, under the typed app key `STATE`."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from mockllm.delivery.pacer import Pacer
from mockllm.scenarios.catalog import Catalog
from mockllm.server.config import ServerConfig
from mockllm.server.demo import DemoOverrides
from mockllm.server.journal import Journal
from mockllm.server.metrics import Metrics
from mockllm.server.posted import RuntimeScenarios
from mockllm.stream.attempts import Sessions


@dataclass
class ServerState:
    """Everything the request handlers share."""

    config: ServerConfig
    catalog: Catalog
    journal: Journal
    tasks: set[asyncio.Task[Any]] = field(default_factory=set)
    sessions: Sessions = field(default_factory=Sessions)
    demo: DemoOverrides = field(default_factory=DemoOverrides)
    runtime: RuntimeScenarios = field(default_factory=RuntimeScenarios)

    def view(self, session: str | None) -> Catalog:
        """The scenarios a request of `session` sees: its posted ones, the global posted ones, the folder's."""
        return self.runtime.view(self.catalog, session)
    pacer: Pacer = field(default_factory=Pacer)
    metrics: Metrics = field(default_factory=Metrics)


STATE = web.AppKey("state", ServerState)
