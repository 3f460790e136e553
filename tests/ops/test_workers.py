"""`--workers N`: processes sharing one port, refusing what needs one process, metrics added up."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request

import pytest
from test_serve_process import TIMEOUT_S, serve  # noqa: F401 - the fixture

from mockllm.server.worker_processes import single_process_refusal

#: Timing-sensitive (real pacing, separate network reads): these run one at a time on one worker.
pytestmark = pytest.mark.xdist_group("serial")


def port_of(banner: list[str]) -> int:
    return int(banner[1].removeprefix("  base URL: http://127.0.0.1:").removesuffix("/v1"))


def fetch(url: str, body: dict | None = None, method: str | None = None) -> tuple[int, bytes]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def requests_counted(base: str) -> float:
    _, text = fetch(base + "/_mock/metrics")
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.decode().splitlines() if line.startswith("mockllm_requests_total{"))


def test_two_workers_serve_one_port_add_up_their_metrics_and_stop_together(serve):
    process = serve("--port", "0", "--speed", "0", "--workers", "2")
    banner = process.read_banner()
    base = f"http://127.0.0.1:{port_of(banner)}"
    found = subprocess.run(["pgrep", "-P", str(process.proc.pid)], capture_output=True, text=True, check=True)
    workers = [int(pid) for pid in found.stdout.split()]
    assert len(workers) == 2
    chat = {"stream": True, "messages": [{"role": "user", "content": "hi"}]}
    for _ in range(20):
        status, body = fetch(base + "/v1/chat/completions", chat)
        assert status == 200 and body.endswith(b"data: [DONE]\n\n")
    deadline = time.monotonic() + TIMEOUT_S
    while requests_counted(base) != 20:  # each worker publishes its figures every second
        assert time.monotonic() < deadline, requests_counted(base)
        time.sleep(0.1)
    assert process.finish(signal.SIGTERM) == 0
    assert not any(os.path.exists(f"/proc/{pid}") for pid in workers)  # reaped by the parent before it exited


def test_what_needs_one_process_is_refused_with_the_reason(serve):
    process = serve("--port", "0", "--speed", "0", "--workers", "2")
    base = f"http://127.0.0.1:{port_of(process.read_banner())}"
    status, body = fetch(base + "/_mock/journal")
    assert status == 409 and b"--workers 1" in body
    status, _ = fetch(base + "/_mock/reload", {}, method="POST")
    assert status == 409
    status, body = fetch(base + "/v1/chat/completions", {"model": "fail-twice-then-succeed", "messages": [{"role": "user", "content": "hi"}]})
    assert status == 400 and b"counts attempts per session" in body
    assert fetch(base + "/_mock/health")[0] == 200
    assert process.finish() == 0


@pytest.mark.parametrize(
    ("workers", "method", "path", "refused"),
    [
        (1, "GET", "/_mock/journal", False),
        (2, "GET", "/_mock/journal", True),
        (2, "DELETE", "/_mock/sessions/a", True),
        (2, "POST", "/_mock/scenarios", True),
        (2, "GET", "/_mock/scenarios", False),
        (2, "GET", "/_mock/metrics", False),
        (2, "POST", "/v1/chat/completions", False),
    ],
)
def test_which_routes_need_one_process(workers, method, path, refused):
    assert (single_process_refusal(workers, method, path) is not None) == refused

