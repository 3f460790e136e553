"""Shared fixtures: the app in-process, and a live server on a real port for blocking clients."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

import pytest
from golden_files import Golden

import mockllm.server.app
from mockllm.core.request import ChatRequest
from mockllm.scenarios.catalog import SHIPPED, Catalog
from mockllm.scenarios.catalog_cache import catalog_key
from mockllm.scenarios.loading import load_catalog, scenario_files
from mockllm.scenarios.problems import MAX_FILE_BYTES
from mockllm.scenarios.scenario import Scenario
from mockllm.server.app import create_app
from mockllm.server.config import ServerConfig
from mockllm.stream.call import Call
from mockllm.testing.background import BackgroundServer

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = SHIPPED  # package data; `scenarios/` at the repository root links to it


_CATALOGS: dict[str, Catalog] = {}


def _load_catalog_once(folder: Path) -> Catalog:
    """`load_catalog`, read once per unchanged folder: a thousand tests build apps of the shipped scenarios.

    The catalog is never changed once loaded (a reload replaces it), so apps can share one; a file
    added, changed or removed changes the digest and the folder is read again. Problems are raised
    every time, as `load_catalog` raises them.
    """
    key = catalog_key(Path(folder), scenario_files(Path(folder)), MAX_FILE_BYTES) if Path(folder).exists() else None
    if key is None:
        return load_catalog(folder)  # its problems, as load_catalog reports them
    if key not in _CATALOGS:
        _CATALOGS[key] = load_catalog(folder)
    return _CATALOGS[key]


def shipped_catalog() -> Catalog:
    """The shipped scenarios' catalog, read once for the run (see `_load_catalog_once`)."""
    return _load_catalog_once(SCENARIOS)


@pytest.fixture(autouse=True, scope="session")
def _apps_share_unchanged_catalogs() -> Iterator[None]:
    """`create_app` without a catalog reads its folder through `_load_catalog_once` for the whole run."""
    mp = pytest.MonkeyPatch()
    mp.setattr(mockllm.server.app, "load_catalog", _load_catalog_once)
    yield
    mp.undo()


class LiveServer(BackgroundServer):
    """The app served on 127.0.0.1 from a background thread with its own event loop."""

    def __init__(self, config: ServerConfig) -> None:
        super().__init__(lambda: create_app(config))
        self.config = config


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


_CACHE_FOLDER = pytest.StashKey[str]()


def pytest_configure(config: pytest.Config) -> None:
    """Keep validated catalogs (`mockllm.scenarios.catalog_cache`) in a folder of this run, servers started by tests included."""
    config.stash[_CACHE_FOLDER] = tempfile.mkdtemp(prefix="mockllm-catalogs-")
    os.environ["MOCKLLM_CACHE_DIR"] = config.stash[_CACHE_FOLDER]


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(config.stash.get(_CACHE_FOLDER, ""), ignore_errors=True)


def pytest_addoption(parser: pytest.Parser) -> None:
    """`--regen-golden`: rewrite the golden files the selected tests check (see tests/golden_files.py)."""
    parser.addoption("--regen-golden", action="store_true", help="rewrite the golden files the selected tests check, then review the diff")


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Golden:
    """Compare bytes with files under tests/golden/ (`golden.check(name, body)`), or rewrite them with --regen-golden."""
    return Golden(bool(request.config.getoption("--regen-golden")), request.node.path.relative_to(REPO).as_posix())


@pytest.fixture(scope="module")
def module_server_url() -> Iterator[str]:
    """The URL of one live server of the shipped scenarios (speed 0, seed 1) shared by a module's tests: for blocking SDK clients."""
    server = LiveServer(ServerConfig(scenarios=SCENARIOS, speed=0, seed=1)).start()
    yield server.url
    server.stop()


T = TypeVar("T")


@pytest.fixture
def closing() -> Iterator[Callable[[T], T]]:
    """Register an SDK client to be closed after the test (an unclosed client's socket would warn in a later test)."""
    clients: list[Any] = []
    yield lambda client: clients.append(client) or client
    for client in clients:
        client.close()
