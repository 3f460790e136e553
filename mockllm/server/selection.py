"""Choose the scenario for a request.

First match wins: header `X-Mock-Scenario`, query `?scenario=` (or
`?mock_scenario=`), body field `mock_scenario`, a `model` equal to a scenario
name. A request that names none is answered by layers, nearest first: the
scenarios posted for its session, those posted for everyone, then the
folder's; in each, the first scenario (in order) whose `match` rules all hold,
else the one named like the default. So a session's posted `default` wins over
the folder's match rules for that session's requests.

An unknown name is a 404 with the closest name and, for a long list, where
to read the names instead of all of them (they would fill every log line).
"""

from __future__ import annotations

from typing import Mapping, Sequence

from mockllm.core.errors import RequestError
from mockllm.core.events import Error
from mockllm.core.request import ChatRequest
from mockllm.scenarios.catalog import Catalog
from mockllm.scenarios.scenario import Match, Scenario, ToolResultMatch
from mockllm.scenarios.strict_model import did_you_mean

HEADER = "X-Mock-Scenario"
QUERY_KEYS = ("scenario", "mock_scenario")
#: An unknown name's error lists the known ones when there are at most this many, else points to where they are listed.
LISTED_NAMES = 10


def select(
    catalog: Catalog,
    chat: ChatRequest,
    *,
    headers: Mapping[str, str],
    query: Mapping[str, str],
    path: str,
    default: str,
    posted: Sequence[Mapping[str, Scenario]] = (),
) -> Scenario:
    """Return the scenario for a request; raise RequestError (404) for an unknown name.

    `posted`: the posted layers the request sees, nearest first (`RuntimeScenarios.layers`).
    """
    return chosen(catalog, chat, headers=headers, query=query, path=path, default=default, posted=posted) or catalog.scenarios[default]


def chosen(
    catalog: Catalog,
    chat: ChatRequest,
    *,
    headers: Mapping[str, str],
    query: Mapping[str, str],
    path: str,
    default: str,
    posted: Sequence[Mapping[str, Scenario]] = (),
) -> Scenario | None:
    """The scenario a request names or matches, or its posted layer's default; None when the folder's default would answer it.

    (With `--upstream`, the upstream answers such a request instead.)
    """
    asked = [(f"header {HEADER}", headers.get(HEADER))]
    asked += [(f"query ?{key}=", query.get(key)) for key in QUERY_KEYS]
    asked.append(("body field mock_scenario", chat.scenario))
    for source, name in asked:
        if name:
            return _named(catalog, name, source)
    if chat.model in catalog.scenarios:
        return catalog.scenarios[chat.model]
    for layer in (*posted, catalog.scenarios):
        for scenario in layer.values():
            if scenario.match and _matches(scenario.match, chat, path):
                return scenario
        if default in layer and layer is not catalog.scenarios:
            return layer[default]
    return None


def _named(catalog: Catalog, name: str, source: str) -> Scenario:
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


def _matches(match: Match, chat: ChatRequest, path: str) -> bool:
    checks = (
        (match.message, chat.last_user_message),
        (match.model, chat.model or ""),
        (match.path, path),
        (match.system, chat.system),
    )
    if not all(pattern.search(value) for pattern, value in checks if pattern is not None):
        return False
    if match.turn is not None and chat.assistant_turns != match.turn:
        return False
    if match.has_tools is not None and bool(chat.tools) != match.has_tools:
        return False
    if match.tool is not None and chat.tool(match.tool) is None:
        return False
    return match.tool_result is None or _tool_result_holds(match.tool_result, chat)


def _tool_result_holds(rule: bool | ToolResultMatch, chat: ChatRequest) -> bool:
    if isinstance(rule, bool):
        return bool(chat.tool_results) == rule
    return any(
        (rule.name is None or result.name == rule.name) and (rule.content is None or rule.content.search(result.content))
        for result in chat.tool_results
    )
