"""The floor of a paced stream: the same frames as the bare server, one `send()` each, from a loop that does nothing else.

No event loop, no HTTP framework, no per-stream task: `selectors` for accepts
and reads, a heap of due writes, and each due frame written with one
non-blocking `send()` of its chunk. What it costs per delta is what a
socket write costs on this machine (the kernel's share is most of it); no
server that sends each delta in a write of its own can go below it.

    python bench/send_floor.py --port 0
"""

from __future__ import annotations

import argparse
import heapq
import json
import selectors
import socket
import time
from dataclasses import dataclass, field

from bare_server import frames_for

HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nCache-Control: no-cache\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"


@dataclass(order=True)
class Stream:
    """One response: the next frame's due time, then the socket, its frames and where it stands."""

    due: float
    sock: socket.socket = field(compare=False)
    frames: tuple[bytes, ...] = field(compare=False)
    delay: float = field(compare=False)
    start: float = field(compare=False)
    sent: int = field(default=0, compare=False)


def chunk(frame: bytes) -> bytes:
    return b"%x\r\n%b\r\n" % (len(frame), frame)


def request_of(data: bytes) -> tuple[str, float] | None:
    """The last user message and the pacing (seconds) of a complete request, None while it is incomplete."""
    head, found, body = data.partition(b"\r\n\r\n")
    if not found:
        return None
    headers = dict(line.split(b": ", 1) for line in head.split(b"\r\n")[1:] if b": " in line)
    if len(body) < int(headers.get(b"Content-Length", b"0")):
        return None
    speed = float(headers.get(b"X-Mock-Speed", b"1"))
    return json.loads(body)["messages"][-1]["content"], float(headers.get(b"X-Mock-Delay-Ms", b"20")) * speed / 1000


def send_due(stream: Stream, now: float) -> bool:
    """Send the stream's due frames (each its own `send`); False once it has ended."""
    deltas = len(stream.frames) - 3
    while stream.sent < len(stream.frames):
        due = stream.start + stream.delay * min(max(stream.sent - 1, 0), deltas - 1)
        if stream.delay and due > now:
            stream.due = due
            return True
        try:
            stream.sock.send(chunk(stream.frames[stream.sent]))
        except (BlockingIOError, ConnectionError):
            return False  # a full buffer or a client gone: this floor does not queue
        stream.sent += 1
    stream.sock.send(b"0\r\n\r\n")
    return False


def serve(port: int, backlog: int) -> None:
    listener = socket.create_server(("127.0.0.1", port), backlog=backlog)
    listener.setblocking(False)
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    pending: dict[socket.socket, bytes] = {}
    heap: list[Stream] = []
    print(f"send floor on http://127.0.0.1:{listener.getsockname()[1]}", flush=True)
    while True:
        timeout = max(0.0, heap[0].due - time.monotonic()) if heap else None
        for key, _ in selector.select(timeout):
            if key.fileobj is listener:
                accept(listener, selector, pending)
            else:
                read(key.fileobj, selector, pending, heap)  # type: ignore[arg-type]
        now = time.monotonic()
        while heap and heap[0].due <= now:
            stream = heapq.heappop(heap)
            if send_due(stream, now):
                heapq.heappush(heap, stream)
            else:
                stream.sock.close()


def accept(listener: socket.socket, selector: selectors.BaseSelector, pending: dict[socket.socket, bytes]) -> None:
    while True:
        try:
            sock, _ = listener.accept()
        except BlockingIOError:
            return
        sock.setblocking(False)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        pending[sock] = b""
        selector.register(sock, selectors.EVENT_READ)


def read(sock: socket.socket, selector: selectors.BaseSelector, pending: dict[socket.socket, bytes], heap: list[Stream]) -> None:
    data = pending[sock] + sock.recv(65536)
    asked = request_of(data)
    if asked is None:
        pending[sock] = data
        return
    selector.unregister(sock)
    del pending[sock]
    sock.send(HEAD)
    now = time.monotonic()
    heapq.heappush(heap, Stream(now, sock, frames_for(asked[0]), asked[1], now))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--backlog", type=int, default=4096)
    args = parser.parse_args()
    try:
        serve(args.port, args.backlog)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
