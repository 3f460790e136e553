"""Wire formats, one module each, registered by name in `DIALECTS` as each module is imported.

Importing this package imports every module in it and in `apps/`, so a new
dialect is a new module here and nothing else (docs/adding-a-dialect.md).
"""

from __future__ import annotations

import importlib
import pkgutil

from mockllm.dialects.base import DIALECTS, Dialect

#: Imported first: the modules whose dialects others extend (their routes come first in the route table).
_FIRST = ("openai", "openai_completions", "openai_embeddings")


def _import_all() -> None:
    """Import every dialect module: `_FIRST`, then the others by name, then the subpackages' (the app framings)."""
    names = [info.name for info in pkgutil.walk_packages(__path__, f"{__name__}.") if not info.ispkg]
    first = [f"{__name__}.{name}" for name in _FIRST]
    rest = sorted(set(names) - set(first), key=lambda name: (name.count("."), name))
    for name in [*first, *rest]:
        importlib.import_module(name)


_import_all()

__all__ = ["DIALECTS", "Dialect"]
