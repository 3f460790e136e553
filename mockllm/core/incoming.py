"""The parts of an HTTP request a dialect reads, free of the web framework."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping


@dataclass(frozen=True)
class Incoming:
    """The parts of an HTTP request a dialect reads."""

    method: str
    path: str
    query: Mapping[str, str]
    headers: Mapping[str, str]
    body: bytes
    json: Any = None
    json_error: str | None = None
    match_info: Mapping[str, str] = field(default_factory=dict)
    session: str | None = None  # the session it belongs to (path prefix, header or query), as the server read it
