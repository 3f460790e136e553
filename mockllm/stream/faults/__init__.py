"""Where a scenario's faults strike (`placement`) and how they are spliced into the dialect's frames (`splice`)."""

from __future__ import annotations

from mockllm.stream.faults.placement import draw, place, uses_faults
from mockllm.stream.faults.splice import with_faults

__all__ = ["draw", "place", "uses_faults", "with_faults"]
