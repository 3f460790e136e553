"""The app framing that serves a path: built in, or declared in the folder (laid over the one it extends)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mockllm.dialects.apps.base import APP_FRAMINGS, AppFraming
from mockllm.dialects.apps.template import TemplateFramer
from mockllm.scenarios.framings import Framing
from mockllm.scenarios.routes_map import custom_framings

if TYPE_CHECKING:
    from mockllm.scenarios.catalog import Catalog


def app_framing(catalog: Catalog, name: str) -> AppFraming | None:
    """The framing called `name`: built-in, or declared in the folder (resolving `extends`)."""
    if name in APP_FRAMINGS:
        return APP_FRAMINGS[name]  # type: ignore[return-value]
    declared = custom_framings(catalog).get(name)
    return TemplateFramer(resolve_framing(declared)) if declared else None


def resolve_framing(declared: Framing) -> Framing:
    """A declared framing laid over the built-in one it extends (itself when it extends none)."""
    base = APP_FRAMINGS.get(declared.extends or "")
    if not isinstance(base, TemplateFramer):
        return declared
    return base.spec.model_copy(update=declared.own_settings())
