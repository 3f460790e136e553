"""Faults that end the connection: `reset`, `close`, `hang`, `no_response`.

Each yields one wire item the player acts on (`Abort`, `Close`, `Hang`) and
nothing of the stream follows it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, ClassVar

from pydantic import Field, PlainValidator
from pydantic_core import PydanticCustomError

from mockllm.core.events import Abort, Close, Hang, WireItem
from mockllm.scenarios.faults.base import (
    PLACEMENT_KEYS,
    START,
    FaultSpec,
    Placed,
    Point,
    StreamFacts,
    parse_fault,
    register,
)


class Ending(Placed):
    """A placed fault after which nothing of the stream is sent."""

    ends_stream: ClassVar[bool] = True

    def strike(self, frame: bytes | None, stream: StreamFacts) -> Iterator[WireItem]:
        if frame is not None:
            yield frame
        yield self.ending()

    def ending(self) -> WireItem:
        """The wire item that ends the connection."""
        raise TypeError(f"{type(self).__name__} defines no ending")


@register("reset")
class ResetFault(Ending):
    """The TCP connection is reset (RST): the client's read fails with ECONNRESET."""

    def ending(self) -> WireItem:
        return Abort()


@register("close")
class CloseFault(Ending):
    """The stream ends without the dialect's closing frames (no finish, no `[DONE]`); on a WebSocket, a close frame with `code`."""

    clean: bool = Field(
        True, description="end the HTTP body properly; false closes the connection without the chunked terminator"
    )
    code: int | None = Field(None, ge=1000, le=4999, description="WebSocket close code, e.g. 4001 (HTTP ignores it)")
    reason: str = Field("", max_length=123, description="WebSocket close reason (HTTP ignores it)")

    def ending(self) -> WireItem:
        return Close(self.clean, self.code, self.reason)


@register("hang")
class HangFault(Ending):
    """Nothing more is sent; the connection stays open, then closes (without the chunked terminator)."""

    ms: float | None = Field(None, ge=0, description="real ms before closing; none = at the maximum stream duration")

    def ending(self) -> WireItem:
        return Hang(self.ms)


@register("no_response")
class NoResponseFault(FaultSpec):
    """The request is read but no status line ever comes; the connection closes after `ms`."""

    ends_stream: ClassVar[bool] = True
    ms: float | None = Field(None, ge=0, description="real ms before closing; none = at the maximum stream duration")

    def point(self) -> Point:
        return START

    def strike(self, frame: bytes | None, stream: StreamFacts) -> Iterator[WireItem]:
        yield Hang(self.ms)


def parse_disconnect(value: Any) -> FaultSpec:
    """Read a `disconnect` step: `reset`, `close`, `hang`, or a mapping like `{fault: hang, ms: 3000}`."""
    if isinstance(value, dict):
        for key in PLACEMENT_KEYS:
            if key in value:
                raise PydanticCustomError(
                    "placement_in_step", "a disconnect step strikes where it stands; remove `{key}`", {"key": key}
                )
    return parse_fault(value, allowed=lambda cls: issubclass(cls, Ending))


DisconnectEntry = Annotated[FaultSpec, PlainValidator(parse_disconnect)]
"""The value of a `disconnect` step."""
