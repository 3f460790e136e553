"""Per-request wire options: header `X-Mock-Wire` or query `?mock_wire=`, over the scenario's `wire:` block."""

from __future__ import annotations

from typing import Any, Mapping

from pydantic import ValidationError

from mockllm.core.errors import bad_request
from mockllm.scenarios.wire import WireConfig

HEADER = "X-Mock-Wire"
QUERY_KEY = "mock_wire"
_SOURCE = f"{HEADER} (or ?{QUERY_KEY}=)"
_NONE = ("none", "null")
_ESCAPES = {"\\n": "\n", "\\r": "\r", "\\t": "\t"}


def request_wire(base: WireConfig, headers: Mapping[str, str], query: Mapping[str, str]) -> WireConfig:
    """The wire options for one request: `base` changed by its `key=value,...` list; raise RequestError (400) when bad."""
    raw = headers.get(HEADER) or query.get(QUERY_KEY)
    if not raw or not raw.strip():
        return base
    changes = parse_options(raw)
    try:
        return WireConfig.model_validate({**base.model_dump(), **changes})
    except ValidationError as exc:
        raise bad_request(f"{_SOURCE}: {_describe(exc, changes)}", HEADER) from None


def parse_options(raw: str) -> dict[str, Any]:
    """Read `split_utf8=every, frames_per_write=3` as a dict; `none` clears an option; `\\n`, `\\r`, `\\t` are escapes."""
    options: dict[str, Any] = {}
    for part in raw.split(","):
        key, sep, value = (s.strip() for s in part.partition("="))
        if not part.strip():
            continue
        if not sep or not key:
            raise bad_request(f"{_SOURCE}: expected key=value pairs separated by commas; got {part.strip()!r}.", HEADER)
        options[key] = None if value.lower() in _NONE else _unescape(value)
    return options


def _unescape(value: str) -> str:
    for escape, char in _ESCAPES.items():
        value = value.replace(escape, char)
    return value


def _describe(error: ValidationError, changes: Mapping[str, Any]) -> str:
    item = error.errors(include_url=False)[0]
    key = item["loc"][0] if item["loc"] else ""
    message = str(item["msg"])
    if item["type"] == "unknown_key":
        return message + "."
    return f"{key}: {message[:1].lower() + message[1:]}; got {changes.get(str(key))!r}."
