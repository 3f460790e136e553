"""Run every benchmark and print one table: start-up, --speed 0, pipeline, pacing, CPU per frame, connects, fairness.

The streams table of the pacer (N = 100 … 5,000) is `bench/streams.py`, run on its own.

Loopback only; takes about a minute and a half. Each measure is also a script
of its own with options (`python bench/pacing.py --help`).

    python bench/run.py [--only startup,pacing]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
from typing import Callable

import aiohttp
import ci
import connects
import cpu
import fairness
import instant
import pacing
import pipeline
import startup
from table import Row, print_table

MEASURES: dict[str, Callable[[], list[Row]]] = {
    "startup": startup.measure,
    "instant": instant.measure,
    "pipeline": pipeline.measure,
    "pacing": pacing.measure,
    "cpu": cpu.measure,
    "connects": connects.measure,
    "ci": ci.measure,
    "fairness": fairness.measure,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(MEASURES), help=f"comma-separated, from: {', '.join(MEASURES)}")
    names = parser.parse_args().only.split(",")
    unknown = [n for n in names if n not in MEASURES]
    if unknown:
        parser.error(f"unknown measure {', '.join(unknown)}; choose from {', '.join(MEASURES)}")
    print(
        f"Python {platform.python_version()}, aiohttp {aiohttp.__version__}, {platform.system()} {platform.release()}, "
        f"{os.cpu_count()} CPUs",
        file=sys.stderr,
    )
    rows: list[Row] = []
    for name in names:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        rows += MEASURES[name]()
    print_table(rows)


if __name__ == "__main__":
    main()
