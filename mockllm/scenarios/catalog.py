"""Load a scenarios folder into a catalog, collecting every problem with its place."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from pydantic import BaseModel, ValidationError

from mockllm.scenarios.attempts import check_attempt_references
from mockllm.scenarios.framings import Framing
from mockllm.scenarios.routes_map import RouteMap, check_app_documents
from mockllm.scenarios.scenario import Scenario
from mockllm.scenarios.yaml_source import Document, Problem, ProblemsError, read_documents

DEFAULT_SCENARIO = "default"

#: The document kinds a scenarios folder may hold, by their `kind:` value.
DOCUMENT_KINDS: dict[str, type[BaseModel]] = {"scenario": Scenario, "framing": Framing, "routes": RouteMap}


@dataclass
class Catalog:
    """Everything a scenarios folder declares."""

    folder: Path
    scenarios: dict[str, Scenario] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    documents: dict[str, list[BaseModel]] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        """Scenario names, sorted."""
        return sorted(self.scenarios)


#: Checks of references between documents, run once the whole folder is read (they get its valid documents).
CROSS_CHECKS: tuple[Callable[[Catalog, list[Document]], list[Problem]], ...] = (check_app_documents, check_attempt_references)


def load_catalog(folder: Path) -> Catalog:
    """Read every `*.yaml`/`*.yml` below `folder` (or the one file `folder` names); raise ProblemsError listing all problems.

    Hidden files and folders are skipped: a Kubernetes ConfigMap volume keeps
    a second copy of each file in a `..DATE` folder.
    """
    if not folder.is_dir() and not folder.is_file():
        raise ProblemsError([Problem(str(folder), 1, "", "not a folder of scenario files")])
    catalog = Catalog(folder)
    problems: list[Problem] = []
    loaded: list[Document] = []
    for path in [folder] if folder.is_file() else sorted([*folder.rglob("*.yaml"), *folder.rglob("*.yml")]):
        if folder.is_dir() and any(part.startswith(".") for part in path.relative_to(folder).parts):
            continue
        try:
            for doc in read_documents(path):
                found = add_document(catalog, doc)
                problems.extend(found)
                if not found:
                    loaded.append(doc)
        except ProblemsError as exc:
            problems.extend(exc.problems)
    for check in CROSS_CHECKS:
        problems.extend(check(catalog, loaded))
    if problems:
        raise ProblemsError(sorted(problems, key=lambda p: (p.file, p.line)))
    return catalog


def add_document(catalog: Catalog, doc: Document) -> list[Problem]:
    """Validate one document and add it to `catalog`; return its problems (none when added)."""
    if not isinstance(doc.data, dict):
        return [doc.problem([], "a document must be a mapping (schema: 1, name: …, steps: …)")]
    kind = doc.data.get("kind", "scenario")
    model_type = DOCUMENT_KINDS.get(kind) if isinstance(kind, str) else None
    if model_type is None:
        return [doc.problem(["kind"], f"unknown kind {kind!r}; valid kinds: {', '.join(sorted(DOCUMENT_KINDS))}")]
    if doc.data.get("schema", 1) != 1:
        return [doc.problem(["schema"], f"unsupported schema {doc.data['schema']!r}; this mockllm reads schema 1")]
    try:
        model = model_type.model_validate(doc.data)
    except ValidationError as exc:
        return doc.problems_from(exc)
    if isinstance(model, Scenario):
        return _add_scenario(catalog, model, doc)
    catalog.documents.setdefault(kind, []).append(model)
    return []


def _add_scenario(catalog: Catalog, scenario: Scenario, doc: Document) -> list[Problem]:
    if scenario.name in catalog.scenarios:
        first = catalog.files[scenario.name]
        return [doc.problem(["name"], f"scenario {scenario.name!r} is already defined in {first}")]
    catalog.scenarios[scenario.name] = scenario
    catalog.files[scenario.name] = doc.file
    return []


def check_default(catalog: Catalog, name: str) -> None:
    """Raise ProblemsError unless `name` is a scenario of the catalog."""
    if name not in catalog.scenarios:
        known = ", ".join(catalog.names) or "none"
        message = f"default scenario {name!r} not found; add {name}.yaml or pick one with --default NAME; known: {known}"
        raise ProblemsError([Problem(str(catalog.folder), 1, "", message)])

