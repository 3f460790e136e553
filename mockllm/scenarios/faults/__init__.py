"""Transport faults a client must survive, named by symptom: the `faults:` entries of a scenario.

A scenario lists them under `faults:` (or puts a `disconnect` step where one
strikes). Each fault module registers its model by name beside its
definition; the model knows its bytes at the point it strikes. Where and
whether they strike is the stream's business (`mockllm.stream.faults`).
"""

from __future__ import annotations

from mockllm.scenarios.faults import connection, frames, timing
from mockllm.scenarios.faults.base import FAULTS, FaultEntry, FaultSpec, Placed, Point, StreamFacts, parse_fault, register
from mockllm.scenarios.faults.connection import DisconnectEntry

__all__ = ["FAULTS", "DisconnectEntry", "FaultEntry", "FaultSpec", "Placed", "Point", "StreamFacts", "connection", "frames", "parse_fault", "register", "timing"]
