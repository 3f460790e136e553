"""Business-code coverage: every error the loaded scenarios can send, and which of them a session's requests delivered, and how.

An error is known by its business code when it has one (`101`, `-1`,
`rate_limit_exceeded`), else by its type, else by its HTTP status; a WebSocket
close fault by its close code. A journal entry tells how each of its errors
went out: `in_band` (an error frame in a 200 stream, or a WebSocket message),
`http_status` (an HTTP error response), `websocket_close` (a close frame).
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator

from mockllm.scenarios.catalog import Catalog
from mockllm.scenarios.faults.connection import CloseFault
from mockllm.scenarios.presets import NO_PRESET, find_preset
from mockllm.scenarios.scenario import Scenario
from mockllm.scenarios.steps import ErrorStep, Step

HOWS = ("in_band", "http_status", "websocket_close")


def error_key(code: Any, type_: str | None, status: int | None) -> str:
    """How an error is known: `code 101`, `type server_error`, `status 500`."""
    if code is not None:
        return f"code {code}"
    if type_:
        return f"type {type_}"
    return f"status {status}"


def close_key(code: int) -> str:
    return f"close {code}"


def deliverable(catalog: Catalog) -> list[dict[str, Any]]:
    """Every error and close code the catalog's scenarios can send, once each, with the scenarios that send it."""
    found: dict[str, dict[str, Any]] = {}
    for scenario in catalog.scenarios.values():
        for item in _sendable(scenario):
            known = found.setdefault(item["key"], {**item, "scenarios": []})
            if scenario.name not in known["scenarios"]:
                known["scenarios"].append(scenario.name)
    return sorted(found.values(), key=lambda item: item["key"])


def _sendable(scenario: Scenario) -> Iterator[dict[str, Any]]:
    for step in _steps(scenario):
        if step.error is not None:
            yield _error_item(step.error)
        if isinstance(step.disconnect, CloseFault) and step.disconnect.code is not None:
            yield _close_item(step.disconnect)
    for fault in scenario.faults:
        if isinstance(fault, CloseFault) and fault.code is not None:
            yield _close_item(fault)


def _steps(scenario: Scenario) -> Iterable[Step]:
    yield from scenario.steps
    for attempt in scenario.attempts or ():
        yield from attempt.steps or ()


def _error_item(step: ErrorStep) -> dict[str, Any]:
    base = find_preset(step.preset) if step.preset else NO_PRESET
    code = base.code if step.code is None else step.code
    kind = step.type or base.type
    status = step.status or base.status
    message = base.message if step.message is None else step.message
    return {"key": error_key(code, kind, status), "kind": "error", "code": code, "type": kind, "status": status, "message": message}


def _close_item(fault: CloseFault) -> dict[str, Any]:
    return {"key": close_key(fault.code or 0), "kind": "close", "code": fault.code, "type": None, "status": None, "message": fault.reason}


def delivered(entries: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per error key: how many times the entries delivered it, by how, and the entry ids."""
    seen: dict[str, dict[str, Any]] = {}
    for entry in entries:
        for key, how in _deliveries(entry):
            tally = seen.setdefault(key, {"count": 0, **{h: 0 for h in HOWS}, "entries": []})
            tally["count"] += 1
            tally[how] += 1
            tally["entries"].append(entry["id"])
    return seen


def _deliveries(entry: dict[str, Any]) -> Iterator[tuple[str, str]]:
    status = entry.get("status")
    for error in entry.get("errors") or ():
        how = "http_status" if status is not None and status >= 400 else "in_band"
        yield error_key(error.get("code"), error.get("type"), error.get("status")), how
    close = entry.get("close")
    if close:
        yield close_key(close["code"]), "websocket_close"


def coverage(catalog: Catalog, entries: Iterable[dict[str, Any]], session: str | None) -> dict[str, Any]:
    """What the catalog can send, each with what `entries` (one session's) delivered of it; and what they delivered besides."""
    tallies = delivered(entries)
    codes = []
    for item in deliverable(catalog):
        tally = tallies.pop(item["key"], None)
        codes.append({**item, "delivered": tally or {"count": 0, **{h: 0 for h in HOWS}, "entries": []}})
    covered = sum(1 for c in codes if c["delivered"]["count"])
    return {"session": session, "total": len(codes), "covered": covered, "codes": codes, "others": [{"key": k, "delivered": v} for k, v in sorted(tallies.items())]}
