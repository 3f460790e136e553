"""Start-up: from launching `python serve.py --port 0` to its banner and to the first answered request, against a bare aiohttp server.

    python bench/startup.py [--runs 5]

Bytecode is compiled first (`compileall`), as an installed package has it:
with `PYTHONDONTWRITEBYTECODE=1` set (as in many CI and container images) an
editable checkout would otherwise compile every module at every launch.
"""

from __future__ import annotations

import argparse
import compileall
import json
import time
import urllib.request
from typing import Callable

from serverproc import REPO, ServerProcess, bare, mockllm
from table import Row, median, ms, print_table

CHAT = json.dumps({"model": "hello", "stream": True, "messages": [{"role": "user", "content": "hi"}]}).encode()


def launch_once(start: Callable[[], ServerProcess], path: str, body: bytes | None) -> tuple[float, float]:
    """Seconds from launch to the banner, and to the first answered request of `path`."""
    with start() as server:
        request = urllib.request.Request(f"http://127.0.0.1:{server.port}{path}", data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
        answered = time.perf_counter()
        return server.listening - server.launched, answered - server.launched


def measure(runs: int = 5) -> list[Row]:
    compileall.compile_dir(REPO / "mockllm", quiet=1)
    cases = [
        ("mockllm", lambda: mockllm("--speed", "0"), "/_mock/health", None, "target < 200 ms"),
        ("mockllm, a chat stream", lambda: mockllm("--speed", "0"), "/v1/chat/completions", CHAT, ""),
        ("bare aiohttp", bare, "/_mock/health", None, "the floor: importing aiohttp.web"),
    ]
    times: dict[str, list[tuple[float, float]]] = {label: [] for label, *_ in cases}
    for _ in range(runs):  # round by round, so a machine that slows down mid-run slows every case alike
        for label, start, path, body, _target in cases:
            times[label].append(launch_once(start, path, body))
    rows = []
    for label, _start, _path, _body, target in cases:
        banners, answers = zip(*times[label])
        rows.append(Row(f"start-up, {label}: launch → banner", f"median {ms(median(banners))}, max {ms(max(banners))}", f"{runs} launches"))
        rows.append(Row(f"start-up, {label}: launch → first answer", f"median {ms(median(answers))}, max {ms(max(answers))}", target))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    print_table(measure(parser.parse_args().runs))


if __name__ == "__main__":
    main()
