"""The pure pipeline's cost per frame, no socket: scenario → events → OpenAI frames, in-process.

Runs `wire_items` for the `bench` scenario (one character per delta) and for
the shipped `long-chinese` scenario, and prints microseconds per wire item.
The least noisy of the measures: use it to see what a change to the
per-chunk path is worth.

    python bench/pipeline.py [--chars 2000] [--repeat 20]
"""

from __future__ import annotations

import argparse
import time

from rawclient import message
from serverproc import BENCH_SCENARIOS, REPO
from table import Row, print_table

from mockllm.core.request import ChatRequest
from mockllm.dialects import DIALECTS
from mockllm.scenarios.loading import load_catalog
from mockllm.stream.call import Call
from mockllm.stream.pipeline import wire_items


def per_item_us(folder: str, name: str, text: str, repeat: int, include_usage: bool) -> tuple[float, int]:
    """Best-of-`repeat` microseconds per wire item, and the item count."""
    scenario = load_catalog(REPO / folder if folder != "bench" else BENCH_SCENARIOS).scenarios[name]
    chat = ChatRequest(messages=(("user", text),), model=name, stream=True, include_usage=include_usage)
    dialect = DIALECTS["openai"]
    best, count = float("inf"), 0
    for seed in range(repeat):
        call = Call(chat=chat, scenario=scenario, seed=seed, seeded=True, speed=0, stream_config=scenario.stream)
        started = time.perf_counter()
        count = sum(1 for _ in wire_items(call, dialect))
        best = min(best, (time.perf_counter() - started) / count)
    return best * 1e6, count


def measure(chars: int = 2000, repeat: int = 20) -> list[Row]:
    rows = []
    for folder, name, text in [("bench", "bench", message(chars)), ("scenarios", "long-chinese", "你好")]:
        for usage in (False, True):
            us, count = per_item_us(folder, name, text, repeat, usage)
            label = f"pipeline: {name}{', include_usage' if usage else ''}"
            rows.append(Row(label, f"{us:.2f} µs per item", f"{count} items (deltas, delays, frames), best of {repeat}"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    print_table(measure(args.chars, args.repeat))


if __name__ == "__main__":
    main()
