"""Count attempts per session, and pick what a scenario with `attempts:` plays at each.

The session is the request's (`X-Mock-Session`, `?mock_session=` or a `/s/{session}/` path), else a hash of the
route, model and messages, so an SDK's automatic retries of one call (same body) advance the same counter while a
new question starts its own.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mockllm.scenarios.attempts import outcome_index

if TYPE_CHECKING:
    from mockllm.core.request import ChatRequest
    from mockllm.scenarios.scenario import Scenario


def session_key(session: str | None, path: str, chat: ChatRequest) -> str:
    """The request's session, else `auto-` + a hash of the route, the model and the messages."""
    if session:
        return session
    conversation = json.dumps([path, chat.model, chat.messages], ensure_ascii=False)
    return "auto-" + hashlib.sha256(conversation.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Attempt:
    """Which attempt of which session a request is."""

    session: str
    number: int


@dataclass
class _Counter:
    attempts: int = 0
    last_seen: float = 0.0


class Sessions:
    """Attempt counters per (session, scenario); bounded, the least recently used dropped first.

    Counting is synchronous, so concurrent requests never share a number.
    """

    def __init__(self, size: int = 10_000) -> None:
        self._size = size
        self._counters: OrderedDict[tuple[str, str], _Counter] = OrderedDict()

    def next_attempt(self, session: str, scenario: str) -> int:
        """Count one more attempt of `session` at `scenario` and return its number (from 1)."""
        key = (session, scenario)
        counter = self._counters.pop(key, None) or _Counter()
        counter.attempts += 1
        counter.last_seen = time.time()
        self._counters[key] = counter
        while len(self._counters) > self._size:
            self._counters.popitem(last=False)
        return counter.attempts

    def entries(self, session: str | None = None) -> list[dict[str, Any]]:
        """The counters, least recently used first; only one session's when given."""
        return [
            {"session": key, "scenario": scenario, "attempts": c.attempts, "last_seen": c.last_seen}
            for (key, scenario), c in self._counters.items()
            if session is None or key == session
        ]

    def reset(self, session: str | None = None) -> int:
        """Forget every counter, or one session's; return how many were forgotten."""
        doomed = [key for key in self._counters if session is None or key[0] == session]
        for key in doomed:
            del self._counters[key]
        return len(doomed)

    def __len__(self) -> int:
        return len(self._counters)


def take_attempt(
    sessions: Sessions, scenarios: Mapping[str, Scenario], scenario: Scenario, session: str | None, path: str, chat: ChatRequest
) -> tuple[Scenario, Attempt | None]:
    """Count this request against its session when `scenario` has attempts; return what to play and the attempt."""
    if not scenario.attempts:
        return scenario, None
    key = session_key(session, path, chat)
    attempt = Attempt(key, sessions.next_attempt(key, scenario.name))
    return for_attempt(scenario, attempt.number, scenarios), attempt


def for_attempt(scenario: Scenario, attempt: int, scenarios: Mapping[str, Scenario]) -> Scenario:
    """What `scenario` plays at `attempt`: its outcome's steps, or the named scenario as it is, under its own name."""
    if not scenario.attempts:
        return scenario
    outcome = scenario.attempts[outcome_index(attempt, len(scenario.attempts), scenario.after_attempts)]
    if outcome.scenario is not None:
        target = scenarios.get(outcome.scenario)
        if target is None:  # a posted scenario removed since, or a reload that dropped it
            from mockllm.core.errors import bad_request

            raise bad_request(f"Scenario {scenario.name!r} plays {outcome.scenario!r} at attempt {attempt}, which is gone.", status=404, code="scenario_not_found")
        return target.model_copy(update={"name": scenario.name})
    return scenario.model_copy(update={"steps": outcome.steps, "attempts": None})
