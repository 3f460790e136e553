"""Start-up: from launching `python serve.py --port 0` to its banner and to the first answered request, against a bare aiohttp server.

    python bench/startup.py [--runs 5] [--against REV]

`--against REV` adds mockllm as it was at a git revision (checked out into a
temporary worktree, its own modules first on the path), launched in the same
rounds: a before/after comparison that the machine's drift cannot skew.

Bytecode is compiled first (`compileall`), as an installed package has it:
with `PYTHONDONTWRITEBYTECODE=1` set (as in many CI and container images) an
editable checkout would otherwise compile every module at every launch.
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import json
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Callable, Iterator

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


@contextlib.contextmanager
def tree_at(revision: str) -> Iterator[Path]:
    """The repository at `revision`, checked out into a temporary worktree (removed afterwards), its bytecode compiled."""
    with tempfile.TemporaryDirectory(prefix="mockllm-startup-") as folder:
        tree = Path(folder) / "tree"
        subprocess.run(["git", "worktree", "add", "--detach", "--quiet", str(tree), revision], cwd=REPO, check=True)
        try:
            compileall.compile_dir(tree / "mockllm", quiet=1)
            yield tree
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=REPO, check=False)


def mockllm_at(tree: Path) -> ServerProcess:
    """That tree's `serve.py --port 0 --speed 0`, run from the tree so its own `mockllm` package is imported."""
    return ServerProcess([sys.executable, "serve.py", "--port", "0", "--speed", "0"], cwd=tree)


def measure(runs: int = 5, against: Path | None = None, revision: str = "") -> list[Row]:
    compileall.compile_dir(REPO / "mockllm", quiet=1)
    cases = [
        ("mockllm", lambda: mockllm("--speed", "0"), "/_mock/health", None, "target: within 1.5× bare aiohttp"),
        ("mockllm, a chat stream", lambda: mockllm("--speed", "0"), "/v1/chat/completions", CHAT, ""),
        ("bare aiohttp", bare, "/_mock/health", None, "the floor: importing aiohttp.web"),
    ]
    if against is not None:
        cases.insert(1, (f"mockllm at {revision}", lambda: mockllm_at(against), "/_mock/health", None, "the same, before"))
    times: dict[str, list[tuple[float, float]]] = {label: [] for label, *_ in cases}
    for round_ in range(runs):  # round by round, so a machine that slows down mid-run slows every case alike,
        turn = round_ % len(cases)  # each round starting one case later, so no case always goes first
        for label, start, path, body, _target in cases[turn:] + cases[:turn]:
            times[label].append(launch_once(start, path, body))
    rows = []
    floor = median([answer for _banner, answer in times["bare aiohttp"]])
    for label, _start, _path, _body, target in cases:
        banners, answers = zip(*times[label])
        ratio = f", {median(answers) / floor:.2f}× bare" if label != "bare aiohttp" else ""
        rows.append(Row(f"start-up, {label}: launch → banner", f"median {ms(median(banners))}, max {ms(max(banners))}", f"{runs} launches"))
        rows.append(Row(f"start-up, {label}: launch → first answer", f"median {ms(median(answers))}, max {ms(max(answers))}{ratio}", target))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--against", metavar="REV", help="also launch mockllm as it was at this git revision")
    args = parser.parse_args()
    if args.against is None:
        print_table(measure(args.runs))
        return
    with tree_at(args.against) as tree:
        print_table(measure(args.runs, tree, args.against))


if __name__ == "__main__":
    main()
