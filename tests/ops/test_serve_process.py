"""`python serve.py` as a real process: banner, the printed curl line, shutdown on signals."""

from __future__ import annotations

import json
import queue
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path
from typing import IO, Iterator

import pytest

REPO = Path(__file__).resolve().parents[2]
#: A hang guard only: every wait below ends on an event well before this.
TIMEOUT_S = 30


class ServeProcess:
    """`python serve.py ARGS` with its stdout lines and stderr collected by reader threads."""

    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "serve.py", *args],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            encoding="utf-8",
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.error_lines: queue.Queue[str] = queue.Queue()
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self._readers = [self._read(self.proc.stdout, self.stdout, self.lines), self._read(self.proc.stderr, self.stderr, self.error_lines)]

    @staticmethod
    def _read(stream: IO[str] | None, into: list[str], lines: queue.Queue[str] | None = None) -> threading.Thread:
        def run() -> None:
            assert stream is not None
            for line in stream:
                into.append(line)
                if lines is not None:
                    lines.put(line)
            if lines is not None:
                lines.put("")

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        return thread

    def read_banner(self) -> list[str]:
        """Stdout lines up to and including the `try:` curl line."""
        banner = []
        while True:
            line = self.lines.get(timeout=TIMEOUT_S)
            assert line, f"serve.py exited before its banner; stderr:\n{''.join(self.stderr)}"
            banner.append(line.rstrip("\n"))
            if line.lstrip().startswith("try:"):
                return banner

    def next_line(self, lines: queue.Queue[str]) -> str:
        """The next line of stdout (`self.lines`) or stderr (`self.error_lines`); fails when the process has exited."""
        line = lines.get(timeout=TIMEOUT_S)
        assert line, f"serve.py exited; stderr:\n{''.join(self.stderr)}"
        return line

    def finish(self, sig: signal.Signals | None = signal.SIGINT) -> int:
        """Send `sig` (if any), wait for the exit and for both pipes to drain; return the exit code."""
        if sig is not None:
            self.proc.send_signal(sig)
        code = self.proc.wait(TIMEOUT_S)
        for reader in self._readers:
            reader.join(TIMEOUT_S)
        return code


@pytest.fixture
def serve() -> Iterator[type[ServeProcess]]:
    """Start `serve.py` processes; any still running are killed after the test."""
    started: list[ServeProcess] = []

    def start(*args: str) -> ServeProcess:
        process = ServeProcess(*args)
        started.append(process)
        return process

    yield start  # type: ignore[misc]
    for process in started:
        if process.proc.poll() is None:
            process.proc.kill()
            process.proc.wait(TIMEOUT_S)
        for pipe in (process.proc.stdout, process.proc.stderr):
            if pipe is not None:
                pipe.close()


def replay_curl(argv: list[str]) -> bytes:
    """Send the request a `curl URL -H ... -d ...` command line describes, with urllib."""
    url, headers, data = "", {}, None
    words = iter(argv[1:])
    for word in words:
        if word == "-H":
            name, _, value = next(words).partition(":")
            headers[name.strip()] = value.strip()
        elif word == "-d":
            data = next(words).encode()
        elif word.startswith("http"):
            url = word
    request = urllib.request.Request(url, data=data, headers=headers, method="POST" if data is not None else "GET")
    with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
        return response.read()


def run_curl(argv: list[str]) -> bytes:
    """Run the command line with curl itself."""
    done = subprocess.run(argv, capture_output=True, timeout=TIMEOUT_S, check=True)
    return done.stdout


def assert_complete_hello_stream(body: bytes) -> None:
    """A whole OpenAI stream of the `hello` scenario: deltas, a stop chunk, then [DONE]."""
    frames = body.decode("utf-8").split("\n\n")
    assert frames[-2:] == ["data: [DONE]", ""]
    chunks = [json.loads(frame.removeprefix("data: ")) for frame in frames[:-2]]
    assert all(frame.startswith("data: {") for frame in frames[:-2])
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    text = "".join(chunk["choices"][0]["delta"].get("content") or "" for chunk in chunks)
    assert text.startswith("你好！我是 mockllm")
    assert {chunk["model"] for chunk in chunks} == {"hello"}


def test_banner_then_the_printed_curl_line_streams_a_whole_answer(serve):
    process = serve("--port", "0")
    banner = process.read_banner()
    assert banner[0].startswith("mockllm serving ")
    assert banner[0].split()[2].isdigit() and banner[0].split()[3] == "scenarios"
    base = banner[1].removeprefix("  base URL: ")
    assert base.startswith("http://127.0.0.1:") and base.endswith("/v1")
    port = int(base.removeprefix("http://127.0.0.1:").removesuffix("/v1"))
    assert port > 0
    argv = shlex.split(banner[-1].removeprefix("  try:"))
    assert argv[:3] == ["curl", "-N", f"{base}/chat/completions"]

    bodies = [replay_curl(argv)]
    if shutil.which("curl"):
        bodies.append(run_curl(argv))
    for body in bodies:
        assert_complete_hello_stream(body)

    assert process.finish() == 0
    assert process.stdout[-1] == "mockllm: shutting down\n"
    assert "Traceback" not in "".join(process.stderr)


def read_until(sock: socket.socket, marker: bytes) -> bytes:
    """Read from `sock` until `marker` has arrived."""
    received = b""
    while marker not in received:
        data = sock.recv(65536)
        assert data, f"connection closed before {marker!r}; got {received!r}"
        received += data
    return received


def read_to_eof(sock: socket.socket) -> bytes:
    """Read from `sock` until the server closes the connection."""
    received = b""
    while data := sock.recv(65536):
        received += data
    return received


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_signal_during_a_slow_stream_ends_it_and_exits_cleanly(serve, sig):
    process = serve("--port", "0")
    port = int(process.read_banner()[1].rsplit(":", 1)[1].removesuffix("/v1"))
    body = b'{"model":"hello","stream":true,"messages":[{"role":"user","content":"hi"}]}'
    request = (
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"X-Mock-Delay-Ms: 60000\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    )
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT_S) as sock:
        sock.sendall(request)
        head = read_until(sock, b'"content":"\xe4\xbd\xa0"')  # the first word, 你; the next is a minute away
        process.proc.send_signal(sig)
        rest = read_to_eof(sock)

    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"data: [DONE]" not in rest
    assert process.finish(None) == 0
    assert process.stdout[-1] == "mockllm: shutting down\n"
    stderr = "".join(process.stderr)
    assert "Traceback" not in stderr
    assert "closing 1 open stream(s)" in stderr
    assert "server shutting down" in stderr


def test_port_in_use_is_a_clear_error(serve):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = serve("--port", str(port))
        code = process.finish(None)
    assert code == 1
    assert process.stdout == []
    assert "".join(process.stderr) == f"mockllm: cannot listen on 127.0.0.1:{port}: Address already in use\n"
