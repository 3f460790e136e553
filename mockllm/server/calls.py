"""Turn a request into a `Call`: parse it, pick its scenario (demo override, selection, attempts), apply its overrides."""

from __future__ import annotations

import logging
from typing import Mapping

from mockllm.core.errors import bad_request
from mockllm.core.incoming import Incoming
from mockllm.core.redact import safe_text
from mockllm.core.request import ChatRequest
from mockllm.dialects.base import Dialect
from mockllm.scenarios.catalog import Catalog
from mockllm.server.demo import DemoOverrides, names_own_scenario
from mockllm.server.request_overrides import Overrides, new_seed, read_overrides
from mockllm.server.selection import Selection, choose
from mockllm.server.state import ServerState
from mockllm.server.wire_overrides import request_wire
from mockllm.server.worker_processes import attempts_refusal
from mockllm.stream.attempts import take_attempt
from mockllm.stream.call import Call

log = logging.getLogger("mockllm")


class FallThrough(Exception):
    """A request that names and matches no scenario, for an upstream to answer (see `mockllm.server.upstream`)."""

    def __init__(self, chat: ChatRequest, why: Selection | None = None) -> None:
        super().__init__("no scenario names or matches this request")
        self.chat = chat
        self.why = why


def make_call(incoming: Incoming, dialect: Dialect, state: ServerState, fall_through: bool = False) -> tuple[Call, Selection]:
    """The Call answering a request and how its scenario was chosen (override, rules, attempt); FallThrough instead of the default if asked."""
    chat = parse_request(dialect, incoming)
    headers, query, path = incoming.headers, incoming.query, incoming.path
    overrides: Overrides = read_overrides(headers, query)
    config = state.config
    session = incoming.session
    catalog = state.view(session)
    selection = _demo_override(chat, catalog, state.demo, path, session, headers, query)
    posted = state.runtime.layers(session)
    selection = selection or choose(catalog, chat, headers=headers, query=query, path=path, default=config.default, posted=posted)
    if selection.fallback and fall_through:
        raise FallThrough(chat, selection)
    if selection.scenario.attempts and config.workers > 1:
        raise bad_request(attempts_refusal(config.workers, selection.scenario.name))
    scenario, attempt = take_attempt(state.sessions, catalog.scenarios, selection.scenario, session, path, chat)
    if attempt is not None:
        selection = selection.with_attempt(scenario, attempt.number, attempt.session)
    seed = overrides.seed if overrides.seed is not None else config.seed
    stream_config = scenario.stream
    if overrides.delay_ms is not None:
        stream_config = stream_config.model_copy(update={"delay_ms": overrides.delay_ms})
    return Call(
        chat=chat,
        scenario=scenario,
        seed=seed if seed is not None else new_seed(),
        seeded=seed is not None,
        speed=overrides.speed if overrides.speed is not None else config.speed,
        stream_config=stream_config,
        wire=request_wire(scenario.wire, headers, query),
        attempt=attempt,
        last_event_id=last_event_id(headers),
    ), selection


def _demo_override(
    chat: ChatRequest, catalog: Catalog, demo: DemoOverrides, path: str, session: str | None, headers: Mapping[str, str], query: Mapping[str, str]
) -> Selection | None:
    """The selection a demo override meant for this request makes (see `mockllm.server.demo` for the precedence)."""
    if not len(demo) or names_own_scenario(chat, headers, query):
        return None
    override = demo.take(path, session, set(catalog.scenarios))
    if override is None:
        return None
    return Selection(catalog.scenarios[override.scenario], "override", f"demo override #{override.id} names {override.scenario}", override=override.id)


#: What a dialect's parser raises on input it failed to check (a bug to fix there, but the client's input is at fault).
PARSER_SLIPS = (TypeError, ValueError, AttributeError, KeyError, IndexError, OverflowError, RecursionError, UnicodeError)


def parse_request(dialect: Dialect, incoming: Incoming) -> ChatRequest:
    """`dialect.parse`, with input its parser did not foresee answered as a 400 (and one log line) instead of a 500."""
    try:
        return dialect.parse(incoming)
    except PARSER_SLIPS as exc:
        reason = f"{type(exc).__name__}: {safe_text(str(exc))[:200]}"
        log.warning("%s parser could not read %s %s: %s", dialect.name, incoming.method, safe_text(incoming.path), reason)
        raise bad_request(f"This request could not be read as a {dialect.name} request ({reason}).") from None


def last_event_id(headers: Mapping[str, str]) -> int | None:
    """The `Last-Event-ID` a reconnecting EventSource sends (a number; anything else starts over)."""
    value = headers.get("Last-Event-ID", "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None
