"""Choose the scenario for a request, and say why.

First match wins: header `X-Mock-Scenario`, query `?scenario=` (or
`?mock_scenario=`), body field `mock_scenario`, a `model` equal to a scenario
name. A request that names none is answered by layers, nearest first: the
scenarios posted for its session, those posted for everyone, then the
folder's; in each, the first scenario (in order) whose `match` rules all hold,
else the one named like the default. So a session's posted `default` wins over
the folder's match rules for that session's requests.

An unknown name is a 404 with the closest name and, for a long list, where
to read the names instead of all of them (they would fill every log line).

`choose` returns a `Selection`: the scenario, a one-line reason (the
`X-Mock-Why` response header) and the trace the journal keeps — each scenario
with `match` rules that was tried, and the first rule that failed with the
value it saw.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Iterator, Mapping, Sequence

from mockllm.core.errors import RequestError
from mockllm.core.events import Error
from mockllm.core.request import ChatRequest
from mockllm.scenarios.catalog import Catalog
from mockllm.scenarios.scenario import Match, Scenario, ToolResultMatch
from mockllm.scenarios.strict_model import did_you_mean

HEADER = "X-Mock-Scenario"
WHY_HEADER = "X-Mock-Why"
#: `X-Mock-Why` of an answer the upstream gave (`--upstream`): nothing named or matched the request.
FORWARDED_WHY = "forwarded: no scenario names or matches it"
QUERY_KEYS = ("scenario", "mock_scenario")
#: An unknown name's error lists the known ones when there are at most this many, else points to where they are listed.
LISTED_NAMES = 10
#: A seen value longer than this is cut in the trace (the journal keeps the whole request body anyway).
SEEN_LIMIT = 120
#: `X-Mock-Why` is cut at this many characters.
WHY_LIMIT = 200


@dataclass(frozen=True)
class Tried:
    """One scenario whose `match` rules were tried: the first rule that failed and the value it saw (None: all held)."""

    scenario: str
    rules: tuple[str, ...]
    failed: str | None = None
    wanted: Any = None
    seen: Any = None

    def json(self) -> dict[str, Any]:
        """The journal's view: the rules, and what failed."""
        tried: dict[str, Any] = {"scenario": self.scenario, "rules": list(self.rules), "matched": self.failed is None}
        if self.failed is not None:
            tried.update(failed=self.failed, wanted=self.wanted, seen=self.seen)
        return tried


@dataclass(frozen=True)
class Selection:
    """The scenario chosen for a request, how (`by`), a one-line reason, the rules tried on the way, the demo override used."""

    scenario: Scenario
    by: str
    reason: str
    tried: tuple[Tried, ...] = ()
    override: int | None = None
    #: Nothing named or matched it and no posted default: the folder's default answers (or, with `--upstream`, the upstream).
    fallback: bool = False

    def trace(self) -> dict[str, Any]:
        """The journal's `why`: the reason, what chose the scenario and each scenario whose rules were tried."""
        return {"scenario": self.scenario.name, "by": self.by, "reason": self.reason, "tried": [t.json() for t in self.tried]}

    def with_attempt(self, scenario: Scenario, number: int, session: str) -> Selection:
        """This selection playing attempt `number` of its scenario in `session` (`scenario` is what that attempt plays)."""
        return replace(self, scenario=scenario, reason=f"{self.reason}; attempt {number} of session {session}")


def why_header(reason: str) -> str:
    """A reason as a header value: printable ASCII (other characters as `\\u` escapes), one line, at most WHY_LIMIT characters."""
    text = reason.encode("ascii", "backslashreplace").decode("ascii")
    text = "".join(char if " " <= char <= "~" else " " for char in text)
    return text if len(text) <= WHY_LIMIT else text[: WHY_LIMIT - 3] + "..."


def choose(
    catalog: Catalog,
    chat: ChatRequest,
    *,
    headers: Mapping[str, str],
    query: Mapping[str, str],
    path: str,
    default: str,
    posted: Sequence[Mapping[str, Scenario]] = (),
) -> Selection:
    """Choose the scenario for a request and say why; raise RequestError (404) for an unknown name.

    `posted`: the posted layers the request sees, nearest first (`RuntimeScenarios.layers`).
    """
    for source, name in _named(chat, headers, query):
        if name:
            return Selection(_known(catalog, name, source), source, f"{source} names {name}")
    if chat.model in catalog.scenarios:
        return Selection(catalog.scenarios[chat.model], "model", f"model names scenario {chat.model}")
    tried: list[Tried] = []
    for layer in (*posted, catalog.scenarios):
        for scenario in layer.values():
            if scenario.match:
                attempt = try_match(scenario, chat, path)
                tried.append(attempt)
                if attempt.failed is None:
                    return Selection(scenario, "match", f"match rule of {scenario.name}: {', '.join(attempt.rules)}", tuple(tried))
        if default in layer:
            return _by_default(layer[default], tried, layer is not catalog.scenarios)
    return _by_default(catalog.scenarios[default], tried, False)


