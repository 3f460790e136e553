"""The app framing that serves a path: built in, or declared in the folder (laid over the one it extends)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mockllm.dialects.apps.base import AppFraming
from mockllm.dialects.apps.template import TemplateFramer
from mockllm.dialects.registry import DIALECTS
from mockllm.scenarios.framings import Framing
from mockllm.scenarios.routes_map import custom_framings

if TYPE_CHECKING:
    from mockllm.scenarios.catalog import Catalog


def app_framing(catalog: Catalog, name: str) -> AppFraming | None:
    """The framing called `name`: built-in, or declared in the folder (resolving `extends`)."""
    builtin = builtin_framing(name)
    if builtin is not None:
        return builtin
    declared = custom_framings(catalog).get(name)
    return TemplateFramer(resolve_framing(declared)) if declared else None


def builtin_framing(name: str) -> AppFraming | None:
    """The built-in framing called `name` (its module imported on first use), or None."""
    entry = DIALECTS.entry(name)
    framing = DIALECTS[name] if entry is not None and entry.framing else None
    return framing if isinstance(framing, AppFraming) else None


def builtin_framing_names() -> list[str]:
    """The built-in framings' names, sorted, no module imported."""
    return sorted(entry.name for entry in DIALECTS.entries() if entry.framing)


def resolve_framing(declared: Framing) -> Framing:
    """A declared framing laid over the built-in one it extends (itself when it extends none)."""
    base = builtin_framing(declared.extends or "")
    if not isinstance(base, TemplateFramer):
        return declared
    return base.spec.model_copy(update=declared.own_settings())
