"""Explain without a server which scenario a request would get and why: `mockllm why`.

The request is read as its route's dialect reads it (a provider route
declared by a dialect, else an app route of the scenarios folder), then
chosen as the server chooses (`mockllm.server.selection.choose`), without
demo overrides or attempts, which depend on what a running server has seen.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Sequence
from urllib.parse import parse_qsl

from multidict import CIMultiDict, CIMultiDictProxy, MultiDict, MultiDictProxy

from mockllm.core.errors import RequestError
from mockllm.core.incoming import Incoming
from mockllm.core.strict_json import parse_json
from mockllm.dialects import DIALECTS
from mockllm.dialects.base import Dialect
from mockllm.scenarios.catalog import Catalog
from mockllm.scenarios.loading import check_default, load_catalog
from mockllm.server.calls import parse_request
from mockllm.server.framing_routes import framing_for
from mockllm.server.selection import Selection, choose

_PARAMETER = re.compile(r"\{(\w+)(?::([^{}]+))?\}")


class NoRoute(LookupError):
    """No route serves the method and path."""


@dataclass(frozen=True)
class Explained:
    """A request's route (its dialect) and the selection its scenario comes from."""

    method: str
    path: str
    dialect: str
    selection: Selection

    def json(self) -> dict[str, Any]:
        """The trace as the journal keeps it, with the route."""
        return {"method": self.method, "path": self.path, "dialect": self.dialect, "why": self.selection.trace()}

    def text(self) -> str:
        """The trace for a person: the route, the scenario, the reason and one line per scenario tried."""
        selection = self.selection
        lines = [f"{self.method} {self.path} → {self.dialect}", f"scenario: {selection.scenario.name}", f"why: {selection.reason}"]
        if selection.tried:
            lines.append("tried (file order, first match wins):")
            width = max(len(t.scenario) for t in selection.tried)
            for tried in selection.tried:
                rules = ", ".join(tried.rules)
                if tried.failed is None:
                    lines.append(f"  {tried.scenario:<{width}}  matched  ({rules})")
                else:
                    wanted, seen = (json.dumps(v, ensure_ascii=False) for v in (tried.wanted, tried.seen))
                    lines.append(f"  {tried.scenario:<{width}}  {tried.failed} failed: wanted {wanted}, saw {seen}")
        return "\n".join(lines)


def explain(catalog: Catalog, method: str, path: str, body: bytes, headers: Mapping[str, str], default: str) -> Explained:
    """Read the request as its route would and choose its scenario; raise NoRoute, or RequestError for a request the dialect refuses."""
    path, _, query_text = path.partition("?")
    query = MultiDictProxy(MultiDict(parse_qsl(query_text, keep_blank_values=True)))
    dialect, match_info = route_of(catalog, method.upper(), path)
    parsed, error = parse_json(body) if body else (None, "the body is empty")
    incoming = Incoming(method.upper(), path, query, CIMultiDictProxy(CIMultiDict(headers)), body, parsed, error, match_info)
    chat = parse_request(dialect, incoming)
    return Explained(method.upper(), path, dialect.name, choose(catalog, chat, headers=incoming.headers, query=query, path=path, default=default))


def route_of(catalog: Catalog, method: str, path: str) -> tuple[Dialect, dict[str, str]]:
    """The dialect serving `method path` and the path's parameters: a dialect's own route, else the folder's app route."""
    for dialect in DIALECTS.values():
        for route in dialect.routes:
            route_method, pattern = route.split(" ", 1)
            found = _route_regex(pattern).fullmatch(path)
            if found and route_method in (method, "*"):
                return dialect, found.groupdict()
    framing, methods = framing_for(catalog, path)
    if framing is None or method not in methods:
        raise NoRoute(f"No route serves {method} {path} (GET /_mock/routes on a running server lists them).")
    return framing, {}


@lru_cache(maxsize=256)
def _route_regex(pattern: str) -> re.Pattern[str]:
    """An aiohttp route pattern (`/v1beta/models/{model}:streamGenerateContent`) as a regex with named groups."""
    parts, at = [], 0
    for found in _PARAMETER.finditer(pattern):
        parts.append(re.escape(pattern[at : found.start()]))
        parts.append(f"(?P<{found.group(1)}>{found.group(2) or '[^{}/]+'})")
        at = found.end()
    parts.append(re.escape(pattern[at:]))
    return re.compile("".join(parts))


def why_command(scenarios: Path, default: str, method: str, path: str, body: str, headers: Sequence[str], as_json: bool) -> int:
    """`mockllm why`: print the trace (or the JSON the journal keeps); exit 1 for a request its dialect refuses, 2 for bad input."""
    try:
        pairs = [_header(text) for text in headers]
        data = Path(body[1:]).read_bytes() if body.startswith("@") else body.encode()
    except (ValueError, OSError) as exc:
        print(f"mockllm why: {exc}", file=sys.stderr)
        return 2
    catalog = load_catalog(scenarios)
    check_default(catalog, default)
    try:
        explained = explain(catalog, method, path, data, dict(pairs), default)
    except NoRoute as exc:
        print(f"mockllm why: {exc}", file=sys.stderr)
        return 2
    except RequestError as exc:
        print(f"mockllm why: the {method.upper()} {path} route refuses this request ({exc.error.status}): {exc.error.message}", file=sys.stderr)
        return 1
    print(json.dumps(explained.json(), ensure_ascii=False, indent=2) if as_json else explained.text())
    return 0


def _header(text: str) -> tuple[str, str]:
    name, colon, value = text.partition(":")
    if not colon or not name.strip():
        raise ValueError(f"--header {text!r}: write it as Name:value")
    return name.strip(), value.strip()
