"""Run a server as a subprocess: learn its port from its banner, read its CPU time, stop it."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

REPO = Path(__file__).resolve().parent.parent
BENCH_SCENARIOS = Path(__file__).resolve().parent / "scenarios"
_PORT = re.compile(r"127\.0\.0\.1:(\d+)")


class ServerProcess:
    """A server command that prints `127.0.0.1:PORT` once it listens; `cpus` pins it to those cores."""

    def __init__(self, command: list[str], cpus: set[int] | None = None, cwd: Path = REPO) -> None:
        self.launched = time.perf_counter()
        pin = (lambda: os.sched_setaffinity(0, cpus)) if cpus else None
        self.proc = subprocess.Popen(
            command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, preexec_fn=pin
        )
        self.port = self._read_port()
        self.listening = time.perf_counter()

    def _read_port(self) -> int:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if found := _PORT.search(line):
                return int(found.group(1))
        raise RuntimeError(f"{self.proc.args!r} exited with {self.proc.wait()} before printing its port")

    def pids(self) -> list[int]:
        """The process and its children (the workers of `--workers N`)."""
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
        return [self.proc.pid, *map(int, children)]

    def cpu_seconds(self) -> float:
        """User + system CPU time the process and its children have used so far (Linux /proc)."""
        return sum(self.cpu_split())

    def cpu_split(self) -> tuple[float, float]:
        """User and system (kernel: socket sends, epoll) CPU seconds of the process and its children so far."""
        user = system = 0
        for pid in self.pids():
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            user += int(fields[11])
            system += int(fields[12])
        tick = os.sysconf("SC_CLK_TCK")
        return user / tick, system / tick

    def memory_kib(self, field: str = "VmRSS") -> int:
        """A memory figure from /proc/PID/status, summed over the process and its children: `VmRSS` now, `VmHWM` the peak."""
        total = 0
        for pid in self.pids():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith(field + ":"):
                    total += int(line.split()[1])
        return total

    def stop(self) -> None:
        """SIGINT, then wait (kill after 10 s)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()


def mockllm(*args: str, cpus: set[int] | None = None) -> ServerProcess:
    """`python serve.py --port 0 ARGS`."""
    return ServerProcess([sys.executable, "serve.py", "--port", "0", *args], cpus)


def bench_mockllm(*args: str, cpus: set[int] | None = None) -> ServerProcess:
    """mockllm serving the benchmark scenarios (`bench`: echo, one character per delta)."""
    return mockllm("--scenarios", str(BENCH_SCENARIOS), "--default", "bench", "--seed", "1", *args, cpus=cpus)


def bare(*args: str, cpus: set[int] | None = None) -> ServerProcess:
    """The bare aiohttp reference server (`bench/bare_server.py`)."""
    return ServerProcess([sys.executable, str(Path(__file__).with_name("bare_server.py")), "--port", "0", *args], cpus)


def send_floor(*args: str, cpus: set[int] | None = None) -> ServerProcess:
    """The floor: the bare server's frames, one `send()` each, no event loop (`bench/send_floor.py`)."""
    return ServerProcess([sys.executable, str(Path(__file__).with_name("send_floor.py")), "--port", "0", *args], cpus)
