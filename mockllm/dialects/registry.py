"""Every dialect by name (`DIALECTS`), each module imported when one of its dialects is first asked for.

The route table needs every dialect's routes at start, not their code. A
`Manifest` of each dialect's name, module, routes and listing paths is built
once by importing every module under `mockllm.dialects`, kept in the disk
cache under mockllm's code stamp (`mockllm.core.disk_cache`), and read from
there on later starts, so a server imports only the dialects its clients use.

The order is the modules' (`dialect_modules()`), then each module's order of
registration: where two dialects declare one route, the first serves it.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from mockllm.core import disk_cache
from mockllm.dialects.apps.base import AppFraming
from mockllm.dialects.base import REGISTERED, Dialect, EventSocketDialect

#: Imported first: the modules whose dialects others extend (their routes come first in the route table).
_FIRST = ("openai", "openai_completions", "openai_embeddings")
#: Manifests kept in the disk cache (one per version of mockllm's code).
KEEP = 4


@dataclass(frozen=True)
class Entry:
    """What the route table needs of a dialect before its module is imported."""

    name: str
    module: str
    routes: tuple[str, ...]
    listings: tuple[str, ...]
    provider: str | None
    socket: bool
    #: An app framing: served under `/{name}/…` too.
    framing: bool


Manifest = tuple[Entry, ...]


def dialect_modules() -> list[str]:
    """Every module under `mockllm.dialects` (shared ones too: they register nothing), in order: `_FIRST`, then by depth and name."""
    package = importlib.import_module("mockllm.dialects")
    names = [info.name for info in pkgutil.walk_packages(package.__path__, "mockllm.dialects.") if not info.ispkg]
    first = [f"mockllm.dialects.{name}" for name in _FIRST]
    return [*first, *sorted(set(names) - set(first), key=lambda name: (name.count("."), name))]


def build_manifest() -> Manifest:
    """Import every dialect module and describe what each registered."""
    modules = dialect_modules()
    for module in modules:
        importlib.import_module(module)
    return tuple(_entry(dialect) for module in modules for dialect in REGISTERED.values() if type(dialect).__module__ == module)


def _entry(dialect: Dialect) -> Entry:
    return Entry(
        dialect.name,
        type(dialect).__module__,
        tuple(dialect.routes),
        tuple(dialect.listings()),
        dialect.provider,
        isinstance(dialect, EventSocketDialect),
        isinstance(dialect, AppFraming),
    )


@functools.cache
def manifest() -> Manifest:
    """The manifest of this version of mockllm's code: from the disk cache, else built (and stored)."""
    stored = disk_cache.read("dialects", disk_cache.code_stamp())
    if isinstance(stored, tuple) and all(isinstance(entry, Entry) for entry in stored):
        return stored
    built = build_manifest()
    disk_cache.write("dialects", disk_cache.code_stamp(), built, KEEP)
    return built


class Registry(Mapping[str, Dialect]):
    """The dialects by name, in the manifest's order; looking one up imports its module."""

    def entries(self) -> Manifest:
        """What the route table needs of every dialect, no module imported."""
        return manifest()

    def entry(self, name: str) -> Entry | None:
        """The manifest's entry for `name`, or None."""
        return next((entry for entry in manifest() if entry.name == name), None)

    def __getitem__(self, name: str) -> Dialect:
        if name not in REGISTERED:
            entry = self.entry(name)
            if entry is None:
                raise KeyError(name)
            importlib.import_module(entry.module)
        return REGISTERED[name]

    def __iter__(self) -> Iterator[str]:
        listed = [entry.name for entry in manifest()]
        yield from listed
        yield from (name for name in list(REGISTERED) if name not in listed)  # registered outside the package (tests)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __contains__(self, name: object) -> bool:
        return name in REGISTERED or (isinstance(name, str) and self.entry(name) is not None)


DIALECTS = Registry()


def routing_dialect(path: str, headers: Mapping[str, str], query: Mapping[str, str]) -> Dialect | None:
    """The dialect whose error shape a request no route answers gets: the one whose API holds `path` most closely."""
    scope, dialect = max(((d.error_scope(path, headers, query), d) for d in DIALECTS.values()), key=lambda pair: pair[0])
    return dialect if scope else None
