"""What every fault has: a name, a `rate`, a point in the stream, and its bytes at that point.

Each fault module defines a `FaultSpec` subclass and registers it under its
name with `@register("name")`; a scenario's `faults:` entry (and a
`disconnect` step) is read by `parse_fault`, which reports an unknown name
with the valid ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar, Literal, TypeVar

from pydantic import Field, PlainValidator, model_validator
from pydantic_core import PydanticCustomError

from mockllm.core.events import WireItem
from mockllm.scenarios.strict_model import Strict

FAULTS: dict[str, type[FaultSpec]] = {}
PLACEMENT_KEYS = ("before_headers", "after_deltas", "after_ms")


@dataclass(frozen=True)
class Point:
    """Where a fault strikes.

    `start`: before anything is sent; `deltas`: right after delta number
    `value`; `ms`: `value` ms into the stream's timeline; `end`: after the
    answer's last event, before the dialect's closing frames; `last_frame`: on
    the stream's very last frame.
    """

    at: Literal["start", "deltas", "ms", "end", "last_frame"]
    value: float = 0


@dataclass(frozen=True)
class StreamFacts:
    """What a fault may need to know of the stream it strikes."""

    heartbeat: bytes | None = None  # the dialect's keep-alive bytes (an SSE comment), None when it has none
    struck: list[str] = field(default_factory=list, compare=False)  # the names of the faults struck so far (metrics)


START = Point("start")
END = Point("end")
LAST_FRAME = Point("last_frame")


class FaultSpec(Strict):
    """One fault of a scenario; subclasses add their attributes."""

    fault: str
    rate: float = Field(1.0, ge=0, le=1, description="chance it strikes, drawn from the request's seeded RNG")

    name: ClassVar[str]
    #: Nothing of the stream follows it.
    ends_stream: ClassVar[bool] = False
    #: It changes a frame: it waits for one when none is at its point.
    needs_frame: ClassVar[bool] = False
    #: From its point on, every frame goes out as `reshape` makes it.
    reshapes: ClassVar[bool] = False

    def point(self) -> Point:
        """Where it strikes."""
        return START

    def strike(self, frame: bytes | None, stream: StreamFacts) -> Iterator[WireItem]:
        """Yield what goes on the wire at its point, in place of `frame` (the frame there, if any)."""
        if frame is not None:
            yield frame

    def reshape(self, frame: bytes) -> Iterator[WireItem]:
        """How a frame after its point goes out (when `reshapes`)."""
        yield frame


class Placed(FaultSpec):
    """A fault the scenario places: before headers, after N deltas or after N ms (at most one)."""

    before_headers: bool = Field(False, description="strike before the status line is sent")
    after_deltas: int | None = Field(None, ge=0, description="strike right after this many deltas")
    after_ms: float | None = Field(None, ge=0, description="strike this many ms into the stream (scaled by speed)")

    #: Where it strikes when no placement is given.
    default_point: ClassVar[Point] = END

    @model_validator(mode="after")
    def _one_placement(self) -> Placed:
        given = [key for key in PLACEMENT_KEYS if key in self.model_fields_set and getattr(self, key) not in (None, False)]
        if len(given) > 1:
            raise ValueError(f"a fault has one placement; got {', '.join(given)}")
        return self

    def point(self) -> Point:
        if self.before_headers:
            return START
        if self.after_deltas is not None:
            return Point("deltas", self.after_deltas)
        if self.after_ms is not None:
            return Point("ms", self.after_ms)
        return self.default_point


Spec = TypeVar("Spec", bound=type[FaultSpec])


def register(name: str) -> Callable[[Spec], Spec]:
    """Register a fault model under its name."""

    def add(cls: Spec) -> Spec:
        cls.name = name
        FAULTS[name] = cls
        return cls

    return add


def parse_fault(value: Any, allowed: Callable[[type[FaultSpec]], bool] = lambda cls: True) -> FaultSpec:
    """Read a fault: a name (`reset`) or a mapping with `fault: NAME` and its attributes."""
    if isinstance(value, FaultSpec):
        return value
    if isinstance(value, str):
        value = {"fault": value}
    if not isinstance(value, dict):
        raise PydanticCustomError("fault_type", "a fault is a name or a mapping with `fault: NAME`")
    valid = [name for name, cls in FAULTS.items() if allowed(cls)]
    name = value.get("fault")
    if name not in valid:
        raise PydanticCustomError(
            "unknown_fault",
            "unknown fault {name}; valid faults: {valid}",
            {"name": repr(name) if name is not None else "(no `fault:` key)", "valid": ", ".join(valid)},
        )
    return FAULTS[name].model_validate(value)


FaultEntry = Annotated[FaultSpec, PlainValidator(parse_fault)]
"""A `faults:` entry of a scenario."""
