"""Transport faults a client must survive, named by symptom.

A scenario lists them under `faults:` (or puts a `disconnect` step where one
strikes). Each fault module registers its models by name; `placement` decides
which strike (`rate`) and where in the events; `splice` applies them to the
dialect's frames; the player acts on the `Abort`, `Close` and `Hang` items.
"""

from __future__ import annotations

from . import connection, frames, timing
from .base import (
    FAULTS,
    FaultEntry,
    FaultSpec,
    Placed,
    Point,
    StreamFacts,
    parse_fault,
    register,
)
from .connection import DisconnectEntry
from .placement import draw, place, uses_faults
from .splice import with_faults

__all__ = [
    "FAULTS",
    "DisconnectEntry",
    "FaultEntry",
    "FaultSpec",
    "Placed",
    "Point",
    "StreamFacts",
    "connection",
    "draw",
    "frames",
    "parse_fault",
    "place",
    "register",
    "timing",
    "uses_faults",
    "with_faults",
]
