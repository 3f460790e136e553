"""Pacing accuracy: gaps between frames as a socket-reading client sees them, and drift at the end.

Streams of the `bench` scenario at `X-Mock-Delay-Ms: 20`: one stream, one long
stream, then 200 and 1,000 concurrent streams (and the bare aiohttp reference
server for the largest case). Drift = (last delta's arrival - first delta's
arrival) - (deltas - 1) x delay: how far the end has slipped from its plan.

    python bench/pacing.py [--delay-ms 20] [--chunks 100] [--long-chunks 500] [--concurrency 200,1000]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
from typing import Callable

from rawclient import Stream, chat_request, fetch_many, message
from serverproc import ServerProcess, bare, bench_mockllm
from table import Row, ms, percentile, print_table


def deltas_of(stream: Stream, chunks: int) -> list[float]:
    """Arrival times of the delta frames (after the role frame, before finish and [DONE])."""
    assert stream.complete and len(stream.frames) == chunks + 3, (len(stream.frames), stream.tail)
    return stream.frames[1 : chunks + 1]


def summarize(label: str, streams: list[Stream], chunks: int, delay_s: float) -> Row:
    gaps, drifts = [], []
    for stream in streams:
        times = deltas_of(stream, chunks)
        gaps += [b - a for a, b in itertools.pairwise(times)]
        drifts.append(times[-1] - times[0] - (chunks - 1) * delay_s)
    value = (
        f"gap mean {ms(statistics.fmean(gaps))} sd {ms(statistics.pstdev(gaps))} p99 {ms(percentile(gaps, 99))}; "
        f"drift median {ms(statistics.median(drifts))} max {ms(max(drifts))}"
    )
    return Row(label, value, f"target mean {ms(delay_s)} ± 2 ms, no drift")


def run_case(start: Callable[[], ServerProcess], label: str, streams: int, chunks: int, delay_ms: float) -> Row:
    with start() as server:
        request = chat_request(server.port, message(chunks), {"X-Mock-Delay-Ms": f"{delay_ms:g}"})
        results = asyncio.run(fetch_many(server.port, request, streams))
    return summarize(f"pacing: {label}, {streams} x {chunks} frames", results, chunks, delay_ms / 1000)


def measure(delay_ms: float = 20, chunks: int = 100, long_chunks: int = 500, concurrency: tuple[int, ...] = (200, 1000)) -> list[Row]:
    rows = [
        run_case(bench_mockllm, "mockllm", 1, chunks, delay_ms),
        run_case(bench_mockllm, "mockllm long", 1, long_chunks, delay_ms),
    ]
    rows += [run_case(bench_mockllm, "mockllm", n, chunks, delay_ms) for n in concurrency]
    rows.append(run_case(bare, "bare aiohttp", max(concurrency), chunks, delay_ms))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay-ms", type=float, default=20)
    parser.add_argument("--chunks", type=int, default=100)
    parser.add_argument("--long-chunks", type=int, default=500)
    parser.add_argument("--concurrency", default="200,1000")
    args = parser.parse_args()
    concurrency = tuple(int(n) for n in args.concurrency.split(","))
    print_table(measure(args.delay_ms, args.chunks, args.long_chunks, concurrency))


if __name__ == "__main__":
    main()
