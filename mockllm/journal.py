"""The request journal: what clients sent and what they got, newest last."""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from typing import Any, Iterator

#: How many finished entries a slow subscriber may fall behind before the oldest are dropped for it.
SUBSCRIBER_BACKLOG = 256


class Journal:
    """A bounded, in-memory record of recent requests."""

    def __init__(self, size: int = 1000) -> None:
        self._entries: deque[dict[str, Any]] = deque(maxlen=size)
        self._ids = itertools.count(1)
        self._subscribers: set[asyncio.Queue[dict[str, Any]]] = set()

    def record(self, entry: dict[str, Any]) -> dict[str, Any]:
        """Add an entry (numbered from 1) and return it; it may be completed later."""
        entry = {"id": next(self._ids), **entry}
        self._entries.append(entry)
        return entry

    def entries(self, *, scenario: str | None = None, path: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        """Entries oldest first, optionally only one scenario's or one path's, at most the last `limit`."""
        found = [e for e in self._entries if _keep(e, scenario, path)]
        return found[-limit:] if limit else found

    def finished(self, entry: dict[str, Any]) -> None:
        """Announce that `entry` is complete to every subscriber (long-polls, live feeds)."""
        for queue in self._subscribers:
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(entry)

    def subscribe(self) -> asyncio.Queue[dict[str, Any]]:
        """A queue that receives each entry as it finishes; `unsubscribe` it when done."""
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(SUBSCRIBER_BACKLOG)
        self._subscribers.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[dict[str, Any]]) -> None:
        """Stop delivering entries to `queue`."""
        self._subscribers.discard(queue)

    def clear(self) -> None:
        """Forget every entry."""
        self._entries.clear()

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)


def _keep(entry: dict[str, Any], scenario: str | None, path: str | None) -> bool:
    return (scenario is None or entry.get("scenario") == scenario) and (path is None or entry.get("path") == path)
