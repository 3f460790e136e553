"""The request journal: what clients sent and what they got, newest last.

Bounded twice: by entry count and by bytes. A finished entry keeps its
small fields as a dict (for filtering) and its bulky ones (headers, query,
body, write log) packed as JSON bytes, so memory is what the JSON weighs and a read can
stream entries without re-encoding them. Everything stored is JSON-safe.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections import deque
from typing import Any, Iterator

from mockllm.core.redact import redact_json

#: How many finished entries a slow subscriber may fall behind before the oldest are dropped for it.
SUBSCRIBER_BACKLOG = 256
#: The fields kept packed as JSON bytes once an entry is finished.
PACKED = ("query", "headers", "body", "write_log")
#: Packed fields the server builds from numbers alone: JSON-safe as made, nothing in them to redact.
SERVER_MADE = frozenset({"write_log"})
_PACK_KEY = "_packed"
_ENTRY_OVERHEAD = 256  # bytes a finished entry's small fields and dict cost, roughly


class Journal:
    """A bounded, in-memory record of recent requests."""

    def __init__(self, size: int = 1000, max_bytes: int = 32 * 1024 * 1024) -> None:
        self._entries: deque[dict[str, Any]] = deque()
        self._size = size
        self._max_bytes = max_bytes
        self._bytes = 0
        self._ids = itertools.count(1)
        self._subscribers: set[asyncio.Queue[dict[str, Any]]] = set()
        self._done: set[int] = set()

    def record(self, entry: dict[str, Any]) -> dict[str, Any]:
        """Add an entry (numbered from 1) and return it; it may be completed later."""
        entry = {"id": next(self._ids), **entry}
        self._entries.append(entry)
        self._trim()
        return entry

    def entries(self, *, limit: int | None = None, **filters: Any) -> list[dict[str, Any]]:
        """Entries oldest first that `matches` keeps: the last `limit`, or with `since` the first `limit` (a cursor)."""
        return [public(e) for e in self._select(limit, filters)]

    def json_chunks(self, *, limit: int | None = None, **filters: Any) -> Iterator[bytes]:
        """The same selection as `entries`, as pieces of one JSON array (for a streamed response)."""
        yield b"["
        for n, entry in enumerate(self._select(limit, filters)):
            yield (b",\n" if n else b"") + entry_json(entry)
        yield b"]"

    def _select(self, limit: int | None, filters: dict[str, Any]) -> list[dict[str, Any]]:
        found = [e for e in self._entries if self.matches(e, **filters)]
        if not limit:
            return found
        return found[:limit] if filters.get("since") is not None else found[-limit:]

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
        """Pack `entry` (now complete) and announce it to every subscriber (long-polls, live feeds)."""
        if _PACK_KEY in entry:
            return
        _pack(entry)
        self._done.add(entry["id"])
        if self._entries and entry["id"] >= self._entries[0]["id"]:  # still kept: ids only grow, and only the oldest go
            self._bytes += _weight(entry)
            self._trim()
        if not self._subscribers:
            return
        view = public(entry)
        for queue in self._subscribers:
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(view)

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
        self._entries = deque(kept)
        self._done &= {e["id"] for e in kept}
        self._bytes = sum(_weight(e) for e in kept)
        return count

    @property
    def bytes(self) -> int:
        """What the finished entries weigh (their JSON), roughly."""
        return self._bytes

    def _trim(self) -> None:
        """Drop the oldest entries past the entry or byte bound (the newest always stays)."""
        while len(self._entries) > 1 and (len(self._entries) > self._size or self._bytes > self._max_bytes):
            dropped = self._entries.popleft()
            self._bytes -= _weight(dropped)
            self._done.discard(dropped["id"])

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return (public(e) for e in self._entries)

    def __len__(self) -> int:
        return len(self._entries)


def public(entry: dict[str, Any]) -> dict[str, Any]:
    """An entry as readers see it: packed fields unpacked (a live entry as it is now)."""
    packed = entry.get(_PACK_KEY)
    if packed is None:
        return redact_json(entry)
    small = {k: v for k, v in entry.items() if k != _PACK_KEY}
    return {**small, **json.loads(packed)}


def entry_json(entry: dict[str, Any]) -> bytes:
    """One entry as JSON bytes; a finished entry's packed fields are spliced in, not re-encoded."""
    packed = entry.get(_PACK_KEY)
    if packed is None:
        return _dumps(redact_json(entry))
    small = _dumps({k: v for k, v in entry.items() if k != _PACK_KEY})
    return small[:-1] + b"," + packed[1:] if packed != b"{}" else small


def _pack(entry: dict[str, Any]) -> None:
    """Make `entry` JSON-safe in place and move its bulky fields into packed JSON bytes."""
    bulky = {k: entry.pop(k) for k in PACKED if k in entry}
    small = redact_json(entry)
    entry.clear()
    entry.update(small)
    entry[_PACK_KEY] = _dumps({k: v if k in SERVER_MADE else redact_json(v) for k, v in bulky.items()})


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")


def _weight(entry: dict[str, Any]) -> int:
    packed = entry.get(_PACK_KEY)
    return _ENTRY_OVERHEAD + len(packed) if packed is not None else 0
