"""Memory over many aborted streams: does resident memory level off (the journal full) or keep growing (a leak)?

The server (a subprocess serving the shipped scenarios) gets rounds of
streams of the long `long-chinese` answer, each closed by the client at a
different point (before the answer, after 1 byte, inside the headers, after
200 B … 64 KiB of the body) with a FIN or an RST, `--concurrency` at a time.
After each round the script waits for the server's open streams to reach 0
and prints its resident memory (/proc VmRSS), the journal's entry count and
what its JSON weighs.

Reading it: memory that levels off is bounded state (the journal keeps the
last 1,000 requests, each with its write log, at most 32 MiB) or the
allocator's high-water mark of the streams in flight at once (it follows
`--concurrency`); memory that keeps growing round after round is a leak. The
journal's JSON weight is printed beside each figure to tell the first two apart.

    python bench/aborted_streams.py [--streams 10000] [--rounds 3] [--concurrency 200] [--speed 0.02]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import struct
import time
import urllib.request
from dataclasses import dataclass

from rawclient import chat_request
from serverproc import ServerProcess, mockllm
from table import Row, print_table

#: Where the client closes: after this many bytes of the answer (0: right after sending the request).
CUT_AT = (0, 1, 60, 200, 1000, 4000, 16000, 64000)
ENDINGS = ("fin", "rst")
RST = struct.pack("ii", 1, 0)
GUARD_S = 60.0


@dataclass
class Cut:
    """One stream the client closes after `at` bytes, with a FIN or an RST."""

    at: int
    ending: str


class _Client(asyncio.Protocol):
    def __init__(self, request: bytes, cut: Cut, done: asyncio.Future[None]) -> None:
        self.request, self.cut, self.done, self.seen = request, cut, done, 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        transport.write(self.request)  # type: ignore[attr-defined]
        if self.cut.at == 0:
            self._close()

    def data_received(self, data: bytes) -> None:
        self.seen += len(data)
        if self.seen >= self.cut.at:
            self._close()

    def _close(self) -> None:
        if self.cut.ending == "rst":
            self.transport.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, RST)
            self.transport.abort()  # type: ignore[attr-defined]
        else:
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.done.done():
            self.done.set_result(None)


async def one_stream(port: int, cut: Cut, speed: float) -> None:
    loop = asyncio.get_running_loop()
    done: asyncio.Future[None] = loop.create_future()
    request = chat_request(port, "你好", {"X-Mock-Speed": str(speed)}, model="long-chinese")
    transport, _ = await loop.create_connection(lambda: _Client(request, cut, done), "127.0.0.1", port)
    try:
        await asyncio.wait_for(done, GUARD_S)
    finally:
        transport.close()


async def round_of(port: int, streams: int, concurrency: int, speed: float) -> None:
    """`streams` aborted streams, `concurrency` at a time, cycling through every cut point and ending."""
    cuts = [Cut(at, ending) for at in CUT_AT for ending in ENDINGS]
    gate = asyncio.Semaphore(concurrency)

    async def gated(i: int) -> None:
        async with gate:
            await one_stream(port, cuts[i % len(cuts)], speed)

    await asyncio.gather(*(gated(i) for i in range(streams)))


def admin(port: int, method: str, path: str) -> bytes:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method)
    with urllib.request.urlopen(request, timeout=GUARD_S) as response:
        return bytes(response.read())


def settle(server: ServerProcess) -> None:
    """Wait until the server has no open stream."""
    deadline = time.monotonic() + GUARD_S
    while json.loads(admin(server.port, "GET", "/_mock/health"))["open_streams"] and time.monotonic() < deadline:
        time.sleep(0.05)


def journal_figures(port: int) -> tuple[int, float]:
    """The journal's entry count and what its JSON weighs (MiB)."""
    raw = admin(port, "GET", "/_mock/journal")
    return len(json.loads(raw)), len(raw) / 2**20


def measure(server: ServerProcess, label: str, total: int, base_rss: float) -> Row:
    settle(server)
    rss = server.memory_kib() / 1024
    entries, weight = journal_figures(server.port)
    return Row(f"{label}: RSS after {total:,} aborted streams", f"{rss:.1f} MiB ({rss - base_rss:+.1f})", f"journal {entries:,} entries, {weight:.1f} MiB of JSON")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=10_000, help="streams per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--speed", type=float, default=0.02, help="pacing speed: streams still open when the client closes")
    args = parser.parse_args()
    started = time.perf_counter()
    rows: list[Row] = []
    with mockllm("--seed", "1", "--watch", "off") as server:
        asyncio.run(round_of(server.port, 200, args.concurrency, args.speed))  # warm up: imports, caches
        admin(server.port, "DELETE", "/_mock/journal")
        settle(server)
        base_rss = server.memory_kib() / 1024
        rows.append(Row("baseline RSS (journal empty, after a warm-up)", f"{base_rss:.1f} MiB"))
        total = 0
        for round_no in range(1, args.rounds + 1):
            t0 = time.perf_counter()
            asyncio.run(round_of(server.port, args.streams, args.concurrency, args.speed))
            total += args.streams
            rows.append(measure(server, f"round {round_no} ({time.perf_counter() - t0:.0f} s)", total, base_rss))
    rows.append(Row("total wall time", f"{time.perf_counter() - started:.0f} s"))
    print_table(rows)


if __name__ == "__main__":
    main()
