"""The recording proxy: forward requests to an upstream, relay its answer as it arrives, record the turns of recorded dialects.

`Upstream` relays one request; `mockllm record` serves every path through
one (`create_recorder`), and `mockllm serve --upstream` sends it the requests
no scenario answers.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Awaitable, Callable, Mapping

from aiohttp import ClientSession, ClientTimeout, web

from mockllm.core.errors import RequestError
from mockllm.core.incoming import Incoming
from mockllm.core.strict_json import parse_json
from mockllm.dialects import DIALECTS
from mockllm.record.frames import Reads
from mockllm.record.readers import LONGEST_END, READERS, Reader, find_reader
from mockllm.record.writer import Recorder

log = logging.getLogger("mockllm.record")

#: Request headers not forwarded: hop-by-hop, and Accept-Encoding so the upstream answers uncompressed (readable, and relayed as sent).
_DROPPED_REQUEST = {"host", "content-length", "connection", "keep-alive", "transfer-encoding", "accept-encoding", "upgrade"}
#: Response headers not relayed: the relay frames the body itself.
_DROPPED_RESPONSE = {"content-length", "transfer-encoding", "connection", "keep-alive", "content-encoding"}
#: A dialect whose answers are recorded, its reader, and the route's path parameters.
Found = tuple[str, Reader, Mapping[str, str]]
#: What runs once a turn is recorded, given its file.
Recorded = Callable[[Path], Awaitable[None]]


@dataclass
class Relayed:
    """What relaying one request did: the response sent (None: the upstream was unreachable, `error` says why), and the file recorded."""

    response: web.StreamResponse | None
    status: int
    writes: int = 0
    bytes: int = 0
    recorded: Path | None = None
    error: str | None = None


class Upstream:
    """An API requests are forwarded to, with the client's credentials, and the recorder its answers are written with."""

    def __init__(self, url: str, recorder: Recorder) -> None:
        self.url = url.rstrip("/")
        self.recorder = recorder
        self._client: ClientSession | None = None

    async def open(self) -> None:
        """Open the HTTP client (uncompressed answers, no total timeout: a stream lasts as long as it lasts)."""
        self._client = ClientSession(auto_decompress=False, timeout=ClientTimeout(total=None, sock_connect=30))

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()

    def found(self, dialect: str, params: Mapping[str, str]) -> Found | None:
        """The reader of a dialect whose answers are recorded (None: relayed only)."""
        reader = READERS.get(dialect)
        return (dialect, reader, params) if reader else None

    async def relay(
        self, request: web.Request, body: bytes, found: Found | None, headers: Mapping[str, str] | None = None, then: Recorded | None = None
    ) -> Relayed:
        """Forward one request and stream the answer back as it arrives (with `headers` added); record it (when `found`) before ending it.

        `then` runs once the turn is written, before the answer's last bytes
        go out, so a client that has the whole answer finds it served. A
        client that leaves early does not stop the recording: the answer is
        read to its end and written anyway.
        """
        return await asyncio.shield(asyncio.ensure_future(self._relay(request, body, found, headers or {}, then)))

    async def _relay(self, request: web.Request, body: bytes, found: Found | None, extra: Mapping[str, str], then: Recorded | None) -> Relayed:
        assert self._client is not None, "Upstream.open() first"
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _DROPPED_REQUEST}
        reader = found[1] if found else None
        loop = asyncio.get_running_loop()
        started = loop.time()
        reads: Reads = []
        try:
            upstream = await self._client.request(request.method, self.url + request.path_qs, headers=headers, data=body)
        except OSError as exc:
            return Relayed(None, 502, error=f"upstream unreachable: {exc}")
        async with upstream:
            response = web.StreamResponse(status=upstream.status, reason=upstream.reason)
            response.headers.update({k: v for k, v in upstream.headers.items() if k.lower() not in _DROPPED_RESPONSE})
            response.headers.update(extra)
            await response.prepare(request)
            held, tail = b"", b""
            async for data in upstream.content.iter_any():
                reads.append(((loop.time() - started) * 1000, data))
                if held or (reader and reader.ends_in(tail + data)):
                    held += data  # the last frames wait for the recording
                else:
                    await _send(response, data)
                tail = data[-LONGEST_END:]
        recorded = await self._record(request, found, body, upstream.status, reads) if found else None
        if recorded is not None and then is not None:
            await then(recorded)
        await _send(response, held)
        await _send(response, None)  # after the recording: a client that has the whole answer finds it written
        return Relayed(response, upstream.status, len(reads), sum(len(data) for _, data in reads), recorded)

    async def _record(self, request: web.Request, found: Found, body: bytes, status: int, reads: Reads) -> Path | None:
        """Read the request as its dialect does and the answer with its reader, and write the turn (a warning when either cannot be read)."""
        name, reader, params = found
        parsed, error = parse_json(body)
        try:
            chat = DIALECTS[name].parse(Incoming(request.method, request.path, request.query, request.headers, body, parsed, error, params))
            if not reader.records(chat):
                return None
            if chat.stream and status < 400:
                answer = reader.stream(reads)
            else:
                answer = reader.whole(status, b"".join(data for _, data in reads), reads[0][0] if reads else 0.0)
        except (ValueError, KeyError, TypeError, IndexError, AttributeError, RequestError) as exc:
            log.warning("not recorded: %s %s: %s", request.method, request.path, exc)
            return None
        path = await asyncio.get_running_loop().run_in_executor(None, self.recorder.write, chat, answer)
        log.info("recorded turn %d of %s", chat.assistant_turns, path.name)
        return path


async def _send(response: web.StreamResponse, data: bytes | None) -> None:
    """Write to the client (None: end the body), unless it has gone."""
    try:
        await (response.write_eof() if data is None else response.write(data))
    except ConnectionResetError:
        pass


_UPSTREAM = web.AppKey("upstream", Upstream)


def create_recorder(upstream: str, out: Path) -> web.Application:
    """The recording proxy: every path forwarded to `upstream`; answers of the READERS' routes written below `out`."""
    app = web.Application(client_max_size=64 * 1024 * 1024)
    app[_UPSTREAM] = Upstream(upstream, Recorder(out))
    app.cleanup_ctx.append(_opened)
    app.router.add_route("*", "/{path:.*}", relay)
    return app


async def _opened(app: web.Application) -> Any:
    await app[_UPSTREAM].open()
    yield
    await app[_UPSTREAM].close()


async def relay(request: web.Request) -> web.StreamResponse:
    """Forward one request through the app's upstream, recording it when a dialect with a reader serves its route."""
    relayed = await request.app[_UPSTREAM].relay(request, await request.read(), find_reader(request.method, request.path))
    if relayed.response is None:
        return web.json_response({"error": {"message": f"mockllm record: {relayed.error}", "type": "upstream_error"}}, status=502)
    return relayed.response
