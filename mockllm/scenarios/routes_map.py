"""App routes: the `kind: routes` map of exact paths, and which app framing serves a path.

A request is served in an app framing when its path is in a routes map (so an
app keeps its own URL), or when it starts with a framing's name:
`/{framing}/{any/path}`. Framings are the built-in ones plus the folder's
`kind: framing` documents.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import AfterValidator, Field, field_validator

from mockllm.dialects.apps.base import APP_FRAMINGS, AppFraming
from mockllm.dialects.apps.template import TemplateFramer
from mockllm.scenarios.framings import Framing
from mockllm.scenarios.strict_model import NAME_PATTERN, Strict
from mockllm.scenarios.yaml_source import Document, Problem

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
    return sorted({*APP_FRAMINGS, *custom_framings(catalog)})


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


def extendable() -> list[str]:
    """The built-in framings a declared one may extend (the template-driven ones)."""
    return sorted(name for name, framing in APP_FRAMINGS.items() if isinstance(framing, TemplateFramer))


def check_app_documents(catalog: Catalog, docs: list[Document]) -> list[Problem]:
    """Problems in references between documents: framing names, `extends`, routes' framings and scenarios."""
    problems: list[Problem] = []
    declared: dict[str, str] = {}
    for doc in (d for d in docs if d.data.get("kind") == "framing"):
        problems += _check_framing(doc, declared)
    known = sorted({*APP_FRAMINGS, *declared})
    routed: dict[str, str] = {}
    for doc in (d for d in docs if d.data.get("kind") == "routes"):
        for path, route in doc.data["routes"].items():
            problems += _check_route(catalog, doc, path, route, known, routed)
    return problems


def _check_framing(doc: Document, declared: dict[str, str]) -> list[Problem]:
    problems = []
    name, extends = doc.data["name"], doc.data.get("extends")
    if name in APP_FRAMINGS:
        problems.append(doc.problem(["name"], f"{name!r} is a built-in framing; pick another name (or use `extends: {name}`)"))
    elif name in declared:
        problems.append(doc.problem(["name"], f"framing {name!r} is already defined in {declared[name]}"))
    else:
        declared[name] = doc.file
    if extends is not None and extends not in extendable():
        problems.append(doc.problem(["extends"], f"cannot extend {extends!r}; valid: {', '.join(extendable())}"))
    return problems


def _check_route(catalog: Catalog, doc: Document, path: str, route: Any, known: list[str], routed: dict[str, str]) -> list[Problem]:
    problems = []
    framing = route if isinstance(route, str) else route["framing"]
    if framing not in known:
        where = ["routes", path] if isinstance(route, str) else ["routes", path, "framing"]
        problems.append(doc.problem(where, f"unknown framing {framing!r}; known: {', '.join(known)}"))
    scenario = None if isinstance(route, str) else route.get("scenario")
    if scenario is not None and scenario not in catalog.scenarios:
        problems.append(doc.problem(["routes", path, "scenario"], f"unknown scenario {scenario!r}; known: {', '.join(catalog.names)}"))
    if path in routed:
        problems.append(doc.problem(["routes", path], f"path {path!r} is already routed in {routed[path]}"))
    routed[path] = doc.file
    return problems
