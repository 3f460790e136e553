"""Cut a recorded body into its frames (SSE events, JSON values), each with the time of the read that completed it."""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from itertools import accumulate
from typing import Any, Iterator

#: What the proxy read from the upstream: (ms after the request, bytes), in order.
Reads = list[tuple[float, bytes]]

#: A blank line: two line ends, each CRLF, LF or a lone CR.
_EVENT_END = re.compile(rb"(?:\r\n|\r(?!\n)|\n){2}")
_LINE_END = re.compile(rb"\r\n|\r|\n")
#: What may come between JSON values: whitespace, and the brackets and commas of an array sent element by element.
_BETWEEN = re.compile(r"[\s,\[\]]*")
_DECODER = json.JSONDecoder()
DONE = b"[DONE]"


class Timeline:
    """A body as it was received: its bytes, and when the byte at any offset arrived."""

    def __init__(self, reads: Reads) -> None:
        self.body = b"".join(data for _, data in reads)
        self._ends = list(accumulate(len(data) for _, data in reads))
        self._times = [at for at, _ in reads]

    def at(self, end: int) -> float:
        """When the body up to offset `end` had arrived: the time of the read holding byte `end - 1`."""
        return self._times[min(bisect_left(self._ends, end), len(self._times) - 1)]


def sse_data(reads: Reads) -> Iterator[tuple[float, Any]]:
    """The JSON `data` of each SSE event (multi-line data joined; `[DONE]` and data-less events skipped), with when it arrived."""
    timeline = Timeline(reads)
    start = 0
    for end in _EVENT_END.finditer(timeline.body):
        lines = _LINE_END.split(timeline.body[start : end.start()])
        start = end.end()
        data = [line[5:].removeprefix(b" ") for line in lines if line.startswith(b"data:")]
        if data and data != [DONE]:
            yield timeline.at(end.end()), json.loads(b"\n".join(data))


def json_values(reads: Reads) -> Iterator[tuple[float, Any]]:
    """Each JSON value of a body of values one after another (NDJSON lines, or a JSON array's elements), with when it arrived."""
    timeline = Timeline(reads)
    text = timeline.body.decode("utf-8")
    pos = counted = offset = 0
    while True:
        pos = _BETWEEN.match(text, pos).end()  # type: ignore[union-attr]  # the pattern matches the empty string
        if pos == len(text):
            return
        value, pos = _DECODER.raw_decode(text, pos)
        offset += len(text[counted:pos].encode())
        counted = pos
        yield timeline.at(offset), value
