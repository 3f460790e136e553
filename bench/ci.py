"""CI integration figures: launch → ready file, watch edit → new answer, journal long-poll wake-up, recorder overhead.

    python bench/ci.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from table import Row, median, ms, print_table

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from mockllm.record import create_recorder  # noqa: E402
from mockllm.server.app import create_app  # noqa: E402
from mockllm.server.config import ServerConfig  # noqa: E402
from mockllm.server.state import STATE
from mockllm.testing.background import BackgroundServer  # noqa: E402

SCENARIO = "schema: 1\nname: default\ndescription: d\nstream: {{first_token_ms: 0, delay_ms: 0}}\nsteps:\n  - say: {text!r}\n"
POLL_S = 0.002


def post(url: str, body: dict[str, object], headers: dict[str, str] | None = None) -> bytes:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json", **(headers or {})})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read()  # type: ignore[no-any-return]


def answer(url: str) -> str:
    return str(json.loads(post(f"{url}/v1/chat/completions", {"messages": [{"role": "user", "content": "hi"}]}))["choices"][0]["message"]["content"])


def until(condition, timeout: float = 30.0) -> float:  # type: ignore[no-untyped-def]
    """Seconds until `condition()` holds, checked every 2 ms."""
    start = time.perf_counter()
    while not condition():
        if time.perf_counter() - start > timeout:
            raise TimeoutError
        time.sleep(POLL_S)
    return time.perf_counter() - start


def ready_file_once(folder: Path) -> float:
    ready = folder / "ready.json"
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "mockllm", "serve", "--port", "0", "--ready-file", str(ready)], cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        until(ready.exists)
        return time.perf_counter() - started
    finally:
        process.terminate()
        process.wait(10)


def watch_once(folder: Path, url: str, i: int) -> float:
    (folder / "default.yaml").write_text(SCENARIO.format(text=f"edit {i}"), encoding="utf-8")
    return until(lambda: answer(url) == f"edit {i}")


def watch_runs(runs: int, folder: Path) -> list[float]:
    (folder / "default.yaml").write_text(SCENARIO.format(text="start"), encoding="utf-8")
    ready = folder / "ready.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "mockllm", "serve", "--port", "0", "--scenarios", str(folder), "--watch", "--ready-file", str(ready)],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        until(ready.exists)
        url = json.loads(ready.read_text())["url"]
        return [watch_once(folder, url, i) for i in range(runs)]
    finally:
        process.terminate()
        process.wait(10)


def long_poll_runs(runs: int) -> list[float]:
    server = BackgroundServer(lambda: create_app(ServerConfig(speed=0, seed=1))).start()
    woke: list[float] = []
    try:
        for i in range(runs):
            session, got = f"bench-{i}", threading.Event()

            def wait() -> None:
                with urllib.request.urlopen(f"{server.url}/_mock/journal?session={session}&wait=10", timeout=30) as response:
                    response.read()
                got.set()

            thread = threading.Thread(target=wait)
            thread.start()
            until(lambda: server.call(lambda: bool(server.app[STATE].journal._subscribers)))  # type: ignore[index]  # the long-poll listens
            post(f"{server.url}/v1/chat/completions", {"model": "fast", "messages": [{"role": "user", "content": "hi"}]}, {"X-Mock-Session": session})
            done = time.perf_counter()
            got.wait(30)
            woke.append(time.perf_counter() - done)
            thread.join()
    finally:
        server.stop()
    return woke


def first_byte(url: str) -> float:
    request = urllib.request.Request(f"{url}/v1/chat/completions", data=json.dumps({"model": "hello", "stream": True, "messages": [{"role": "user", "content": "hi"}]}).encode(), headers={"Content-Type": "application/json", "X-Mock-Speed": "0"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read(1)
        elapsed = time.perf_counter() - started
        response.read()
    return elapsed


def recorder_runs(runs: int, folder: Path) -> tuple[list[float], list[float]]:
    upstream = BackgroundServer(lambda: create_app(ServerConfig(seed=1))).start()
    recorder = BackgroundServer(lambda: create_recorder(upstream.url, folder / "recorded")).start()
    try:
        direct = [first_byte(upstream.url) for _ in range(runs)]
        relayed = [first_byte(recorder.url) for _ in range(runs)]
    finally:
        recorder.stop()
        upstream.stop()
    return direct, relayed


def measure(runs: int = 5) -> list[Row]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ready = [ready_file_once(folder) for _ in range(runs)]
        (folder / "ready.json").unlink(missing_ok=True)
        watch = watch_runs(runs, folder)
        poll = long_poll_runs(runs * 4)
        direct, relayed = recorder_runs(runs * 4, folder)
    return [
        Row("launch → ready file", f"median {ms(median(ready))}, max {ms(max(ready))}", f"{runs} launches"),
        Row("watch: file written → new answer", f"median {ms(median(watch))}, max {ms(max(watch))}", "target < 1 s"),
        Row("journal wait: request done → long-poll answers", f"median {ms(median(poll))}, max {ms(max(poll))}", f"{runs * 4} polls"),
        Row("record: first byte direct / via recorder", f"median {ms(median(direct))} / {ms(median(relayed))}", f"{runs * 4} requests each, speed 0"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    print_table(measure(parser.parse_args().runs))


if __name__ == "__main__":
    main()
