"""Probe mockllm as a hostile client would, on 127.0.0.1 only, and print one figure per check.

Each check starts its own server process (`serve.py --port 0`, its log to a
temporary file) and is bounded in count and time:

  fuzz      N seeded hostile requests over every route: unexpected 5xx, tracebacks in the log
  health    the slowest health answer while one hostile thing runs (a speed-0 heartbeat stream,
            a 1 MiB echo, the `(a+)+$` regex, a reload of the alias bomb / 20,000 documents)
  yaml      each hostile scenario file on reload: 422 with `file:line`
  admin     on 0.0.0.0 (traffic to 127.0.0.1): control routes answering 401 without the token
  secrets   secret kinds still visible in the journal (of 14)
  rss       server RSS growth after 1,000 requests with 64 KiB JSON bodies
  body      a body that never finishes: seconds until the connection is closed
  fds       1,100 idle connections at a 1,024-fd limit: what a new request gets, log bytes

    python bench/hostile_probe.py                 # everything, a few minutes
    python bench/hostile_probe.py --only fuzz --requests 2000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Awaitable, Callable

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO))

from fuzzcases import request_bytes, route_targets, send, unexpected_5xx  # noqa: E402
from serverproc import ServerProcess  # noqa: E402
from test_yaml_hostile import GOOD, HOSTILE  # noqa: E402

SCENARIOS = REPO / "scenarios"
_PORT = re.compile(r"127\.0\.0\.1:(\d+)")
_TOKEN = re.compile(r"admin:\s+token (\S+)")


class Server(ServerProcess):
    """`serve.py --port 0 ARGS` with its log in a file; port and admin token read from the banner."""

    def __init__(self, *args: str, fd_limit: int | None = None) -> None:
        self.log = tempfile.NamedTemporaryFile(prefix="mockllm-probe-", suffix=".log", delete=False)
        limit = (lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (fd_limit, fd_limit))) if fd_limit else None
        self.proc = subprocess.Popen(
            [sys.executable, "serve.py", "--port", "0", *args], cwd=REPO, stdout=subprocess.PIPE, stderr=self.log, text=True, preexec_fn=limit
        )
        self.port, self.token = 0, None
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if (found := _TOKEN.search(line)) is not None:
                self.token = found.group(1)
            if not self.port and (found := _PORT.search(line)):
                self.port = int(found.group(1))
            if line.lstrip().startswith("try:"):
                break
        if not self.port:
            raise RuntimeError(f"server exited: {self.log_text()[-2000:]}")

    def rss_mib(self) -> float:
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024  # type: ignore[union-attr]

    def log_text(self) -> str:
        return Path(self.log.name).read_text(errors="replace")

    def stop(self) -> None:
        super().stop()
        Path(self.log.name).unlink(missing_ok=True)


async def http(port: int, method: str, path: str, body: bytes = b"", headers: tuple[bytes, ...] = (), timeout: float = 30) -> tuple[int | None, bytes]:
    host = () if any(h.lower().startswith(b"host:") for h in headers) else (b"Host: 127.0.0.1",)
    head = [f"{method} {path} HTTP/1.1".encode(), *host, *headers, b"Content-Length: %d" % len(body), b"Connection: close"]
    reply = await send(port, b"\r\n".join(head) + b"\r\n\r\n" + body, timeout)
    return reply.status, reply.raw.partition(b"\r\n\r\n")[2]


def chat(content: str, stream: bool = False, **extra: Any) -> bytes:
    return json.dumps({"model": extra.pop("model", "echo"), "messages": [{"role": "user", "content": content}], "stream": stream, **extra}).encode()


JSON = b"Content-Type: application/json"


async def slowest_health_during(port: int, work: Awaitable[Any]) -> tuple[float, Any]:
    """Poll health every 10 ms while `work` runs; the slowest answer in ms (inf: none within 15 s), and what `work` gave."""
    task = asyncio.ensure_future(work)
    worst = 0.0
    while not task.done():
        started = time.perf_counter()
        try:
            await http(port, "GET", "/_mock/health", timeout=15)
        except asyncio.TimeoutError:
            worst = float("inf")
            break
        worst = max(worst, (time.perf_counter() - started) * 1000)
        await asyncio.sleep(0.01)
    try:
        return worst, await task
    except asyncio.TimeoutError:
        return worst, (None, b"")


async def check_fuzz(count: int) -> list[str]:
    server = Server("--speed", "0", "--max-stream-s", "1", "--read-timeout", "1")
    try:
        _, routes_body = await http(server.port, "GET", "/_mock/routes")
        targets = route_targets(json.loads(routes_body), random.Random(1))
        limit = asyncio.Semaphore(32)
        bad = 0
        statuses: dict[int | str | None, int] = {}
        stuck: list[bytes] = []

        async def one(seed: int) -> None:
            nonlocal bad
            data = request_bytes(random.Random(seed), targets)
            async with limit:
                try:
                    reply = await send(server.port, data, 20)
                except asyncio.TimeoutError:
                    statuses["no answer in 20 s"] = statuses.get("no answer in 20 s", 0) + 1
                    stuck.append(data[:400])
                    return
            statuses[reply.status] = statuses.get(reply.status, 0) + 1
            bad += unexpected_5xx(reply)

        started = time.perf_counter()
        await asyncio.gather(*(one(seed) for seed in range(count)))
        took = time.perf_counter() - started
        journal_status, _ = await http(server.port, "GET", "/_mock/journal?limit=10")
        tracebacks = server.log_text().count("Traceback")
        shown = ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items(), key=lambda kv: str(kv[0])))
        return [
            f"fuzz: {count:,} requests in {took:.1f} s; unexpected 5xx: {bad}; tracebacks in the log: {tracebacks}; journal read after: {journal_status}",
            f"fuzz: statuses {shown}",
            *(f"fuzz: no answer: {data!r}" for data in stuck[:3]),
        ]
    finally:
        server.stop()


async def check_health() -> list[str]:
    folder = Path(tempfile.mkdtemp(prefix="mockllm-probe-"))
    shutil.copytree(SCENARIOS, folder / "s")
    (folder / "s" / "regex.yaml").write_text(GOOD.format(name="regex-case") + "match: {message: '(a+)+$'}\n", encoding="utf-8")
    server = Server("--scenarios", str(folder / "s"), "--max-stream-s", "3")
    lines = []
    try:
        port = server.port
        for content in ("warm-up", "aaaa", "a" * 28 + "!", "a" * 28 + "!"):  # first requests pay for imports and faker
            started = time.perf_counter()
            body = chat(content, model="gpt-4o")
            head = b"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Mock-Speed: 0\r\nConnection: close\r\n"
            reply = await send(port, head + b"Content-Length: %d\r\n\r\n" % len(body) + body)
            took = (time.perf_counter() - started) * 1000
            found = re.search(rb"X-Mock-Scenario: (\S+)", reply.raw)
            if content != "warm-up":
                chosen = found.group(1).decode() if found else "none"
                lines.append(f"regex: `(a+)+$` against {content[:8]!r}… ({len(content)} chars) answered {reply.status} in {took:.0f} ms (scenario {chosen})")
        cases: list[tuple[str, Callable[[], Awaitable[Any]]]] = [
            ("speed-0 heartbeat stream (3 s cap)", lambda: http(port, "POST", "/v1/chat/completions", chat("hi", True), (JSON, b"X-Mock-Scenario: heartbeat", b"X-Mock-Speed: 0"))),
            ("speed-0 echo of 1 MiB", lambda: http(port, "POST", "/v1/chat/completions", chat("x" * (1 << 20), True), (JSON, b"X-Mock-Speed: 0"))),
        ]
        for name, work in cases:
            worst, _ = await slowest_health_during(port, work())
            lines.append(f"health: slowest answer {worst:.0f} ms during a {name}")
        for name in ("alias-bomb", "many-documents"):
            (folder / "s" / f"{name}.yaml").write_text(HOSTILE[name][0], encoding="utf-8")
            worst, (status, body) = await slowest_health_during(port, http(port, "POST", "/_mock/reload"))
            problem = json.loads(body)["problems"][0].split(str(folder))[-1]
            lines.append(f"reload: {name}: {status} ({problem[:70]}); slowest health meanwhile {worst:.0f} ms")
            (folder / "s" / f"{name}.yaml").unlink()
    finally:
        server.stop()
        shutil.rmtree(folder)
    return lines


async def check_yaml() -> list[str]:
    folder = Path(tempfile.mkdtemp(prefix="mockllm-probe-"))
    (folder / "default.yaml").write_text(GOOD.format(name="default"), encoding="utf-8")
    server = Server("--scenarios", str(folder))
    placed = 0
    try:
        for name, (text, line, _) in HOSTILE.items():
            (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
            status, body = await http(server.port, "POST", "/_mock/reload")
            problems = json.loads(body).get("problems", []) if status == 422 else []
            placed += bool(problems) and problems[0].startswith(f"{folder / name}.yaml:{line}: ")
            (folder / f"{name}.yaml").unlink()
        tracebacks = server.log_text().count("Traceback")
    finally:
        server.stop()
        shutil.rmtree(folder)
    return [f"yaml: {placed} of {len(HOSTILE)} hostile files answered 422 with file:line; tracebacks in the log: {tracebacks}"]


ADMIN_ROUTES = [("GET", "/_mock/scenarios"), ("GET", "/_mock/journal"), ("DELETE", "/_mock/journal"), ("POST", "/_mock/reload"), ("GET", "/_mock/sessions"),
                ("DELETE", "/_mock/sessions"), ("GET", "/_mock/sessions/x"), ("DELETE", "/_mock/sessions/x"), ("GET", "/_mock/routes")]


async def check_admin() -> list[str]:
    server = Server("--host", "0.0.0.0")
    try:
        refused = [(await http(server.port, m, p))[0] for m, p in ADMIN_ROUTES]
        with_token = (await http(server.port, "GET", "/_mock/journal", headers=(f"Authorization: Bearer {server.token}".encode(),)))[0]
        health = (await http(server.port, "GET", "/_mock/health"))[0]
        evil = (await http(server.port, "GET", "/_mock/journal", headers=(b"Host: evil.example", b"Origin: http://evil.example", f"X-Mock-Admin-Token: {server.token}".encode())))[0]
    finally:
        server.stop()
    local = Server()
    try:
        rebinding = (await http(local.port, "GET", "/_mock/journal", headers=(b"Host: evil.example",)))[0]
        status, _ = await http(local.port, "GET", "/_mock/journal", headers=(b"Origin: http://evil.example",))
    finally:
        local.stop()
    return [
        f"admin: on 0.0.0.0, {sum(s == 401 for s in refused)} of {len(ADMIN_ROUTES)} control routes answer 401 without the token "
        f"(statuses {set(refused)}); with it {with_token}; health {health}; Host evil.example + foreign Origin with the token {evil}",
        f"admin: on 127.0.0.1, Host: evil.example → {rebinding}; Origin: http://evil.example → {status}",
    ]


SECRETS = {
    "headers": ["Authorization", "Proxy-Authorization", "X-Api-Key", "Api-Key", "Cookie", "X-Goog-Api-Key"],
    "query": ["api_key", "key", "access_token", "token"],
    "body": ["api_key", "token", "password", "client_secret"],
}


async def check_secrets() -> list[str]:
    server = Server("--speed", "0")
    try:
        visible = 0
        for kind, names in SECRETS.items():
            for name in names:
                secret = f"SECRET-{kind}-{name}"
                headers: tuple[bytes, ...] = (JSON,)
                path, body = "/v1/chat/completions", chat("hi")
                if kind == "headers":
                    headers += (f"{name}: {secret}".encode(),)
                elif kind == "query":
                    path += f"?{name}={secret}"
                else:
                    body = chat("hi", metadata={"nested": {name: secret}}, **{name: secret})
                await http(server.port, "POST", path, body, headers)
                _, journal = await http(server.port, "GET", "/_mock/journal")
                visible += secret.encode() in journal
    finally:
        server.stop()
    total = sum(len(v) for v in SECRETS.values())
    return [f"secrets: {visible} of {total} secret kinds visible in the journal"]


async def check_rss() -> list[str]:
    server = Server("--speed", "0")
    try:
        before = server.rss_mib()
        body = chat("hi", padding=[{"k": i, "v": "x" * 40} for i in range(1050)])
        assert 60_000 < len(body) < 66_000
        limit = asyncio.Semaphore(16)

        async def one() -> None:
            async with limit:
                await http(server.port, "POST", "/v1/chat/completions", body, (JSON,))

        await asyncio.gather(*(one() for _ in range(1000)))
        started = time.perf_counter()
        worst, (_, journal) = await slowest_health_during(server.port, http(server.port, "GET", "/_mock/journal"))
        read_s = time.perf_counter() - started
        after = server.rss_mib()
    finally:
        server.stop()
    return [f"rss: {before:.0f} → {after:.0f} MiB (+{after - before:.0f}) after 1,000 bodies of {len(body) // 1024} KiB; "
            f"a full journal read: {len(journal) / 2**20:.1f} MiB in {read_s:.2f} s, slowest health meanwhile {worst:.0f} ms"]


async def check_body() -> list[str]:
    server = Server("--read-timeout", "2")
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(b"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n{\"model\"")
        started = time.perf_counter()
        _, health = await http(server.port, "GET", "/_mock/health")
        reply = await asyncio.wait_for(reader.read(-1), 30)
        took = time.perf_counter() - started
        writer.close()
    finally:
        server.stop()
    return [f"body: a body that never finishes, --read-timeout 2: {reply.split(b' ', 2)[1].decode() if reply else 'no answer'} and closed after {took:.1f} s; "
            f"open_streams meanwhile {json.loads(health)['open_streams']}"]


async def check_fds() -> list[str]:
    server = Server(fd_limit=1024)
    held = []
    try:
        before = len(server.log_text())
        for _ in range(1100):
            try:
                held.append(await asyncio.open_connection("127.0.0.1", server.port))
            except OSError:
                break
        status, _ = await http(server.port, "GET", "/_mock/health", timeout=10)
        for _, writer in held:
            writer.close()
        await asyncio.sleep(0.5)
        recovered = None
        for _ in range(100):
            recovered, _ = await http(server.port, "GET", "/_mock/health", timeout=10)
            if recovered == 200:
                break
            await asyncio.sleep(0.1)
        log = server.log_text()[before:]
    finally:
        server.stop()
    return [f"fds: {len(held)} idle connections at a 1,024-fd limit: a new request gets {status}; after they close: {recovered}; "
            f"log grew {len(log)} bytes, {log.count(chr(10))} lines, {log.count('Traceback')} tracebacks"]


CHECKS = {"fuzz": None, "health": check_health, "yaml": check_yaml, "admin": check_admin, "secrets": check_secrets, "rss": check_rss, "body": check_body, "fds": check_fds}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(CHECKS), help="comma-separated checks: " + ", ".join(CHECKS))
    parser.add_argument("--requests", type=int, default=10_000, help="fuzzed requests (default 10,000)")
    args = parser.parse_args()
    for name in args.only.split(","):
        check = CHECKS[name]
        lines = await (check_fuzz(args.requests) if check is None else check())
        for line in lines:
            print(line, flush=True)


if __name__ == "__main__":
    asyncio.run(main())
