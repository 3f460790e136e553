"""Faults that damage frames: `malformed`, `duplicate`, `missing_separator`.

They work on the bytes the dialect framed, so they apply to every dialect.
The frame a fault works on is the one at its point: with `after_deltas: N`
the frame of delta N; otherwise the first frame sent from its point on.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from mockllm.core.events import WireItem
from mockllm.scenarios.faults.base import LAST_FRAME, Placed, Point, StreamFacts, register

_LINE_ENDINGS = (b"\r\n", b"\n", b"\r")


class FrameFault(Placed):
    """A placed fault that changes one frame."""

    needs_frame: ClassVar[bool] = True


@register("malformed")
class MalformedFault(FrameFault):
    """After the frame, a truncated copy of it: its JSON cut in half, its separator kept."""

    def strike(self, frame: bytes | None, stream: StreamFacts) -> Iterator[WireItem]:
        if frame is not None:
            yield frame
            yield truncated(frame)


@register("duplicate")
class DuplicateFault(FrameFault):
    """The frame is sent twice, as two writes."""

    def strike(self, frame: bytes | None, stream: StreamFacts) -> Iterator[WireItem]:
        if frame is not None:
            yield frame
            yield frame


@register("missing_separator")
class MissingSeparatorFault(FrameFault):
    """The frame loses its last line ending (an SSE event its blank line); by default the stream's last frame."""

    default_point: ClassVar[Point] = LAST_FRAME

    def strike(self, frame: bytes | None, stream: StreamFacts) -> Iterator[WireItem]:
        if frame is not None:
            yield without_line_ending(frame)


def split_ending(frame: bytes) -> tuple[bytes, bytes]:
    """Split a frame into its body and its trailing line endings."""
    body = frame.rstrip(b"\r\n")
    return body, frame[len(body) :]


def truncated(frame: bytes) -> bytes:
    """The frame with its body cut in half (inside the JSON when it has any, on a character boundary)."""
    body, ending = split_ending(frame)
    start = body.find(b"{")
    start = max(start, 0)
    cut = start + (len(body) - start) // 2
    while 0 < cut < len(body) and body[cut] & 0xC0 == 0x80:
        cut -= 1
    return body[: max(cut, start + 1)] + ending


def without_line_ending(frame: bytes) -> bytes:
    """The frame without its last line ending (`\\n\\n` → `\\n`, `\\r\\n` → nothing)."""
    for ending in _LINE_ENDINGS:
        if frame.endswith(ending):
            return frame[: -len(ending)]
    return frame
