"""Golden files: bytes a route must send, kept under tests/golden/, compared exactly and rewritten on purpose.

A test asks for the `golden` fixture and calls `golden.check("bedrock/hello.stream.bin", body)`.
`pytest --regen-golden [paths]` rewrites every golden file those tests check (then review the diff);
a missing file fails with that command in the message.
"""

from __future__ import annotations

import difflib
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent / "golden"


def readable_diff(expected: bytes, actual: bytes, name: str) -> str:
    """A unified diff, one line per frame, of two bodies (binary bytes shown as escapes)."""
    old, new = (b.decode("utf-8", "backslashreplace").splitlines(keepends=True) for b in (expected, actual))
    return "".join(difflib.unified_diff(old, new, fromfile=f"golden/{name}", tofile="served", n=1))


class Golden:
    """Compare bytes with golden files, or rewrite them when regenerating."""

    def __init__(self, regenerate: bool, test_file: str) -> None:
        self.regenerate = regenerate
        self.command = f"pytest --regen-golden {test_file}"

    def check(self, name: str, actual: bytes) -> None:
        """Assert `actual` equals tests/golden/`name`; with --regen-golden, write it there instead."""
        path = GOLDEN / name
        if self.regenerate:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(actual)
            return
        assert path.exists(), f"no golden file {name}; if the test is new: {self.command}"
        expected = path.read_bytes()
        assert actual == expected, f"{name} differs from what is served; if the change is intended: {self.command}\n{readable_diff(expected, actual, name)}"
