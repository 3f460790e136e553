"""Start-up: from launching `python serve.py --port 0` to its banner and to the first answered request.

    python bench/startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import time
import urllib.request

from serverproc import mockllm
from table import Row, median, ms, print_table


def launch_once() -> tuple[float, float]:
    """Seconds from launch to the banner, and to the first answered request."""
    with mockllm() as server:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/_mock/health", timeout=10) as response:
            response.read()
        answered = time.perf_counter()
        return server.listening - server.launched, answered - server.launched


def measure(runs: int = 5) -> list[Row]:
    banners, answers = zip(*(launch_once() for _ in range(runs)))
    return [
        Row("start-up: launch → banner", f"median {ms(median(banners))}, max {ms(max(banners))}", f"{runs} launches"),
        Row("start-up: launch → first answer", f"median {ms(median(answers))}, max {ms(max(answers))}", "target < 1 s"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    print_table(measure(parser.parse_args().runs))


if __name__ == "__main__":
    main()
