"""Write SSE `data:` fields with or without the space: this one changes the bytes, by design."""

from __future__ import annotations

import re
from typing import Iterable, Iterator

from mockllm.core.events import WireItem
from mockllm.stream.wire.frames import each_frame

_WITH_SPACE = re.compile(rb"^data: ", re.MULTILINE)
_WITHOUT_SPACE = re.compile(rb"^data:(?! )", re.MULTILINE)


def data_space(items: Iterable[WireItem], space: bool) -> Iterator[WireItem]:
    """Make every line starting with `data:` read `data: value` (space) or `data:value` (no space)."""

    def rewrite(frame: bytes) -> tuple[bytes]:
        if space:
            return (_WITHOUT_SPACE.sub(b"data: ", frame),)
        return (_WITH_SPACE.sub(b"data:", frame),)

    return each_frame(items, rewrite)