def _by_default(scenario: Scenario, tried: list[Tried], posted: bool) -> Selection:
    where = " (a posted one)" if posted else ""
    return Selection(scenario, "default", f"default{where}: no rule matched", tuple(tried), fallback=not posted)


def _named(chat: ChatRequest, headers: Mapping[str, str], query: Mapping[str, str]) -> Iterator[tuple[str, str | None]]:
    yield f"header {HEADER}", headers.get(HEADER)
    for key in QUERY_KEYS:
        yield f"query ?{key}=", query.get(key)
    yield "body field mock_scenario", chat.scenario


def _known(catalog: Catalog, name: str, source: str) -> Scenario:
    scenario = catalog.scenarios.get(name)
    if scenario is None:
        message = f"Unknown scenario {name!r} (from {source}). {unknown_hint(name, catalog.names)}"
        raise RequestError(Error(message, status=404, type="invalid_request_error", code="scenario_not_found"))
    return scenario


def unknown_hint(name: str, known: Sequence[str]) -> str:
    """What to say after an unknown scenario name: the closest known one, and the names (a few) or where to list them."""
    close = did_you_mean(name, known)
    hint = close[:1].upper() + close[1:] if close else ""
    if len(known) <= LISTED_NAMES:
        return f"{hint}Known scenarios: {', '.join(known)}."
    return f"{hint}GET /_mock/scenarios lists the {len(known)} known scenarios."


def try_match(scenario: Scenario, chat: ChatRequest, path: str) -> Tried:
    """Try a scenario's `match` rules in order; the first that fails is named with the value it saw."""
    match = scenario.match
    assert match is not None
    rules = tuple(name for name in Match.model_fields if getattr(match, name) is not None)
    for name in rules:
        failure = _failure(name, match, chat, path)
        if failure is not None:
            wanted, seen = failure
            return Tried(scenario.name, rules, name, wanted, seen)
    return Tried(scenario.name, rules)


def _failure(rule: str, match: Match, chat: ChatRequest, path: str) -> tuple[Any, Any] | None:
    """(wanted, seen) when `rule` fails for this request, else None."""
    if rule in _TEXTS:
        pattern, value = getattr(match, rule), _TEXTS[rule](chat, path)
        return None if pattern.search(value) else (pattern.pattern, _cut(value))
    if rule == "turn":
        return None if chat.assistant_turns == match.turn else (match.turn, chat.assistant_turns)
    if rule == "has_tools":
        return None if bool(chat.tools) == match.has_tools else (match.has_tools, [tool.name for tool in chat.tools])
    if rule == "tool":
        return None if chat.tool(match.tool or "") is not None else (match.tool, [tool.name for tool in chat.tools])
    rule_value = match.tool_result
    assert rule_value is not None
    if _tool_result_holds(rule_value, chat):
        return None
    wanted = rule_value if isinstance(rule_value, bool) else _tool_result_json(rule_value)
    return wanted, [{"name": r.name, "content": _cut(r.content)} for r in chat.tool_results]


_TEXTS = {
    "message": lambda chat, path: chat.last_user_message,
    "model": lambda chat, path: chat.model or "",
    "path": lambda chat, path: path,
    "system": lambda chat, path: chat.system,
}


def _cut(text: str) -> str:
    return text if len(text) <= SEEN_LIMIT else text[:SEEN_LIMIT] + "…"


def _tool_result_json(rule: ToolResultMatch) -> dict[str, Any]:
    return {key: value for key, value in (("name", rule.name), ("content", rule.content.pattern if rule.content else None)) if value is not None}


def _tool_result_holds(rule: bool | ToolResultMatch, chat: ChatRequest) -> bool:
    if isinstance(rule, bool):
        return bool(chat.tool_results) == rule
    return any(
        (rule.name is None or result.name == rule.name) and (rule.content is None or rule.content.search(result.content))
        for result in chat.tool_results
    )
