"""Cut writes into pieces of at most N bytes (`max_write_bytes`), mid-JSON and mid-character included."""

from __future__ import annotations

from typing import Iterable, Iterator

from mockllm.core.events import WireItem
from mockllm.stream.wire.frames import each_frame


def slice_writes(items: Iterable[WireItem], max_write_bytes: int) -> Iterator[WireItem]:
    """Cut every frame into consecutive pieces of `max_write_bytes` (the last may be shorter)."""

    def cut(frame: bytes) -> list[bytes]:
        return [frame[i : i + max_write_bytes] for i in range(0, len(frame), max_write_bytes)]

    return each_frame(items, cut)
