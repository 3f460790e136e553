"""Outcomes by attempt ("429, 429, then the answer"), counted per session.

A scenario's `attempts:` lists what attempt 1, 2, … of one session gets: its
own steps, or another scenario played as it is. After the last, `after_attempts`
says what follows: `repeat_last` (the default) or `cycle` (start over).

The session is the request's (`X-Mock-Session` header or `mock_session` query), else a hash of the route, model and
messages, so an SDK's automatic retries of one call (same body) advance the
same counter while a new question starts its own.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import OrderedDict
from dataclasses import dataclass
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, model_validator

from mockllm.scenarios.steps import Step
from mockllm.scenarios.strict_model import NAME_PATTERN, Strict

if TYPE_CHECKING:
    from mockllm.stream.call import ChatRequest
    from mockllm.scenarios.catalog import Catalog
    from mockllm.scenarios.scenario import Scenario
    from mockllm.scenarios.yaml_source import Document, Problem

SESSION_HEADER = "X-Mock-Session"
SESSION_QUERY = "mock_session"
AfterAttempts = Literal["repeat_last", "cycle"]


class AttemptOutcome(Strict):
    """What one attempt gets: a list of steps, or `{scenario: NAME}`."""

    steps: list[Step] | None = Field(None, min_length=1)
    scenario: str | None = Field(None, pattern=NAME_PATTERN, description="another scenario, played as it is")

    @model_validator(mode="before")
    @classmethod
    def _steps_alone(cls, data: Any) -> Any:
        return {"steps": data} if isinstance(data, list) else data

    @model_validator(mode="after")
    def _exactly_one(self) -> AttemptOutcome:
        if (self.steps is None) == (self.scenario is None):
            raise ValueError("an attempt is a list of steps or {scenario: NAME}")
        return self


def outcome_index(attempt: int, count: int, after: AfterAttempts) -> int:
    """The 0-based outcome of 1-based `attempt` among `count` outcomes."""
    if attempt <= count:
        return attempt - 1
    return count - 1 if after == "repeat_last" else (attempt - 1) % count


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
            from mockllm.dialects.base import bad_request

            raise bad_request(f"Scenario {scenario.name!r} plays {outcome.scenario!r} at attempt {attempt}, which is gone.", status=404, code="scenario_not_found")
        return target.model_copy(update={"name": scenario.name})
    return scenario.model_copy(update={"steps": outcome.steps, "attempts": None})


def check_attempt_references(catalog: Catalog, docs: list[Document]) -> list[Problem]:
    """Problems in `attempts: [{scenario: NAME}]`: an unknown scenario, or one that has attempts itself."""
    problems: list[Problem] = []
    for doc in docs:
        if doc.data.get("kind", "scenario") != "scenario":
            continue
        for i, outcome in enumerate(catalog.scenarios[doc.data["name"]].attempts or ()):
            message = _reference_problem(catalog, outcome.scenario)
            if message:
                problems.append(doc.problem(["attempts", i, "scenario"], message))
    return problems


def _reference_problem(catalog: Catalog, name: str | None) -> str | None:
    target = catalog.scenarios.get(name) if name else None
    if name and target is None:
        return f"unknown scenario {name!r}; known: {', '.join(catalog.names)}"
    if target is not None and target.attempts:
        return f"scenario {name!r} has attempts itself; name one with steps"
    return None
