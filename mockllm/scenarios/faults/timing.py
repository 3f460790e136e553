"""Faults of timing: `slow_first_token`, `trickle`, `keepalive`.

Their waits are `Delay`s on the stream's timeline, so `--speed` scales them
like all pacing.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import ClassVar

from pydantic import Field

from mockllm.core.events import Delay, WireItem
from mockllm.scenarios.faults.base import START, FaultSpec, Placed, Point, StreamFacts, register


@register("slow_first_token")
class SlowFirstTokenFault(FaultSpec):
    """An extra wait before anything is sent, on top of the scenario's `first_token_ms`."""

    ms: float = Field(ge=0, description="extra ms before the first byte")

    def point(self) -> Point:
        return START

    def strike(self, frame: bytes | None, stream: StreamFacts) -> Iterator[WireItem]:
        yield Delay(self.ms)


@register("trickle")
class TrickleFault(Placed):
    """From its point on (by default from the start), every frame goes out a few bytes at a time."""

    default_point: ClassVar[Point] = START
    reshapes: ClassVar[bool] = True
    bytes_per_s: float = Field(gt=0, description="bytes per second")
    chunk_bytes: int = Field(1, ge=1, description="bytes per write")

    def strike(self, frame: bytes | None, stream: StreamFacts) -> Iterator[WireItem]:
        if frame is not None:
            yield from self.reshape(frame)

    def reshape(self, frame: bytes) -> Iterator[WireItem]:
        wait = 1000 * self.chunk_bytes / self.bytes_per_s
        for i in range(0, len(frame), self.chunk_bytes):
            yield Delay(wait)
            yield frame[i : i + self.chunk_bytes]


@register("keepalive")
class KeepaliveFault(FaultSpec):
    """While "queued", before the answer starts: the dialect's keep-alive comment every `every_ms` for `for_ms`."""

    every_ms: float = Field(1000, gt=0, description="ms between keep-alive frames")
    for_ms: float = Field(ge=0, description="ms of queueing before the answer starts")
    text: str | None = Field(None, min_length=1, description="bytes to send instead of the dialect's keep-alive")

    def point(self) -> Point:
        return START

    def strike(self, frame: bytes | None, stream: StreamFacts) -> Iterator[WireItem]:
        beat = self.text.encode() if self.text is not None else stream.heartbeat
        for i in range(math.ceil(self.for_ms / self.every_ms)):
            if beat:
                yield beat
            yield Delay(min(self.every_ms, self.for_ms - i * self.every_ms))
