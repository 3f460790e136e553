"""Send the stream's closing frames in the same write as the frame before them (`merge_end`)."""

from __future__ import annotations

from typing import Iterable, Iterator

from mockllm.core.events import Delay, WireItem


def merge_end(items: Iterable[WireItem]) -> Iterator[WireItem]:
    """Join the closing frames (after the last `own_write` wait) to the frame before that wait, in one write.

    Items are held back from the newest frame on while an own-write wait
    follows it; a later own-write wait shows the held one was not the last, and
    releases what came before its own frame. The merged write goes out when its
    last frame was due, as `coalesce` does.
    """
    held: list[WireItem] = []
    for item in items:
        if type(item) is Delay and item.own_write:
            frame = _last_frame(held)
            if frame is None:
                yield from held
                held = [item]
            else:
                yield from held[:frame]
                held = [*held[frame:], item]
        elif isinstance(item, bytes) and not _waits(held):
            yield from held
            held = [item]
        else:
            held.append(item)
    yield from _merged(held)


def _waits(held: list[WireItem]) -> bool:
    return any(type(item) is Delay and item.own_write for item in held)


def _last_frame(held: list[WireItem]) -> int | None:
    for index in range(len(held) - 1, -1, -1):
        if isinstance(held[index], bytes):
            return index
    return None


def _merged(held: list[WireItem]) -> Iterator[WireItem]:
    """The held tail with its first frame joined to the first closing frame (when both are there)."""
    if not held or not isinstance(held[0], bytes) or not _waits(held):
        yield from held
        return
    first = held[0]
    rest = held[1:]
    for index, item in enumerate(rest):
        if isinstance(item, bytes):
            yield from rest[:index]
            yield first + item
            yield from rest[index + 1 :]
            return
    yield first
    yield from rest
