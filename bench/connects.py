"""Thousands of simultaneous connects: connect and first-response latency against the listen backlog.

Opens N non-blocking sockets to the server in one burst, then sends each a
chat request (the `hello` scenario at `--speed 0`) and times its first byte. A connect that waited for a SYN retransmit (about 1 s on
Linux) means the SYN or accept queue overflowed. mockllm listens with a
backlog of 4096 (`ServerConfig.backlog`); the bare aiohttp server with
aiohttp's default of 128 shows what that buys. The kernel caps any backlog at
`net.core.somaxconn`.

    python bench/connects.py [--clients 2000]
"""

from __future__ import annotations

import argparse
import errno
import selectors
import socket
import time
from pathlib import Path
from typing import Callable

from serverproc import ServerProcess, bare, mockllm
from table import Row, ms, percentile, print_table

BODY = b'{"model":"hello","stream":true,"messages":[{"role":"user","content":"hi"}]}'
REQUEST = (
    b"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    b"X-Mock-Speed: 0\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s" % (len(BODY), BODY)
)
SLOW_S = 0.9  # at or past this, a connect waited for a SYN retransmit


def kernel_setting(name: str) -> str:
    path = Path("/proc/sys") / name.replace(".", "/")
    return path.read_text().strip() if path.exists() else "n/a"


def burst(port: int, clients: int, limit_s: float = 30) -> tuple[list[float], list[float], int]:
    """Connect `clients` sockets at once; return connect latencies, first-byte latencies, and failures."""
    selector = selectors.DefaultSelector()
    started: dict[socket.socket, float] = {}
    connected: list[float] = []
    answered: list[float] = []
    failures = 0
    for _ in range(clients):
        sock = socket.socket()
        sock.setblocking(False)
        started[sock] = time.perf_counter()
        code = sock.connect_ex(("127.0.0.1", port))
        if code not in (0, errno.EINPROGRESS):
            failures += 1
            sock.close()
            continue
        selector.register(sock, selectors.EVENT_WRITE, data=sock)
    deadline = time.perf_counter() + limit_s
    while selector.get_map() and time.perf_counter() < deadline:
        for key, events in selector.select(timeout=1):
            sock = key.data
            now = time.perf_counter()
            if events & selectors.EVENT_WRITE:
                if sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
                    failures += 1
                    selector.unregister(sock)
                    sock.close()
                    continue
                connected.append(now - started[sock])
                sock.sendall(REQUEST)
                selector.modify(sock, selectors.EVENT_READ, data=sock)
            else:
                data = sock.recv(4096)
                if data.startswith(b"HTTP/1.1 200"):
                    answered.append(now - started[sock])
                else:
                    failures += 1
                selector.unregister(sock)
                sock.close()
    failures += len(selector.get_map())
    for key in list(selector.get_map().values()):
        key.data.close()
    selector.close()
    return connected, answered, failures


def summary(values: list[float], count_slow: bool = False) -> str:
    if not values:
        return "none"
    text = f"p50 {ms(percentile(values, 50))} p99 {ms(percentile(values, 99))} max {ms(max(values))}"
    return text + (f", {sum(1 for v in values if v >= SLOW_S)} >= {SLOW_S:g} s (retransmits)" if count_slow else "")


def measure(clients: int = 2000) -> list[Row]:
    caps = f"somaxconn {kernel_setting('net.core.somaxconn')}, tcp_max_syn_backlog {kernel_setting('net.ipv4.tcp_max_syn_backlog')}"
    servers: list[tuple[str, Callable[[], ServerProcess]]] = [
        ("mockllm, backlog 4096", lambda: mockllm("--speed", "0")),
        ("bare aiohttp, backlog 128", bare),
    ]
    rows = []
    for label, start in servers:
        with start() as server:
            connected, answered, failures = burst(server.port, clients)
        rows.append(Row(f"{clients} connects at once: {label}: connect", summary(connected, count_slow=True), caps))
        rows.append(Row(f"{clients} connects at once: {label}: first byte", summary(answered), f"{failures} failed"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=2000)
    print_table(measure(parser.parse_args().clients))


if __name__ == "__main__":
    main()
