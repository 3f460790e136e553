"""Demo overrides: "the next N requests (on route X / from session Y / anywhere) get scenario Z".

A presenter switches what an unmodified app gets without touching YAML.
An override is either counted (`count` requests, then it is gone) or sticky
(the "active scenario", until removed). Selection asks the overrides first:

- a request that names its scenario itself (header `X-Mock-Scenario`, query
  `?scenario=`/`?mock_scenario=`, body field `mock_scenario`) is left alone and
  uses up nothing;
- otherwise the oldest counted override whose route and session fit wins,
  then the sticky one that fits (the narrowest: route and session, route,
  session, everywhere);
- what it names beats everything else: a `model` equal to a scenario name,
  `match` rules, the scenario a routes map binds to the path, the default.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import asdict, dataclass
from typing import Any, Callable, Mapping

from pydantic import Field, ValidationError, model_validator

from mockllm.core.request import ChatRequest
from mockllm.scenarios.strict_model import Strict
from mockllm.server.selection import HEADER, QUERY_KEYS

#: How many overrides may be active at once (a demo needs a handful; this keeps a runaway script bounded).
MAX_OVERRIDES = 100


class OverrideRequest(Strict):
    """The body of `POST /_mock/overrides`."""

    scenario: str = Field(min_length=1)
    count: int | None = Field(None, ge=1, le=1_000_000, description="requests it applies to (default 1)")
    sticky: bool = Field(False, description="applies until removed (the active scenario)")
    route: str | None = Field(None, pattern=r"^/", description="only requests to this exact path")
    session: str | None = Field(None, min_length=1, description="only requests of this session")

    @model_validator(mode="after")
    def _count_or_sticky(self) -> OverrideRequest:
        if self.sticky and self.count is not None:
            raise ValueError("an override is sticky or has a count, not both")
        return self


@dataclass
class Override:
    """One active override; `left` is None for a sticky one."""

    id: int
    scenario: str
    left: int | None
    route: str | None
    session: str | None
    created: float
    used: int = 0

    def fits(self, path: str, session: str | None) -> bool:
        """Whether a request to `path` of `session` is one this override is meant for."""
        return (self.route is None or self.route == path) and (self.session is None or self.session == session)

    def json(self) -> dict[str, Any]:
        """The override as the admin API shows it."""
        return {**asdict(self), "sticky": self.left is None}


class DemoOverrides:
    """The active overrides, oldest first."""

    def __init__(self) -> None:
        self._overrides: list[Override] = []
        self._ids = itertools.count(1)

    def add(self, asked: OverrideRequest) -> Override:
        """Add an override; a sticky one replaces the sticky one of the same route and session.

        Raise ValueError when `MAX_OVERRIDES` are active already.
        """
        if asked.sticky:
            self._overrides = [o for o in self._overrides if not (o.left is None and (o.route, o.session) == (asked.route, asked.session))]
        if len(self._overrides) >= MAX_OVERRIDES:
            raise ValueError(f"{MAX_OVERRIDES} overrides are active already; remove some (DELETE /_mock/overrides)")
        override = Override(
            next(self._ids), asked.scenario, None if asked.sticky else asked.count or 1, asked.route, asked.session, time.time()
        )
        self._overrides.append(override)
        return override

    def take(self, path: str, session: str | None, known: set[str]) -> Override | None:
        """The override for a request to `path` of `session`, counting it (a used-up one is removed).

        Only overrides of scenarios in `known` count: one whose scenario is gone (a reload, a removed posted
        scenario) is skipped until it is back.
        """
        fitting = [o for o in self._overrides if o.scenario in known and o.fits(path, session)]
        counted = [o for o in fitting if o.left is not None]
        sticky = sorted((o for o in fitting if o.left is None), key=lambda o: (o.route is None, o.session is None))
        if not (counted or sticky):
            return None
        chosen = (counted or sticky)[0]
        chosen.used += 1
        if chosen.left is not None:
            chosen.left -= 1
            if chosen.left == 0:
                self._overrides.remove(chosen)
        return chosen

    def remove(self, override_id: int) -> bool:
        """Remove one override; False when there is none with that id."""
        before = len(self._overrides)
        self._overrides = [o for o in self._overrides if o.id != override_id]
        return len(self._overrides) < before

    def clear(self) -> int:
        """Remove every override; return how many there were."""
        count = len(self._overrides)
        self._overrides.clear()
        return count

    def entries(self) -> list[dict[str, Any]]:
        """Every active override, oldest first."""
        return [o.json() for o in self._overrides]

    def __len__(self) -> int:
        return len(self._overrides)


def names_own_scenario(chat: ChatRequest, headers: Mapping[str, str], query: Mapping[str, str]) -> bool:
    """Whether the request names its scenario itself (header, query or body), which overrides never replace."""
    body_name = chat.body.get("mock_scenario") if isinstance(chat.body, Mapping) else None
    return bool(headers.get(HEADER) or any(query.get(key) for key in QUERY_KEYS) or body_name)


def read_override_request(body: Any, known: Callable[[str | None], list[str]]) -> OverrideRequest:
    """Validate a `POST /_mock/overrides` body; raise ValueError with a message a person can act on.

    `known(session)` lists the scenarios a request of that session sees (posted ones included).
    """
    if not isinstance(body, dict):
        raise ValueError('send a JSON object such as {"scenario": "login-required", "count": 1}')
    try:
        asked = OverrideRequest.model_validate(body)
    except ValidationError as exc:
        item = exc.errors(include_url=False)[0]
        where = ".".join(str(part) for part in item["loc"])
        message = str(item["msg"]).removeprefix("Value error, ")
        raise ValueError(f"{where + ': ' if where else ''}{message}") from None
    names = known(asked.session)
    if asked.scenario not in names:
        raise ValueError(f"unknown scenario {asked.scenario!r}; known: {', '.join(names)}")
    return asked
