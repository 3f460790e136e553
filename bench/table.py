"""Result rows and the compact table the benchmarks print."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Sequence


@dataclass(frozen=True)
class Row:
    """One measured figure: what, the value, and what it is compared with."""

    measure: str
    value: str
    target: str = ""


def print_table(rows: Sequence[Row]) -> None:
    """Print rows as aligned columns under a header."""
    table = [Row("measure", "value", "target / reference"), *rows]
    width_m = max(len(r.measure) for r in table)
    width_v = max(len(r.value) for r in table)
    for i, row in enumerate(table):
        print(f"{row.measure:<{width_m}}  {row.value:<{width_v}}  {row.target}".rstrip(), flush=True)
        if i == 0:
            print(f"{'-' * width_m}  {'-' * width_v}  {'-' * 18}")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def median(values: Sequence[float]) -> float:
    return statistics.median(values)
