"""Cut writes inside multibyte UTF-8 characters (`split_utf8`)."""

from __future__ import annotations

from typing import Iterable, Iterator, Literal

from mockllm.core.events import WireItem
from mockllm.stream.wire.frames import each_frame


def utf8_length(lead: int) -> int:
    """The length of the UTF-8 sequence a lead byte starts (1 for ASCII and stray continuation bytes)."""
    if lead >= 0xF0:
        return 4
    if lead >= 0xE0:
        return 3
    if lead >= 0xC0:
        return 2
    return 1


def cut_points(frame: bytes, every: bool) -> list[int]:
    """Offsets just after the lead byte of the first (or every) multibyte character wholly inside `frame`."""
    points = []
    for i, byte in enumerate(frame):
        length = utf8_length(byte)
        if length > 1 and i + length <= len(frame):
            points.append(i + 1)
            if not every:
                break
    return points


def split_utf8(items: Iterable[WireItem], mode: Literal["first", "every"]) -> Iterator[WireItem]:
    """Cut each frame right after the lead byte of its first (or every) multibyte character.

    Each piece but the last then ends inside a character, so a client reading
    it alone sees an incomplete UTF-8 sequence. Frames without multibyte
    characters pass unchanged.
    """

    def cut(frame: bytes) -> list[bytes]:
        edges = [0, *cut_points(frame, every=mode == "every"), len(frame)]
        return [frame[a:b] for a, b in zip(edges, edges[1:])] if len(edges) > 2 else [frame]

    return each_frame(items, cut)
