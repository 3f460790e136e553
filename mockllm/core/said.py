"""Text said piece by piece (one delta each), held in about the memory of the text itself."""

from __future__ import annotations

from array import array
from typing import Iterator

from mockllm.core import tokens

#: Pieces joined into one string at a time: a long stream of one-character deltas keeps few objects.
FOLD = 64


class Said:
    """Text appended one piece at a time: its whole text, and its tokens counted piece by piece.

    A stream keeps what it said for usage counts and closing events; holding
    each one-character delta as its own string object costs about 80 bytes a
    character. Pieces are joined every `FOLD` appends and only their lengths
    kept, so `tokens()` still counts each piece as it was sent.
    """

    __slots__ = ("_folded", "_pending", "_lengths")

    def __init__(self) -> None:
        self._folded: list[str] = []
        self._pending: list[str] = []
        self._lengths = array("I")

    def append(self, piece: str) -> None:
        """Add the next piece."""
        self._pending.append(piece)
        self._lengths.append(len(piece))
        if len(self._pending) >= FOLD:
            self._folded.append("".join(self._pending))
            self._pending = []

    @property
    def text(self) -> str:
        """Everything said, joined."""
        return "".join(self._folded) + "".join(self._pending)

    def pieces(self) -> Iterator[str]:
        """The pieces as they were appended."""
        text, at = self.text, 0
        for length in self._lengths:
            yield text[at : at + length]
            at += length

    def tokens(self) -> int:
        """Tokens counted piece by piece (as a stream reports them), not over the joined text."""
        return sum(map(tokens.count, self.pieces()))

    def __bool__(self) -> bool:
        """Whether any piece (even an empty one) was appended."""
        return bool(self._lengths)
