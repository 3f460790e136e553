"""Problems in scenario files, each placed at `file:line: path: message`, and the limits past which a file is one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

MAX_FILE_BYTES = 1024 * 1024
MAX_DOCUMENTS = 500
MAX_DEPTH = 40
#: Nodes a document may hold once every alias is expanded (a few hundred is typical).
MAX_NODES = 50_000


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


def dotted(loc: Sequence[str | int]) -> str:
    """Format a location as `steps[2].delay_ms`."""
    out = ""
    for key in loc:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else str(key))
    return out
