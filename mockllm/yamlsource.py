"""Read YAML documents with their node positions, and place problems at a line.

Every problem found in a file becomes a `Problem`, printed as
`file:line: path: message` so an editor can jump to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Sequence

import yaml
from pydantic import ValidationError


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a file, at a line and a dotted path."""

    file: str
    line: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        return f"{self.file}:{self.line}: {where}{self.message}"


class ProblemsError(Exception):
    """Raised when a file (or folder) has problems; carries all of them."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = list(problems)


@dataclass(frozen=True)
class Document:
    """One YAML document: its data, its node tree and where it came from."""

    file: str
    data: Any
    node: yaml.Node

    def line_of(self, loc: Sequence[str | int]) -> int:
        """Return the 1-based line of the deepest node `loc` reaches."""
        node = self.node
        for key in loc:
            child = _child(node, key)
            if child is None:
                break
            node = child
        return node.start_mark.line + 1

    def problem(self, loc: Sequence[str | int], message: str) -> Problem:
        """A problem at `loc` in this document."""
        return Problem(self.file, self.line_of(loc), dotted(loc), message)

    def problems_from(self, error: ValidationError, prefix: Sequence[str | int] = ()) -> list[Problem]:
        """Turn a pydantic error into problems placed at their YAML lines."""
        found = []
        for item in error.errors(include_url=False):
            loc = [*prefix, *(k for k in item["loc"] if not _is_union_tag(k))]
            if item["type"] == "unknown_key":
                loc.append(item["ctx"]["key"])
            found.append(self.problem(loc, _message(item)))
        return found


def read_documents(path: Path) -> Iterator[Document]:
    """Yield each document of a YAML file; raise ProblemsError on bad YAML."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProblemsError([Problem(name, 1, "", f"cannot read: {exc}")]) from None
    yield from parse_documents(name, text)


def parse_documents(name: str, text: str) -> Iterator[Document]:
    """Yield each document of YAML `text`, its problems placed in `name`; raise ProblemsError on bad YAML."""
    try:
        nodes = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        tabs = "; indent with spaces, not tabs" if "'\\t'" in str(exc.problem) else ""
        raise ProblemsError([Problem(name, line, "", f"invalid YAML: {exc.problem or exc}{tabs}")]) from None
    for node in nodes:
        if node is None or _is_empty(node):
            continue
        duplicates = list(_duplicate_keys(node, []))
        if duplicates:
            raise ProblemsError([Problem(name, line, dotted(loc), "duplicate key") for line, loc in duplicates])
        loader = yaml.SafeLoader("")
        yield Document(name, loader.construct_document(node), node)


def dotted(loc: Sequence[str | int]) -> str:
    """Format a location as `steps[2].delay_ms`."""
    out = ""
    for key in loc:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else str(key))
    return out


def _is_empty(node: yaml.Node) -> bool:
    """An empty document, e.g. after a trailing `---` or holding only comments."""
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null" and node.value == ""


def _child(node: yaml.Node, key: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if k.value == key or (isinstance(key, str) and str(k.value) == key):
                return v if not isinstance(v, yaml.ScalarNode) or v.value != "" else k
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
        return node.value[key]
    return None


def _duplicate_keys(node: yaml.Node, loc: list[str | int]) -> Iterator[tuple[int, list[str | int]]]:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for k, v in node.value:
            if k.value in seen:
                yield k.start_mark.line + 1, [*loc, k.value]
            seen.add(k.value)
            yield from _duplicate_keys(v, [*loc, k.value])
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            yield from _duplicate_keys(v, [*loc, i])


def _is_union_tag(key: str | int) -> bool:
    """Pydantic adds the member type's name to a union's error path; drop it."""
    return isinstance(key, str) and (key[:1].isupper() or "[" in key or key in {"str", "int", "float", "bool"})


def _message(item: Any) -> str:
    message = str(item["msg"])
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    return message[:1].lower() + message[1:]
