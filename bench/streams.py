"""Thousands of streams on schedule: mockllm against a bare aiohttp server, the server and the client on different cores.

Each case starts a fresh server pinned to one core (`--server-cpus`), then
`loadgen` (bench/loadgen.c, compiled on demand, pinned to `--client-cpus`)
opens N connections at once, each asking for 200 one-character deltas, and
timestamps every read with the frames it completed. Per case:

- gap p1 / p50 / p99: time between consecutive deltas of a stream as the
  client read them (two deltas in one read: a gap of 0). p1 shows bursts.
- own read: deltas that arrived in a read holding no other frame (the first
  and last are left out: by design they go out with the role frame and with
  the finish frame).
- stream time / ideal: first to last delta, against 199 x the delay.
- CPU per delta: server CPU time (user + system) over the deltas delivered.
- RSS: the server's peak resident memory; idle: after 20 warm-up streams; per stream: the peak above idle.
- lost: connections that did not end with the chunked terminator.
- deltas/s (speed 0): deltas delivered over the time from the first connect
  to the last byte.

    python bench/streams.py [--streams 100,1000,2000,5000] [--deltas 200] [--delay-ms 20] [--servers mockllm,bare,floor]
    python bench/streams.py --workers 2 --server-cpus 0,1 ...   # on a machine with cores to spare
"""

from __future__ import annotations

import argparse
import array
import os
import shutil
import struct
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from rawclient import chat_request, message
from serverproc import ServerProcess, bare, bench_mockllm, send_floor
from table import percentile

HERE = Path(__file__).resolve().parent
_HEAD = struct.Struct("<iiiid")
_READ = struct.Struct("<dii")


@dataclass
class Stream:
    """One response as the load generator read it: each read's time and the frames it completed."""

    ok: bool
    connected: float
    times: array.array  # of each read
    frames: array.array  # completed in each read


@dataclass
class Case:
    """The figures of one server at one size."""

    server: str
    streams: int
    gaps: list[float]
    own_read: float
    stretch: float
    cpu_us: float
    kernel_us: float
    rss_mib: float
    idle_mib: float
    per_stream_kib: float
    lost: int
    deltas_per_s: float


def loadgen() -> str:
    """The load generator's path, compiled into a temporary folder once."""
    built = Path(tempfile.gettempdir()) / f"mockllm-loadgen-{os.getuid()}"
    source = HERE / "loadgen.c"
    if not built.exists() or built.stat().st_mtime < source.stat().st_mtime:
        compiler = shutil.which("cc") or shutil.which("gcc")
        if compiler is None:
            raise SystemExit("bench/streams.py needs a C compiler (cc) to build bench/loadgen.c")
        subprocess.run([compiler, "-O2", "-o", str(built), str(source)], check=True)
    return str(built)


def read_streams(path: Path) -> list[Stream]:
    data = path.read_bytes()
    streams, at = [], 0
    while at < len(data):
        _, reads, ok, _, connected = _HEAD.unpack_from(data, at)
        at += _HEAD.size
        times, frames = array.array("d"), array.array("i")
        for t, f, _ in _READ.iter_unpack(data[at : at + reads * _READ.size]):
            times.append(t)
            frames.append(f)
        at += reads * _READ.size
        streams.append(Stream(bool(ok), connected, times, frames))
    return streams


def drive(port: int, streams: int, request: bytes, client_cpus: set[int]) -> list[Stream]:
    """Run the load generator pinned to `client_cpus`; return what it read."""
    with tempfile.TemporaryDirectory() as folder:
        request_file, out = Path(folder, "request"), Path(folder, "out")
        request_file.write_bytes(request)
        pin = (lambda: os.sched_setaffinity(0, client_cpus)) if client_cpus else None
        subprocess.run([loadgen(), str(port), str(streams), str(request_file), str(out)], check=True, preexec_fn=pin, timeout=300)
        return read_streams(out)


def delta_arrivals(stream: Stream, deltas: int) -> tuple[list[float], list[bool]]:
    """Arrival time of each delta frame (frames 1..deltas: after the role frame) and whether its read held it alone."""
    times: list[float] = []
    alone: list[bool] = []
    for t, f in zip(stream.times, stream.frames):
        times.extend([t] * f)
        alone.extend([f == 1] * f)
    return times[1 : deltas + 1], alone[1 : deltas + 1]


