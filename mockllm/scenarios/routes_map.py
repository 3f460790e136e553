"""App routes: the `kind: routes` map of exact paths, and which app framing serves a path.

A request is served in an app framing when its path is in a routes map (so an
app keeps its own URL), or when it starts with a framing's name:
`/{framing}/{any/path}`. Framings are the built-in ones plus the folder's
`kind: framing` documents.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import AfterValidator, Field, field_validator

from mockllm.scenarios.framings import BUILTIN_FRAMINGS, EXTENDABLE_FRAMINGS, Framing
from mockllm.scenarios.strict_model import NAME_PATTERN, Strict

if TYPE_CHECKING:
    from mockllm.scenarios.catalog import Catalog

Method = Literal["GET", "POST"]


def _absolute(path: str) -> str:
    if not path.startswith("/"):
        raise ValueError(f"a route path starts with '/'; got {path!r}")
    return path


class Route(Strict):
    """Where one exact path goes: a framing, and optionally a scenario."""

    framing: str = Field(pattern=NAME_PATTERN)
    scenario: str | None = Field(None, description="served unless the request names one (header, query, body)")
    methods: list[Method] = Field(["GET", "POST"], min_length=1)
    transport: Literal["http", "websocket"] = Field("http", description="websocket: the path upgrades to a socket (see mockllm.server.websocket)")


class RouteMap(Strict):
    """A `kind: routes` document: exact paths bound to framings."""

    schema_version: Literal[1] = Field(1, alias="schema")
    kind: Literal["routes"]
    routes: dict[Annotated[str, AfterValidator(_absolute)], Route] = Field(min_length=1)

    @field_validator("routes", mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        """`/chat: miniprogram` is short for `/chat: {framing: miniprogram}`."""
        if isinstance(value, dict):
            return {path: {"framing": v} if isinstance(v, str) else v for path, v in value.items()}
        return value


def find_route(catalog: Catalog, path: str) -> Route | None:
    """The route the folder's routes maps bind to `path`, if any."""
    for routes in catalog.documents.get("routes", []):
        route = routes.routes.get(path) if isinstance(routes, RouteMap) else None
        if route is not None:
            return route
    return None


def custom_framings(catalog: Catalog) -> dict[str, Framing]:
    """The folder's `kind: framing` documents, by name."""
    return {f.name: f for f in catalog.documents.get("framing", []) if isinstance(f, Framing)}


def framing_names(catalog: Catalog) -> list[str]:
    """Every framing name a route may use, sorted."""
    return sorted({*BUILTIN_FRAMINGS, *custom_framings(catalog)})


def extendable() -> list[str]:
    """The built-in framings a declared one may extend (the template-driven ones)."""
    return sorted(EXTENDABLE_FRAMINGS)


