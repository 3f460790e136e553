"""Scenario `match` regexes, run by RE2: search time linear in the text, and the text searched capped.

RE2 reads Python's syntax except the constructs that need backtracking
(backreferences, lookaround, atomic groups, possessive repeats,
conditionals); a pattern using one is refused naming it. Its `\\w`, `\\d`,
`\\s` and `\\b` are ASCII-only: use `\\p{L}`, `\\p{Han}`, `\\p{N}` for other scripts.
"""

from __future__ import annotations

import re
from typing import Any

import re2
from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

#: Characters of a message (or path, model, tool result) a regex searches: the first 64 Ki.
MATCH_TEXT_LIMIT = 64 * 1024

#: What RE2 lacks, found in a pattern Python accepts: (pattern finding it, what to call it).
_UNSUPPORTED = (
    (r"\\[1-9]|\(\?P=", "backreferences (\\1, (?P=name))"),
    (r"\(\?<?[=!]", "lookahead and lookbehind ((?=…), (?!…), (?<=…), (?<!…))"),
    (r"\(\?>", "atomic groups ((?>…))"),
    (r"[*+?}]\+", "possessive repeats (a*+, a++)"),
    (r"\(\?\(", "conditionals ((?(1)…))"),
    (r"\\Z", "\\Z (RE2 writes it \\z)"),
    (r"\(\?[a-zA-Z]*x", "verbose mode ((?x))"),
)


def _options() -> Any:
    options = re2.Options()
    options.log_errors = False  # the problem goes to the scenario's problem list, not to stderr
    return options


class LinearRegex:
    """A compiled `match` regex: `search(text)` runs in time linear in at most MATCH_TEXT_LIMIT characters."""

    __slots__ = ("pattern", "_compiled")

    def __init__(self, pattern: str) -> None:
        """Compile `pattern`; raise ValueError saying what is wrong or unsupported."""
        self.pattern = pattern
        try:
            self._compiled = re2.compile(pattern, options=_options())
        except re2.error:
            raise ValueError(_why_refused(pattern)) from None

    def search(self, text: str) -> bool:
        """Whether the pattern occurs in the first MATCH_TEXT_LIMIT characters of `text`."""
        text = text[:MATCH_TEXT_LIMIT]
        try:
            return self._compiled.search(text) is not None
        except UnicodeEncodeError:  # lone surrogates: search what they stand for
            return self._compiled.search(text.encode("utf-8", "replace").decode("utf-8")) is not None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LinearRegex) and other.pattern == self.pattern

    def __hash__(self) -> int:
        return hash(self.pattern)

    def __repr__(self) -> str:
        return f"LinearRegex({self.pattern!r})"

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            _validate, serialization=core_schema.plain_serializer_function_ser_schema(lambda r: r.pattern)
        )

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        return {"type": "string", "format": "regex"}


def _validate(value: object) -> LinearRegex:
    if isinstance(value, LinearRegex):
        return value
    if not isinstance(value, str):
        raise ValueError(f"a regular expression is text; got {type(value).__name__}")
    return LinearRegex(value)


def _why_refused(pattern: str) -> str:
    """Why RE2 refused `pattern`: Python's own syntax error, or the construct RE2 does not run."""
    try:
        re.compile(pattern)
    except re.error as exc:
        return f"invalid regular expression: {exc}"
    for finder, name in _UNSUPPORTED:
        if re.search(finder, pattern):
            return f"unsupported in a match regex: {name}; match regexes run in linear time (RE2) and cannot use them"
    try:
        re2.compile(pattern, options=_options())
    except re2.error as exc:
        reason = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        return f"unsupported in a match regex (RE2): {reason}"
    return "unsupported in a match regex (RE2)"
