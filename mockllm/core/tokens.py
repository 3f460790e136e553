"""Split text into stream units and count tokens, CJK-aware.

The `token` unit approximates the pieces a BPE tokenizer (cl100k/o200k) emits:
each CJK character is one token, an English word with its leading space is one
token up to 8 letters and is cut into 4-letter pieces beyond, digits go in
groups of up to 3, every other symbol is its own token, and a run of
whitespace ending in a newline is one token. Token counts in `usage` use the
same rule, so they are plausible for both Chinese and English text.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Callable, Iterator

if TYPE_CHECKING:
    import regex

_CJK = (
    "\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\uff00-\uffef"
)
_TOKEN = (
    rf"[{_CJK}]"  # one CJK character or full-width punctuation
    rf"| ?[^\W\d_{_CJK}]+"  # a word, with its leading space
    r"| ?\d{1,3}"  # up to three digits
    r"|\s*\n|\s+(?!\S)|\s"  # newlines, trailing and lone spaces
    r"| ?[^\s\w]"  # one symbol, with its leading space
    r"|_"
)
_WORD = rf"[{_CJK}]|\s*[^\s{_CJK}]+|\s+"
_LONG_WORD = 8
_WORD_PIECE = 4


def tokens(text: str) -> Iterator[str]:
    """Yield approximate tokenizer pieces; joined they give `text` back."""
    for match in _compiled(_TOKEN).finditer(text):
        piece = match.group()
        if len(piece.strip()) > _LONG_WORD and piece.strip().isalpha():
            yield from _cut(piece, _WORD_PIECE)
        else:
            yield piece


def _cut(piece: str, size: int) -> Iterator[str]:
    start = 1 if piece.startswith(" ") else 0
    yield piece[: start + size]
    for i in range(start + size, len(piece), size):
        yield piece[i : i + size]


def words(text: str) -> Iterator[str]:
    """Yield words with their leading whitespace; each CJK character alone."""
    for match in _compiled(_WORD).finditer(text):
        yield match.group()


def chars(text: str) -> Iterator[str]:
    """Yield one user-perceived character (an extended grapheme cluster: 👨‍👩‍👧 or e + U+0301) at a time."""
    for match in _graphemes().finditer(text):
        yield match.group()


def codepoints(text: str) -> Iterator[str]:
    """Yield one Unicode code point at a time, so a cluster such as 👨‍👩‍👧 arrives in parts."""
    yield from text


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    """`pattern` compiled on first use (about 5 ms for the two here), not at import."""
    return re.compile(pattern)


@lru_cache(maxsize=1)
def _graphemes() -> regex.Pattern[str]:
    """The grapheme-cluster pattern (UAX #29), compiled on first use."""
    import regex

    return regex.compile(r"\X")


SPLITTERS: dict[str, Callable[[str], Iterator[str]]] = {
    "char": chars,
    "codepoint": codepoints,
    "word": words,
    "token": tokens,
}


def count(text: str) -> int:
    """Count approximate tokens in `text`."""
    return sum(1 for _ in tokens(text))


def count_messages(messages: list[str]) -> int:
    """Count prompt tokens for chat messages: content plus 3 per message and 3 to prime the reply."""
    return sum(count(m) + 3 for m in messages) + 3
