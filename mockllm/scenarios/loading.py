"""Load a scenarios folder into a catalog, collecting every problem with its place; check references between documents."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from pydantic import BaseModel, ValidationError

from mockllm.scenarios import catalog_cache
from mockllm.scenarios.catalog import Catalog
from mockllm.scenarios.framings import BUILTIN_FRAMINGS, Framing
from mockllm.scenarios.problems import MAX_FILE_BYTES, Problem, ProblemsError
from mockllm.scenarios.routes_map import RouteMap, extendable
from mockllm.scenarios.scenario import Scenario

if TYPE_CHECKING:
    from mockllm.scenarios.yaml_source import Document

#: The document kinds a scenarios folder may hold, by their `kind:` value.
DOCUMENT_KINDS: dict[str, type[BaseModel]] = {"scenario": Scenario, "framing": Framing, "routes": RouteMap}


def load_catalog(folder: Path) -> Catalog:
    """Read every `*.yaml`/`*.yml` below `folder` (or the one file `folder` names); raise ProblemsError listing all problems.

    Hidden files and folders are skipped: a Kubernetes ConfigMap volume keeps
    a second copy of each file in a `..DATE` folder. A folder read before,
    unchanged, comes from `catalog_cache` without validating again.
    """
    if not folder.is_dir() and not folder.is_file():
        raise ProblemsError([Problem(str(folder), 1, "", "not a folder of scenario files")])
    files = scenario_files(folder)
    key = catalog_cache.catalog_key(folder, files, MAX_FILE_BYTES)
    catalog = catalog_cache.read(key) if key else None
    if catalog is None:
        catalog = validate_files(folder, files)
        if key:
            catalog_cache.write(key, catalog)
    return catalog


def scenario_files(folder: Path) -> list[Path]:
    """The YAML files a folder holds, sorted, hidden ones left out (or the one file `folder` names)."""
    if folder.is_file():
        return [folder]
    found = sorted([*folder.rglob("*.yaml"), *folder.rglob("*.yml")])
    return [path for path in found if not any(part.startswith(".") for part in path.relative_to(folder).parts)]


def validate_files(folder: Path, files: list[Path]) -> Catalog:
    """Read and validate `files` into the catalog of `folder`; raise ProblemsError listing all problems.

    The YAML reader is imported here, not with the module: a start whose folder is cached never needs it.
    """
    from mockllm.scenarios.yaml_source import read_documents

    catalog = Catalog(folder)
    problems: list[Problem] = []
    loaded: list[Document] = []
    for path in files:
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


def check_app_documents(catalog: Catalog, docs: list[Document]) -> list[Problem]:
    """Problems in references between documents: framing names, `extends`, routes' framings and scenarios."""
    problems: list[Problem] = []
    declared: dict[str, str] = {}
    for doc in (d for d in docs if d.data.get("kind") == "framing"):
        problems += _check_framing(doc, declared)
    known = sorted({*BUILTIN_FRAMINGS, *declared})
    routed: dict[str, str] = {}
    for doc in (d for d in docs if d.data.get("kind") == "routes"):
        for path, route in doc.data["routes"].items():
            problems += _check_route(catalog, doc, path, route, known, routed)
    return problems


def _check_framing(doc: Document, declared: dict[str, str]) -> list[Problem]:
    problems = []
    name, extends = doc.data["name"], doc.data.get("extends")
    if name in BUILTIN_FRAMINGS:
        problems.append(doc.problem(["name"], f"{name!r} is a built-in framing; pick another name (or use `extends: {name}`)"))
    elif name in declared:
        problems.append(doc.problem(["name"], f"framing {name!r} is already defined in {declared[name]}"))
    else:
        declared[name] = doc.file
    if extends is not None and extends not in extendable():
        problems.append(doc.problem(["extends"], f"cannot extend {extends!r}; valid: {', '.join(extendable())}"))
    return problems


def _check_route(catalog: Catalog, doc: Document, path: str, route: Any, known: list[str], routed: dict[str, str]) -> list[Problem]:
    problems = []
    framing = route if isinstance(route, str) else route["framing"]
    if framing not in known:
        where = ["routes", path] if isinstance(route, str) else ["routes", path, "framing"]
        problems.append(doc.problem(where, f"unknown framing {framing!r}; known: {', '.join(known)}"))
    scenario = None if isinstance(route, str) else route.get("scenario")
    if scenario is not None and scenario not in catalog.scenarios:
        problems.append(doc.problem(["routes", path, "scenario"], f"unknown scenario {scenario!r}; known: {', '.join(catalog.names)}"))
    if path in routed:
        problems.append(doc.problem(["routes", path], f"path {path!r} is already routed in {routed[path]}"))
    routed[path] = doc.file
    return problems


#: Checks of references between documents, run once the whole folder is read (they get its valid documents).
CROSS_CHECKS: tuple[Callable[[Catalog, list[Document]], list[Problem]], ...] = (check_app_documents, check_attempt_references)