def run_case(label: str, start: Callable[[], ServerProcess], streams: int, deltas: int, delay_ms: float, client_cpus: set[int]) -> Case:
    headers = {"X-Mock-Speed": "0"} if delay_ms == 0 else {"X-Mock-Delay-Ms": f"{delay_ms:g}"}
    with start() as server:
        request = chat_request(server.port, message(deltas), headers)
        drive(server.port, 20, request, client_cpus)  # warm up: imports, caches
        idle_kib = server.memory_kib()
        user_before, kernel_before = server.cpu_split()
        began = time.monotonic()
        results = drive(server.port, streams, request, client_cpus)
        user_after, kernel_after = server.cpu_split()
        cpu, kernel = user_after + kernel_after - user_before - kernel_before, kernel_after - kernel_before
        peak_kib = server.memory_kib("VmHWM")
    gaps: list[float] = []
    alone = interior = delivered = 0
    stretches: list[float] = []
    complete = [s for s in results if s.ok]
    for stream in complete:
        times, own = delta_arrivals(stream, deltas)
        gaps += [b - a for a, b in zip(times, times[1:])]
        alone += sum(own[1:-1])
        interior += max(len(own) - 2, 0)
        delivered += len(times)
        if delay_ms and len(times) == deltas:
            stretches.append((times[-1] - times[0]) / ((deltas - 1) * delay_ms / 1000))
    first = min((s.connected for s in results if s.connected), default=began)
    last = max((s.times[-1] for s in complete if s.times), default=first)
    return Case(
        server=label,
        streams=streams,
        gaps=gaps,
        own_read=alone / interior if interior else 0.0,
        stretch=sorted(stretches)[len(stretches) // 2] if stretches else 0.0,
        cpu_us=cpu / delivered * 1e6 if delivered else 0.0,
        kernel_us=kernel / delivered * 1e6 if delivered else 0.0,
        rss_mib=peak_kib / 1024,
        idle_mib=idle_kib / 1024,
        per_stream_kib=max(peak_kib - idle_kib, 0) / streams,
        lost=len(results) - len(complete),
        deltas_per_s=delivered / (last - first) if last > first else 0.0,
    )


def paced_row(case: Case) -> str:
    p1, p50, p99 = (percentile(case.gaps, q) * 1000 for q in (1, 50, 99))
    return (
        f"| {case.server} | {case.streams:,} | {p1:.1f} / {p50:.1f} / {p99:.1f} ms | {case.own_read:.1%} | {case.stretch:.2f} | "
        f"{_cpu(case)} | {case.rss_mib:.0f} MiB (idle {case.idle_mib:.0f}, {case.per_stream_kib:.1f} KiB/stream) | {case.lost} |"
    )


def _cpu(case: Case) -> str:
    return f"{case.cpu_us:.1f} µs ({case.kernel_us:.1f} kernel)"


def instant_row(case: Case) -> str:
    return (
        f"| {case.server} | {case.streams:,} | {case.deltas_per_s / 1000:.0f}k | {_cpu(case)} | "
        f"{case.rss_mib:.0f} MiB ({case.per_stream_kib:.1f} KiB/stream) | {case.lost} |"
    )


def servers(names: list[str], workers: int, cpus: set[int]) -> dict[str, Callable[[], ServerProcess]]:
    """The servers to compare, each started pinned to `cpus`."""
    label = "mockllm" if workers == 1 else f"mockllm --workers {workers}"
    known: dict[str, tuple[str, Callable[[], ServerProcess]]] = {
        "mockllm": (label, lambda: bench_mockllm(*(["--workers", str(workers)] if workers > 1 else []), cpus=cpus)),
        "bare": ("bare aiohttp (sleep per write)", lambda: bare("--backlog", "4096", cpus=cpus)),
        "floor": ("send floor (one send per delta, no event loop)", lambda: send_floor(cpus=cpus)),
    }
    return {known[n][0]: known[n][1] for n in names}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", default="100,1000,2000,5000")
    parser.add_argument("--deltas", type=int, default=200)
    parser.add_argument("--delay-ms", type=float, default=20)
    parser.add_argument("--servers", default="mockllm,bare")
    parser.add_argument("--modes", default="paced,instant", help="paced (--delay-ms apart), instant (speed 0)")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--server-cpus", default="0")
    parser.add_argument("--client-cpus", default="1")
    args = parser.parse_args()
    sizes = [int(n) for n in args.streams.split(",")]
    server_cpus = {int(c) for c in args.server_cpus.split(",")}
    client_cpus = {int(c) for c in args.client_cpus.split(",")}
    chosen = servers(args.servers.split(","), args.workers, server_cpus)
    print(f"# load average before: {os.getloadavg()[0]:.2f}; server on CPU {args.server_cpus}, client on CPU {args.client_cpus}", flush=True)
    modes = args.modes.split(",")
    if "paced" in modes:
        print(f"\n| {args.delay_ms:g} ms pacing | streams | gap p1 / p50 / p99 | own read | stream time / ideal | CPU per delta (of it kernel) | RSS | lost |")
        print("|---|---|---|---|---|---|---|---|")
        for n in sizes:
            for label, start in chosen.items():
                print(paced_row(run_case(label, start, n, args.deltas, args.delay_ms, client_cpus)), flush=True)
    if "instant" in modes:
        print("\n| speed 0 | streams | deltas/s | CPU per delta (of it kernel) | RSS | lost |")
        print("|---|---|---|---|---|---|")
        for n in sizes:
            for label, start in chosen.items():
                print(instant_row(run_case(label, start, n, args.deltas, 0, client_cpus)), flush=True)
    print(f"\n# load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
