"""The frozen dataclasses every pipeline stage speaks.

Events (what the model "says") flow from a compiled scenario through event
transforms into a dialect. Wire items (what goes on the socket) flow from the
dialect through wire transforms into the player. `Delay` is both: a dialect
passes it through unchanged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Union


@dataclass(frozen=True, slots=True)
class Text:
    """Answer text: a whole `say` step before chunking, one delta after."""

    text: str


@dataclass(frozen=True, slots=True)
class Think:
    """Reasoning text, framed where the dialect has a place for it."""

    text: str


@dataclass(frozen=True, slots=True)
class ToolCall:
    """A call of a tool the request offers: `arguments` is the whole JSON text.

    `index` counts the calls of one answer from 0 (parallel calls have
    consecutive indexes); `id` is the scenario's own call id, or None for one
    the dialect derives from the seed in its provider's style
    (`Call.tool_call_id`). After chunking, `ToolArgs` fragments of `arguments`
    follow the call, for dialects that stream arguments; dialects that send a
    call whole use `arguments` and ignore the fragments. `output` is a result
    the scenario gives for UI streams that show tool outputs (None: none).
    """

    index: int
    id: str | None
    name: str
    arguments: str
    output: Any = None


@dataclass(frozen=True, slots=True)
class ToolArgs:
    """One streamed fragment of the arguments of the tool call with this `index`."""

    index: int
    text: str


@dataclass(frozen=True, slots=True)
class Delay:
    """Wait this many milliseconds (before speed scaling) before what follows.

    `own_write` marks the wait before a stream's closing frames (or an error
    frame after text): what follows also goes out as its own write, at least
    the wire gap after the previous one, even at speed 0.
    """

    ms: float
    own_write: bool = False


@dataclass(frozen=True, slots=True)
class Finish:
    """The answer ends with this finish reason."""

    reason: str = "stop"


@dataclass(frozen=True, slots=True)
class Usage:
    """Token counts to report instead of the counted ones (None keeps counted)."""

    prompt_tokens: int | None = None
    completion_tokens: int | None = None


@dataclass(frozen=True, slots=True)
class Error:
    """A failure the scenario asks for, shaped by the dialect.

    `delivery` says how: `auto` = an HTTP response with `status` before the
    first byte, the dialect's in-stream error frame after it; `in_band` = always
    the in-stream frame in a 200 stream; `chunked` / `length` = an HTTP response
    with `status` whose body is sent chunked / with Content-Length. `extra`
    holds more fields of the error object; they override the shaped ones.
    `variants` are the same error as other providers send it (provider name →
    error, from a preset's `providers`); a dialect shapes `sent_by(its provider)`.
    """

    message: str
    status: int = 500
    code: int | str | None = None
    type: str | None = None
    param: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    delivery: str = "auto"
    extra: tuple[tuple[str, Any], ...] = ()
    variants: tuple[tuple[str, Error], ...] = ()

    def sent_by(self, provider: str | None) -> Error:
        """This error as `provider` sends it: its variant for that provider, else itself."""
        return next((error for name, error in self.variants if name == provider), self)

    @property
    def retry_after_ms(self) -> float | None:
        """The wait its headers ask of a client: `retry-after-ms`, else `retry-after` in seconds; None if neither is a number."""
        found = {name.lower(): value for name, value in self.headers}
        for name, scale in (("retry-after-ms", 1), ("retry-after", 1000)):
            try:
                value = float(found[name]) * scale
            except (KeyError, ValueError):
                continue
            if math.isfinite(value) and value >= 0:
                return value
        return None


@dataclass(frozen=True, slots=True)
class Fault:
    """A transport fault strikes at this point of the stream; `spec` (a `mockllm.scenarios.faults` model) says which."""

    spec: Any


Event = Union[Text, Think, ToolCall, ToolArgs, Delay, Finish, Usage, Error, Fault]
#: Events that are model output: each is paced like a delta.
DELTAS = (Text, Think, ToolCall, ToolArgs)


@dataclass(frozen=True, slots=True)
class Respond:
    """A complete HTTP response (errors before the first byte, whole answers).

    `chunked` sends the body with chunked transfer instead of Content-Length.
    """

    status: int
    body: bytes
    content_type: str = "application/json"
    headers: tuple[tuple[str, str], ...] = field(default=())
    chunked: bool = False


@dataclass(frozen=True, slots=True)
class Gap:
    """Leave at least this many real milliseconds (never scaled by speed) after the previous write.

    Wire transforms put one between writes that must reach the client as
    separate reads; unlike `Delay` it only sets a floor and never moves the
    planned deadlines of what follows.
    """

    ms: float


@dataclass(frozen=True, slots=True)
class Abort:
    """Reset the connection here (TCP RST); nothing follows."""


@dataclass(frozen=True, slots=True)
class Close:
    """Close the connection here; `clean` first ends the HTTP body properly (the chunked terminator).

    On a WebSocket, `clean` sends a close frame with `code` and `reason`
    (default 1000); not clean drops the connection with no close frame (the
    client sees 1006).
    """

    clean: bool = True
    code: int | None = None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Hang:
    """Send nothing more; close the connection after `ms` real milliseconds (None: at the maximum stream duration)."""

    ms: float | None = None


WireItem = Union[bytes, Delay, Respond, Gap, Abort, Close, Hang]
