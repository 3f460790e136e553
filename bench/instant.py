"""`--speed 0`: how long a long answer takes end to end, request sent to [DONE] read.

Two answers: the shipped `long-chinese` scenario, and 2,000 characters echoed
by the `bench` scenario one character per frame (the most frames per answer).

    python bench/instant.py [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio

from rawclient import chat_request, fetch, message
from serverproc import BENCH_SCENARIOS, mockllm
from table import Row, median, ms, print_table


async def run(port: int, runs: int, model: str, text: str) -> tuple[list[float], list[int], list[int]]:
    seconds, chars, frames = [], [], []
    for seed in range(1, runs + 1):
        request = chat_request(port, text, {"X-Mock-Seed": str(seed)}, model=model)
        stream = await fetch(port, request, keep=True)
        assert stream.complete, stream.tail
        seconds.append(stream.frames[-1] - stream.started)
        chars.append(len(stream.content()))
        frames.append(len(stream.frames))
    return seconds, chars, frames


def measure(runs: int = 5) -> list[Row]:
    rows = []
    cases = [("long-chinese", "你好", ()), ("bench", message(2000), ("--scenarios", str(BENCH_SCENARIOS), "--default", "bench"))]
    for model, text, args in cases:
        with mockllm("--speed", "0", *args) as server:
            seconds, chars, frames = asyncio.run(run(server.port, runs, model, text))
        rows.append(
            Row(
                f"--speed 0: {model}, request → [DONE]",
                f"median {ms(median(seconds))}, max {ms(max(seconds))}",
                f"target < 1 s; {min(chars)}-{max(chars)} chars in {min(frames)}-{max(frames)} frames, {runs} runs",
            )
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    print_table(measure(parser.parse_args().runs))


if __name__ == "__main__":
    main()
