"""Soak: 1,000 concurrent streams with mixed transport faults and client aborts, then check nothing is left.

The server (a subprocess serving the shipped scenarios, `--max-stream-s 1`)
gets rounds of concurrent streams: resets, hangs, clean and dirty closes,
malformed/duplicate/unseparated frames, no response at all, trickles and
keep-alive queues (both cut by the maximum stream duration), and normal
answers (paced at `--speed 0.3` so that they end within the maximum) — a quarter of all streams closed by the client after its first bytes
(half of those with an RST). After each round the script waits for the
server's open streams to reach 0 and reports its asyncio task count
(`/_mock/health`) and resident memory (/proc) against the baseline taken
after a warm-up round.

    python bench/faults_soak.py [--streams 1000] [--rounds 2] [--max-stream-s 1] [--speed 0.3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import struct
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from rawclient import chat_request
from serverproc import ServerProcess, mockllm
from table import Row, print_table

SCENARIOS = (
    "reset-midstream",
    "hang",
    "close-without-done",
    "malformed-frame",
    "duplicate-frame",
    "missing-separator",
    "no-response",
    "trickle",
    "queued-keepalive",
    "hello",
)
GUARD_S = 30.0
RST = struct.pack("ii", 1, 0)


@dataclass
class Seen:
    """How one stream ended for the client."""

    status: bool = False  # a status line arrived
    terminated: bool = False  # the chunked body ended properly
    reset: bool = False  # the server reset the connection
    aborted: bool = False  # the client closed it early


class _Client(asyncio.Protocol):
    def __init__(self, request: bytes, abort: str, done: asyncio.Future[Seen]) -> None:
        self.request, self.abort, self.done, self.seen, self.tail = request, abort, done, Seen(), b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        transport.write(self.request)  # type: ignore[attr-defined]

    def data_received(self, data: bytes) -> None:
        self.seen.status = self.seen.status or data.startswith(b"HTTP/1.1 ")
        self.tail = (self.tail + data)[-7:]
        if self.abort:
            self.seen.aborted = True
            if self.abort == "rst":
                self.transport.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, RST)
            self.transport.abort()  # type: ignore[attr-defined]

    def connection_lost(self, exc: Exception | None) -> None:
        self.seen.reset = isinstance(exc, ConnectionResetError)
        self.seen.terminated = self.tail.endswith(b"\r\n0\r\n\r\n")
        if not self.done.done():
            self.done.set_result(self.seen)


async def one_stream(port: int, scenario: str, abort: str, speed: float) -> Seen:
    loop = asyncio.get_running_loop()
    done: asyncio.Future[Seen] = loop.create_future()
    request = chat_request(port, "hi", {"X-Mock-Speed": str(speed)}, model=scenario)
    transport, _ = await loop.create_connection(lambda: _Client(request, abort, done), "127.0.0.1", port)
    try:
        return await asyncio.wait_for(done, GUARD_S)
    finally:
        transport.close()


async def soak(port: int, streams: int, speed: float) -> Counter[str]:
    """Run `streams` concurrent mixed streams; count how they ended."""
    aborts = ("", "", "", "", "", "", "fin", "rst")
    results = await asyncio.gather(
        *(
            one_stream(port, SCENARIOS[i % len(SCENARIOS)], aborts[(i // len(SCENARIOS)) % len(aborts)], speed)
            for i in range(streams)
        )
    )
    return Counter(_ending(seen) for seen in results)


def _ending(seen: Seen) -> str:
    if seen.aborted:
        return "client aborted"
    if seen.reset:
        return "reset by server"
    if not seen.status:
        return "closed, no response"
    return "complete body" if seen.terminated else "closed mid-body"


def health(port: int) -> dict[str, int]:
    with socket.create_connection(("127.0.0.1", port), timeout=GUARD_S) as sock:
        sock.sendall(f"GET /_mock/health HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode())
        raw = b""
        while data := sock.recv(65536):
            raw += data
    return json.loads(raw.split(b"\r\n\r\n", 1)[1])


def rss_mib(server: ServerProcess) -> float:
    for line in Path(f"/proc/{server.proc.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc")


def settle(server: ServerProcess) -> tuple[dict[str, int], float]:
    """Wait until the server has no open stream; return its health and RSS."""
    deadline = time.monotonic() + GUARD_S
    while (state := health(server.port))["open_streams"] and time.monotonic() < deadline:
        time.sleep(0.05)
    return state, rss_mib(server)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--max-stream-s", type=float, default=1.0)
    parser.add_argument("--speed", type=float, default=0.3, help="pacing speed: normal answers end within the maximum")
    args = parser.parse_args()
    started = time.perf_counter()
    rows: list[Row] = []
    with mockllm("--max-stream-s", str(args.max_stream_s), "--seed", "1") as server:
        asyncio.run(soak(server.port, args.streams, args.speed))  # warm up: imports, caches, the journal filled
        base, base_rss = settle(server)
        rows.append(Row("baseline tasks / RSS", f"{base['tasks']} / {base_rss:.1f} MiB", "after a warm-up round"))
        for round_no in range(1, args.rounds + 1):
            t0 = time.perf_counter()
            endings = asyncio.run(soak(server.port, args.streams, args.speed))
            took = time.perf_counter() - t0
            state, rss = settle(server)
            mix = ", ".join(f"{n} {what}" for what, n in sorted(endings.items()))
            rows.append(Row(f"round {round_no}: {args.streams} streams", f"{took:.2f} s", mix))
            rows.append(
                Row(
                    f"round {round_no}: open streams / tasks / RSS",
                    f"{state['open_streams']} / {state['tasks']} / {rss:.1f} MiB",
                    f"baseline 0 / {base['tasks']} / {base_rss:.1f} MiB ({rss - base_rss:+.1f} MiB)",
                )
            )
    rows.append(Row("total wall time", f"{time.perf_counter() - started:.1f} s", "< 60 s"))
    print_table(rows)


if __name__ == "__main__":
    main()
