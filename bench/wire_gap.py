"""Measure the gap between writes needed for each write to reach a client as its own read.

Starts `mockllm serve` in a subprocess (speed 0, so only the wire gap paces the
stream), asks for the `hello` scenario cut into 64-byte writes with a range of
`gap_ms` values, reads the socket directly, and prints for each gap the share of
writes that arrived as a read of their own.

    python bench/wire_gap.py [--rounds 3] [--gaps 0,0.5,1,2,5,10,20] [--busy 2]

`--busy N` keeps N extra processes spinning meanwhile, to see the effect of a loaded CPU.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from rawhttp import RawResponse, post  # noqa: E402

BODY = {"model": "hello", "stream": True, "messages": [{"role": "user", "content": "hi"}]}


def own_read_share(response: RawResponse) -> float:
    """The share of writes (HTTP chunks) whose start and end both fall on read boundaries."""
    read_ends = set(itertools.accumulate(len(p) for p in response.payload_reads)) | {0}
    edges = [0, *itertools.accumulate(len(c) for c in response.chunks)]
    alone = sum(1 for a, b in zip(edges, edges[1:]) if a in read_ends and b in read_ends)
    return alone / max(1, len(response.chunks))


async def measure(port: int, gaps: list[float], rounds: int) -> None:
    print(f"{'gap_ms':>7}  {'writes':>6}  own-read share per round")
    for gap in gaps:
        shares, writes = [], 0
        for _ in range(rounds):
            headers = {"X-Mock-Wire": f"max_write_bytes=64,gap_ms={gap}", "X-Mock-Speed": "0"}
            response = await post("127.0.0.1", port, "/v1/chat/completions", BODY, headers)
            shares.append(own_read_share(response))
            writes = len(response.chunks)
        print(f"{gap:>7g}  {writes:>6}  " + "  ".join(f"{s:6.1%}" for s in shares))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--gaps", default="0,0.25,0.5,1,2,5,10,20")
    parser.add_argument("--busy", type=int, default=0, help="spinning processes to run meanwhile")
    args = parser.parse_args()
    gaps = [float(g) for g in args.gaps.split(",")]
    command = [sys.executable, "-m", "mockllm", "serve", "--port", "0", "--speed", "0", "--seed", "1"]
    server = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.busy)]
    try:
        port = 0
        for line in server.stdout or ():
            if found := re.search(r"127\.0\.0\.1:(\d+)", line):
                port = int(found.group(1))
                break
        asyncio.run(measure(port, gaps, args.rounds))
    finally:
        for process in [server, *spinners]:
            process.terminate()
            process.wait(10)


if __name__ == "__main__":
    main()
