"""Read YAML documents with their node positions, and place problems at a line.

Every problem found in a file becomes a `Problem`, printed as
`file:line: path: message` so an editor can jump to it. Hostile files
are problems too: limits on file size, document count, nesting depth and
alias expansion are checked while the file is read, before work grows, and
only plain data tags are accepted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Iterator, Sequence

import yaml
from pydantic import ValidationError

from mockllm.scenarios.problems import MAX_DEPTH, MAX_DOCUMENTS, MAX_FILE_BYTES, MAX_NODES, Problem, ProblemsError, dotted

#: The tags a scenario file may use: plain data (timestamps read as text errors later, where they land).
ALLOWED_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("null", "bool", "int", "float", "str", "seq", "map", "merge", "timestamp")
)


@dataclass(frozen=True)
class Document:
    """One YAML document: its data, its node tree and where it came from."""

    file: str
    data: Any
    node: yaml.Node

    def line_of(self, loc: Sequence[str | int], *, at_key: bool = False) -> int:
        """Return the 1-based line of the deepest node `loc` reaches; `at_key`: of the last key itself, not its value."""
        node = self.node
        for depth, key in enumerate(loc, 1):
            child = _key_node(node, key) if at_key and depth == len(loc) else _child(node, key)
            if child is None:
                break
            node = child
        return node.start_mark.line + 1

    def problem(self, loc: Sequence[str | int], message: str, *, at_key: bool = False) -> Problem:
        """A problem at `loc` in this document (`at_key`: at the line of its last key, for a key that is wrong itself)."""
        return Problem(self.file, self.line_of(loc, at_key=at_key), dotted(loc), message)

    def problems_from(self, error: ValidationError, prefix: Sequence[str | int] = ()) -> list[Problem]:
        """Turn a pydantic error into problems placed at their YAML lines."""
        found = []
        for item in error.errors(include_url=False):
            loc = [*prefix, *(k for k in item["loc"] if not _is_union_tag(k))]
            unknown = item["type"] == "unknown_key"
            if unknown:
                loc.append(item["ctx"]["key"])
            found.append(self.problem(loc, _message(item), at_key=unknown))
        return found


def read_documents(path: Path) -> Iterator[Document]:
    """Yield each document of a YAML file; raise ProblemsError on bad or hostile YAML."""
    name = str(path)
    yield from parse_documents(name, _read_text(path))


def parse_documents(name: str, text: str) -> Iterator[Document]:
    """Yield each document of YAML `text`, its problems placed in `name`; raise ProblemsError on bad or hostile YAML."""
    if len(text) > MAX_FILE_BYTES:
        raise ProblemsError([Problem(name, 1, "", f"YAML text is over {MAX_FILE_BYTES:,} characters, the most a scenario file may have")])
    nodes = _compose(name, text)
    for node in nodes:
        duplicates = list(_duplicate_keys(node, []))
        if duplicates:
            raise ProblemsError([Problem(name, line, dotted(loc), "duplicate key") for line, loc in duplicates])
        yield Document(name, _construct(name, node), node)


def _read_text(path: Path) -> str:
    """The file's text: at most MAX_FILE_BYTES of UTF-8 (the size checked before reading)."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ProblemsError([Problem(str(path), 1, "", f"file is {size:,} bytes; a scenario file may have at most {MAX_FILE_BYTES:,}")])
        with path.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise ProblemsError([Problem(str(path), 1, "", f"file is over {MAX_FILE_BYTES:,} bytes, the most a scenario file may have")])
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ProblemsError([Problem(str(path), line, "", f"cannot read: {exc}")]) from None
    except OSError as exc:
        raise ProblemsError([Problem(str(path), 1, "", f"cannot read: {exc.strerror or exc}")]) from None


def _compose(name: str, text: str) -> list[yaml.Node]:
    """The file's non-empty documents as node trees, within the limits; ProblemsError for the first problem.

    LibYAML's parser reads a file when PyYAML has it (ten times faster); on a
    YAML error the pure-Python parser reads it again, for its more exact words.
    """
    _check_document_count(name, text)
    fast = _fast_loader()
    if fast is not None:
        try:
            return _nodes(name, text, fast)
        except ProblemsError as exc:
            if not isinstance(exc.__cause__, yaml.YAMLError):
                raise  # a limit or rule: the same in both parsers
    return _nodes(name, text, _GuardedLoader)


