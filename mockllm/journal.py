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
        self._done: set[int] = set()

    def record(self, entry: dict[str, Any]) -> dict[str, Any]:
        """Add an entry (numbered from 1) and return it; it may be completed later."""
        entry = {"id": next(self._ids), **entry}
        if len(self._entries) == self._entries.maxlen:
            self._done.discard(self._entries[0]["id"])
        self._entries.append(entry)
        return entry

    def entries(
        self, *, scenario: str | None = None, path: str | None = None, limit: int | None = None, **more: Any
    ) -> list[dict[str, Any]]:
        """Entries oldest first that `matches` keeps, at most the last `limit`."""
        found = [e for e in self._entries if self.matches(e, scenario=scenario, path=path, **more)]
        return found[-limit:] if limit else found

    def matches(
        self,
        entry: dict[str, Any],
        *,
        scenario: str | None = None,
        path: str | None = None,
        session: str | None = None,
        since: int = 0,
        finished: bool = False,
    ) -> bool:
        """Whether `entry` is one scenario's, path's, session's, numbered after `since`, finished (when asked)."""
        wanted = {"scenario": scenario, "path": path, "session": session}
        return (
            entry["id"] > since
            and all(value is None or entry.get(key) == value for key, value in wanted.items())
            and (not finished or entry["id"] in self._done)
        )

    def finished(self, entry: dict[str, Any]) -> None:
        """Mark `entry` complete and announce it to every subscriber (long-polls, live feeds)."""
        self._done.add(entry["id"])
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

    def clear(self, session: str | None = None) -> int:
        """Forget every entry, or one session's; return how many were forgotten."""
        kept = [e for e in self._entries if session is not None and e.get("session") != session]
        count = len(self._entries) - len(kept)
        self._entries = deque(kept, maxlen=self._entries.maxlen)
        self._done &= {e["id"] for e in kept}
        return count

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

