"""Server CPU per frame: mockllm against a bare aiohttp server writing pre-built frames the same way.

Each case sends the same requests to both servers (1,000 concurrent streams by
default) and divides the server process's CPU time (user + system, from /proc)
by the frames it delivered. The 1-frame case shows the per-request cost.

    python bench/cpu.py [--streams 1000] [--chunks 100] [--paced-chunks 50]
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Callable

from rawclient import chat_request, fetch_many, message
from serverproc import ServerProcess, bare, bench_mockllm
from table import Row, print_table


def cpu_per_frame(start: Callable[[], ServerProcess], streams: int, chunks: int, headers: dict[str, str]) -> tuple[float, int]:
    """Microseconds of server CPU per frame delivered, and the frames delivered."""
    with start() as server:
        request = chat_request(server.port, message(chunks), headers)
        asyncio.run(fetch_many(server.port, request, 10))  # warm up: imports, caches, faker
        before = server.cpu_seconds()
        results = asyncio.run(fetch_many(server.port, request, streams))
        used = server.cpu_seconds() - before
    assert all(r.complete for r in results)
    frames = sum(len(r.frames) for r in results)
    return used / frames * 1e6, frames


def measure(streams: int = 1000, chunks: int = 100, paced_chunks: int = 50) -> list[Row]:
    cases = [
        (f"{streams} x {chunks} deltas, speed 0", chunks, {"X-Mock-Speed": "0"}),
        (f"{streams} x {paced_chunks} deltas, 20 ms apart", paced_chunks, {"X-Mock-Delay-Ms": "20"}),
        (f"{streams} x 1 delta (per-request cost)", 1, {"X-Mock-Speed": "0"}),
    ]
    rows = []
    for label, count, headers in cases:
        mock_us, frames = cpu_per_frame(bench_mockllm, streams, count, headers)
        bare_us, _ = cpu_per_frame(bare, streams, count, headers)
        rows.append(
            Row(
                f"CPU/frame: {label}",
                f"mockllm {mock_us:.1f} µs, bare {bare_us:.1f} µs, ratio {mock_us / bare_us:.2f}",
                f"{frames} frames; target ratio <= 3",
            )
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--chunks", type=int, default=100)
    parser.add_argument("--paced-chunks", type=int, default=50)
    args = parser.parse_args()
    print_table(measure(args.streams, args.chunks, args.paced_chunks))


if __name__ == "__main__":
    main()