def _nodes(name: str, text: str, loader_class: type[_Guards]) -> list[yaml.Node]:
    nodes: list[yaml.Node] = []
    loader: _Guards | None = None
    try:
        loader = loader_class(text)
        while loader.check_node():
            if loader.documents >= MAX_DOCUMENTS:
                raise _Refused(f"more than {MAX_DOCUMENTS} documents in one file", loader.peek_event().start_mark, [])
            loader.documents += 1
            node = loader.get_node()
            if node is not None and not _is_empty(node):
                nodes.append(node)
    except _Refused as exc:
        raise ProblemsError([Problem(name, exc.mark.line + 1 if exc.mark else 1, _short_path(exc.path), exc.message)]) from None
    except yaml.MarkedYAMLError as exc:
        raise ProblemsError([_marked_problem(name, exc, loader.path if loader else [])]) from exc
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        code = ord(exc.character) if isinstance(exc.character, str) else int(exc.character)
        raise ProblemsError([Problem(name, line, "", f"invalid YAML: control character U+{code:04X} is not allowed (write it as an escape in a double-quoted string)")]) from exc
    except yaml.YAMLError as exc:
        raise ProblemsError([Problem(name, 1, "", f"invalid YAML: {exc}")]) from exc
    finally:
        if loader is not None:
            loader.dispose()
    return nodes


_DOCUMENT_START = re.compile(r"^---(?=[ \t\r\n]|$)", re.MULTILINE)


def _check_document_count(name: str, text: str) -> None:
    """Refuse a file of too many documents from its `---` lines alone, before parsing any."""
    for count, found in enumerate(_DOCUMENT_START.finditer(text), 1):
        if count > MAX_DOCUMENTS:  # (a document before the first `---` is counted by the composer)
            line = text.count("\n", 0, found.start()) + 1
            raise ProblemsError([Problem(name, line, "", f"more than {MAX_DOCUMENTS} documents in one file")])


def _marked_problem(name: str, exc: yaml.MarkedYAMLError, loc: Sequence[str | int]) -> Problem:
    """A Problem from PyYAML's own error, at its mark, its two parts joined as one sentence."""
    mark = exc.problem_mark or exc.context_mark
    message = exc.problem or str(exc)
    if exc.context and exc.context_mark and exc.problem and not exc.context.startswith("while"):
        message = f"{exc.context} (line {exc.context_mark.line + 1}), {exc.problem}"
    tabs = "; indent with spaces, not tabs" if "'\\t'" in str(exc.problem) else ""
    return Problem(name, mark.line + 1 if mark else 1, _short_path(loc), f"invalid YAML: {message}{tabs}")


def _short_path(loc: Sequence[str | int]) -> str:
    """The dotted path, its middle elided past 10 parts (a problem deep inside a hostile file)."""
    return dotted(loc) if len(loc) <= 10 else f"{dotted(loc[:5])}…{dotted(loc[-2:])}"


def _construct(name: str, node: yaml.Node) -> Any:
    """Python data of one checked node tree; a value YAML cannot build is a problem at that value's line.

    A bad merge key, a huge number, `!!timestamp 'x'` (PyYAML's constructor
    fails on it with an AttributeError): whatever the constructor raises.
    """
    loader = _PlacingConstructor()
    try:
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        raise ProblemsError([_marked_problem(name, exc, [])]) from None
    except _Unbuildable as exc:
        raise ProblemsError([_value_problem(name, node, exc.node, exc.__cause__)]) from None


class _Unbuildable(Exception):
    """The constructor failed on `node` (the exception is the cause)."""

    def __init__(self, node: yaml.Node) -> None:
        super().__init__(node.start_mark)
        self.node = node


class _PlacingConstructor(yaml.SafeLoader):
    """PyYAML's safe constructor, noting the innermost node any failure comes from."""

    def __init__(self) -> None:
        super().__init__("")

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (_Unbuildable, yaml.MarkedYAMLError):
            raise
        except Exception as exc:  # noqa: BLE001 - any failure of a constructor is the file's problem, placed at its node
            raise _Unbuildable(node) from exc


def _value_problem(name: str, root: yaml.Node, node: yaml.Node, cause: BaseException | None) -> Problem:
    """`file:line: path: invalid YAML value: …` for a node the constructor could not build."""
    text = str(cause or "")
    if "digits" in text:
        reason = "a number has too many digits"
    elif isinstance(node, yaml.ScalarNode) and node.tag.startswith("tag:yaml.org,2002:"):
        kind = node.tag.rsplit(":", 1)[1]
        reason = f"{node.value[:80]!r} is not a valid !!{kind}" + (f" ({text})" if isinstance(cause, (ValueError, OverflowError)) and text else "")
    else:
        reason = text or type(cause).__name__
    return Problem(name, node.start_mark.line + 1, _short_path(_path_to(root, node) or []), f"invalid YAML value: {reason}")


