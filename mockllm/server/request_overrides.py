"""Per-request overrides of speed, seed and pace, from headers or the query string."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from mockllm.core.errors import bad_request


@dataclass(frozen=True)
class Overrides:
    """What a request changes for itself; None keeps the server's setting."""

    speed: float | None = None
    seed: int | None = None
    delay_ms: float | None = None


#: (header, query key, converter) per override.
_FIELDS: dict[str, tuple[str, str, Callable[[str], float | int]]] = {
    "speed": ("X-Mock-Speed", "mock_speed", float),
    "seed": ("X-Mock-Seed", "mock_seed", int),
    "delay_ms": ("X-Mock-Delay-Ms", "mock_delay_ms", float),
}


def read_overrides(headers: Mapping[str, str], query: Mapping[str, str]) -> Overrides:
    """Read the overrides; raise RequestError (400) on a value that is not a number >= 0."""
    values: dict[str, Any] = {}
    for name, (header, key, convert) in _FIELDS.items():
        raw = headers.get(header) or query.get(key)
        if raw is None or raw == "":
            continue
        try:
            value = convert(raw)
        except ValueError:
            value = -1
        if not value >= 0 or value == float("inf"):
            kind = "a whole number" if convert is int else "a number"
            raise bad_request(f"{header} (or ?{key}=) must be {kind} >= 0; got {raw!r}.", header)
        values[name] = value
    return Overrides(**values)


def new_seed() -> int:
    """A fresh seed for a request that named none."""
    return random.SystemRandom().getrandbits(48)
