"""Rewrite line endings to LF or CRLF: this one changes the bytes, by design."""

from __future__ import annotations

import re
from typing import Iterable, Iterator, Literal

from mockllm.core.events import WireItem
from mockllm.stream.wire.frames import each_frame

_LONE_LF = re.compile(rb"(?<!\r)\n")


def with_line_endings(frame: bytes, ending: Literal["lf", "crlf"]) -> bytes:
    """`frame` with every line ending made `\\n` (lf) or `\\r\\n` (crlf)."""
    return _LONE_LF.sub(b"\r\n", frame) if ending == "crlf" else frame.replace(b"\r\n", b"\n")


def line_endings(items: Iterable[WireItem], ending: Literal["lf", "crlf"]) -> Iterator[WireItem]:
    """Turn every line ending of every frame into `\\n` (lf) or `\\r\\n` (crlf)."""
    return each_frame(items, lambda frame: (with_line_endings(frame, ending),))