def _path_to(root: yaml.Node, target: yaml.Node) -> list[str | int] | None:
    """The keys and indexes from `root` down to `target` (a node in its tree), or None."""
    stack: list[tuple[yaml.Node, list[str | int]]] = [(root, [])]
    seen: set[int] = set()
    while stack:
        node, loc = stack.pop()
        if node is target:
            return loc
        if id(node) in seen:
            continue  # an alias met again
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            stack.extend((value, [*loc, str(key.value)]) for key, value in node.value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((value, [*loc, i]) for i, value in enumerate(node.value))
    return None


class _Refused(Exception):
    """A limit or rule the guarded loader enforces, at a place."""

    def __init__(self, message: str, mark: yaml.Mark | None, path: Sequence[str | int]) -> None:
        super().__init__(message)
        self.message, self.mark, self.path = message, mark, list(path)


class _Guards(yaml.composer.Composer):
    """A composer that enforces depth, alias expansion, tag and key rules as it goes, over either parser's events."""

    documents: int
    path: list[str | int]

    def _start_guards(self) -> None:
        self.documents = 0
        self.path = []
        self._depth = 0
        self._sizes: dict[int, int] = {}  # id(node) → values it holds, aliases expanded

    def compose_document(self) -> yaml.Node:
        self._sizes.clear()
        return super().compose_document()  # type: ignore[no-any-return]

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        here = index.value if isinstance(index, yaml.ScalarNode) else index if isinstance(index, int) else None
        if here is not None:
            self.path.append(here)
        try:
            return self._compose_checked(parent, index)
        finally:
            if here is not None:
                self.path.pop()

    def _compose_checked(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) and event.anchor in self.anchors and self.anchors[event.anchor].end_mark is None:
            raise _Refused(f"alias *{event.anchor} refers to a node that contains it (a recursive alias)", event.start_mark, self.path)
        collection = isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent))
        if collection:
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise _Refused(f"nested more than {MAX_DEPTH} levels deep", event.start_mark, self.path)
        try:
            node: yaml.Node = super().compose_node(parent, index)
        finally:
            if collection:
                self._depth -= 1
        self._check(node)
        return node

    def _check(self, node: yaml.Node) -> None:
        """Tag, key and expanded-size rules for a node just composed (its children are checked already)."""
        if id(node) in self._sizes:
            size = self._sizes[id(node)]  # an alias: its size counts again where it is used
        else:
            if node.tag not in ALLOWED_TAGS:
                tag = node.tag.replace("tag:yaml.org,2002:", "!!")
                raise _Refused(f"tag {tag} is not allowed; scenario files hold plain data", node.start_mark, self.path)
            size = 1
            if isinstance(node, yaml.SequenceNode):
                size += sum(self._sizes.get(id(child), 1) for child in node.value)
            elif isinstance(node, yaml.MappingNode):
                for key, value in node.value:
                    if not isinstance(key, yaml.ScalarNode):
                        raise _Refused("a key must be plain text, not a list or mapping", key.start_mark, self.path)
                    size += 1 + self._sizes.get(id(value), 1)
            self._sizes[id(node)] = size
        if size > MAX_NODES:
            raise _Refused(f"aliases expand this document past {MAX_NODES:,} values", node.start_mark, self.path)


class _GuardedLoader(_Guards, yaml.SafeLoader):
    """The guards over PyYAML's pure-Python scanner and parser, whose errors say most exactly what is wrong."""

    def __init__(self, text: str) -> None:
        yaml.SafeLoader.__init__(self, text)
        self._start_guards()

    def fetch_flow_collection_start(self, token_class: Any) -> None:
        """Refuse deep flow nesting as it is scanned (its simple-key bookkeeping grows with the depth)."""
        if self.flow_level >= MAX_DEPTH:
            raise _Refused(f"nested more than {MAX_DEPTH} levels deep", self.get_mark(), self.path)
        super().fetch_flow_collection_start(token_class)


@cache
def _fast_loader() -> type[_Guards] | None:
    """The guards over LibYAML's parser (its events, this composer), when PyYAML was built with it."""
    if not yaml.__with_libyaml__:
        return None
    from yaml._yaml import CParser  # only in a PyYAML built with LibYAML

    class FastGuardedLoader(_Guards, CParser, yaml.constructor.SafeConstructor, yaml.resolver.Resolver):  # type: ignore[misc]
        def __init__(self, text: str) -> None:
            CParser.__init__(self, text)
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)
            self._start_guards()

    return FastGuardedLoader


def _is_empty(node: yaml.Node) -> bool:
    """An empty document, e.g. after a trailing `---` or holding only comments."""
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null" and node.value == ""


def _key_node(node: yaml.Node, key: str | int) -> yaml.Node | None:
    """The key node of `key` in a mapping node, or None."""
    if isinstance(node, yaml.MappingNode):
        for k, _ in node.value:
            if k.value == key or (isinstance(key, str) and str(k.value) == key):
                return k
    return None


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
