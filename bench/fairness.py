"""Fairness: how long `GET /_mock/health` waits while one request floods the server at speed 0.

Two floods, one at a time: an endless speed-0 heartbeat stream (the `flood`
scenario), and a 1 MiB message echoed one character per delta at speed 0.
While each runs (its client reading as fast as it can), health is asked
`--probes` times in a row; the figure is the median and the worst answer time.

    python bench/fairness.py [--probes 50]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from typing import Callable

from rawclient import chat_request
from serverproc import bench_mockllm
from table import Row, ms, print_table


async def health_times(port: int, flood: bytes | None, probes: int) -> list[float]:
    """Health answer times while `flood` (None: nothing, the baseline) runs."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    if flood is not None:
        writer.write(flood)
        await reader.read(1 << 16)  # the flood has begun

    async def drain() -> None:
        while await reader.read(1 << 16):
            pass

    draining = asyncio.create_task(drain())
    times = []
    for _ in range(probes):
        started = time.perf_counter()
        r, w = await asyncio.open_connection("127.0.0.1", port)
        w.write(b"GET /_mock/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        await r.read()
        w.close()
        times.append(time.perf_counter() - started)
    draining.cancel()
    writer.close()
    return times


def measure(probes: int = 50) -> list[Row]:
    rows = []
    floods: dict[str, Callable[[int], bytes | None]] = {
        "no other request (baseline)": lambda port: None,
        "a heartbeat flood at speed 0": lambda port: chat_request(port, "hi", {"X-Mock-Scenario": "flood", "X-Mock-Speed": "0"}),
        "a 1 MiB echo at speed 0": lambda port: chat_request(port, "a" * (1 << 20), {"X-Mock-Speed": "0"}),
    }
    for label, request in floods.items():
        with bench_mockllm("--max-stream-s", "120") as server:
            times = asyncio.run(health_times(server.port, request(server.port), probes))
        rows.append(Row(f"fairness: health with {label}", f"median {ms(statistics.median(times))}, max {ms(max(times))}", f"{probes} probes; target < 100 ms"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--probes", type=int, default=50)
    print_table(measure(parser.parse_args().probes))


if __name__ == "__main__":
    main()
