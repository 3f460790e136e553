"""Scenarios posted at run time (`POST /_mock/scenarios`), for everyone or for one session.

A posted scenario is validated exactly like a file's. What a request sees is
a view: its session's posted scenarios, then the global posted ones, then the
folder's, a name shadowing the same name further down. Selection asks each
posted layer whole (match rules, then its `default`) before the folder's match
rules (see `mockllm.server.selection`), so a test that posts `default` for its
session is the answer of every request of that session that names no
scenario, and of no other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping

from mockllm.scenarios.catalog import Catalog
from mockllm.scenarios.loading import CROSS_CHECKS, add_document
from mockllm.scenarios.problems import Problem, ProblemsError
from mockllm.scenarios.scenario import Scenario

if TYPE_CHECKING:
    from mockllm.scenarios.yaml_source import Document

#: The file name problems in a posted text are reported in: `<posted>:3: steps[0].say: …`.
POSTED = "<posted>"
#: How many posted scenarios a server keeps at most, over all sessions.
RUNTIME_LIMIT = 10_000


@dataclass
class RuntimeScenarios:
    """Posted scenarios by scope: None for everyone, else a session id."""

    limit: int = RUNTIME_LIMIT
    _scopes: dict[str | None, dict[str, Scenario]] = field(default_factory=dict)

    def add(self, scenarios: list[Scenario], session: str | None) -> None:
        """Add (or replace, by name) `scenarios` in a scope; raise ProblemsError past the limit."""
        scope = self._scopes.setdefault(session, {})
        new = sum(1 for s in scenarios if s.name not in scope)
        if len(self) + new > self.limit:
            message = f"too many posted scenarios (the limit is {self.limit}); DELETE /_mock/scenarios?session=… those a test is done with"
            raise ProblemsError([Problem(POSTED, 1, "", message)])
        for scenario in scenarios:
            scope[scenario.name] = scenario

    def remove(self, name: str, session: str | None) -> bool:
        """Remove one posted scenario of a scope; False when it has none of that name."""
        scope = self._scopes.get(session, {})
        found = scope.pop(name, None) is not None
        if not scope:
            self._scopes.pop(session, None)
        return found

    def clear(self, session: str | None = None) -> int:
        """Remove a session's posted scenarios, or (no session) every posted scenario; return how many."""
        if session is None:
            count, self._scopes = len(self), {}
            return count
        return len(self._scopes.pop(session, {}))

    def scope_of(self, name: str, session: str | None) -> tuple[bool, str | None]:
        """Whether `name` is a posted scenario in a request of `session`'s view, and its scope."""
        if session is not None and name in self._scopes.get(session, {}):
            return True, session
        return name in self._scopes.get(None, {}), None

    def layers(self, session: str | None) -> list[Mapping[str, Scenario]]:
        """The posted scenarios a request of `session` sees, nearest first: its session's, then everyone's (empty ones left out)."""
        scopes = [self._scopes.get(session) if session is not None else None, self._scopes.get(None)]
        return [scope for scope in scopes if scope]

    def view(self, base: Catalog, session: str | None) -> Catalog:
        """What a request of `session` sees: its posted scenarios, the global ones, then `base`'s."""
        layers = [self._scopes.get(session) if session is not None else None, self._scopes.get(None)]
        if not any(layers):
            return base
        scenarios: dict[str, Scenario] = {}
        files: dict[str, str] = {}
        for layer in layers:
            for name, scenario in (layer or {}).items():
                scenarios.setdefault(name, scenario)
                files.setdefault(name, POSTED)
        for name, scenario in base.scenarios.items():
            scenarios.setdefault(name, scenario)
            files.setdefault(name, base.files[name])
        return Catalog(base.folder, scenarios, files, base.documents)

    def __len__(self) -> int:
        return sum(len(scope) for scope in self._scopes.values())


def parse_posted(text: str, view: Catalog) -> list[Scenario]:
    """Validate posted YAML or JSON (one scenario, several `---` documents, or a JSON list) against `view`.

    Raise ProblemsError listing every problem, placed at lines of `text`.
    """
    docs = list(_documents(text))
    if not docs:
        raise ProblemsError([Problem(POSTED, 1, "", "nothing posted: send a scenario as YAML or JSON")])
    fresh = Catalog(view.folder)
    problems: list[Problem] = []
    loaded: list[Document] = []
    for doc in docs:
        found = _only_scenarios(doc) or add_document(fresh, doc)
        problems += found
        loaded += [] if found else [doc]
    merged = Catalog(view.folder, {**view.scenarios, **fresh.scenarios}, {**view.files, **fresh.files}, view.documents)
    for check in CROSS_CHECKS:
        problems += check(merged, loaded)
    if problems:
        raise ProblemsError(sorted(problems, key=lambda p: p.line))
    return list(fresh.scenarios.values())


def _documents(text: str) -> list[Document]:
    """The posted documents; the items of a top-level list are documents each (the YAML reader imported on the first post)."""
    import yaml

    from mockllm.scenarios.yaml_source import Document, parse_documents

    found: list[Document] = []
    for doc in parse_documents(POSTED, text):
        if isinstance(doc.data, list) and isinstance(doc.node, yaml.SequenceNode):
            found += [Document(POSTED, data, node) for data, node in zip(doc.data, doc.node.value)]
        else:
            found.append(doc)
    return found


def _only_scenarios(doc: Document) -> list[Problem]:
    kind: Any = doc.data.get("kind", "scenario") if isinstance(doc.data, dict) else "scenario"
    if kind == "scenario":
        return []
    return [doc.problem(["kind"], f"only scenarios can be posted; a {kind!r} document belongs in the scenarios folder")]
