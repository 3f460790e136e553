"""The `wire:` block: where network writes break, and the two byte rewrites."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from mockllm.scenarios.strict_model import Strict

#: Real milliseconds left between writes when a break option is on and `gap_ms` is not set:
#: enough for each write to reach a client on loopback or a LAN as its own read.
DEFAULT_BREAK_GAP_MS = 10.0


class WireConfig(Strict):
    """How the framed stream is cut into writes; the defaults change nothing."""

    split_utf8: Literal["off", "first", "every"] = Field(
        "off", description="cut each write inside its first (`first`, or `true`) or every (`every`) multibyte character"
    )
    frames_per_write: int = Field(1, ge=1, le=10_000, description="merge this many content frames into one write")
    merge_end: bool = Field(
        False, description="send the end marker (the closing frames) in the same write as the frame before it, with no gap"
    )
    max_write_bytes: int | None = Field(None, ge=1, description="cut writes into pieces of at most this many bytes")
    gap_ms: float | None = Field(
        None, ge=0, le=60_000, description="real milliseconds at least between writes, never scaled by speed"
    )
    line_ending: Literal["lf", "crlf"] | None = Field(None, description="rewrite line endings of every frame")
    data_space: bool | None = Field(None, description="SSE `data: ` with (true) or without (false) the space")
    heartbeat_ms: float | None = Field(None, ge=1, description="a heartbeat after this many ms without a write")
    heartbeat_text: str | None = Field(None, min_length=1, description="heartbeat bytes instead of the dialect's")
    sse_id: bool = Field(False, description="number every SSE event with an `id:` field (EventSource resumes after it)")
    sse_retry_ms: int | None = Field(None, ge=0, description="send `retry: N` first: the EventSource reconnection delay")

    @field_validator("split_utf8", mode="before")
    @classmethod
    def _bool_split(cls, value: object) -> object:
        if isinstance(value, bool):
            return "first" if value else "off"
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return "first" if value.lower() == "true" else "off"
        return value

    @property
    def breaks_writes(self) -> bool:
        """Whether any option moves write boundaries (and so wants gaps between writes)."""
        return self.split_utf8 != "off" or self.frames_per_write > 1 or self.max_write_bytes is not None or self.merge_end

    @property
    def write_gap_ms(self) -> float:
        """The gap to leave between writes: `gap_ms`, else the default when writes are broken, else none."""
        if self.gap_ms is not None:
            return self.gap_ms
        return DEFAULT_BREAK_GAP_MS if self.breaks_writes else 0.0
