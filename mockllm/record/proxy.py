"""The recording proxy: forward every request to the upstream, relay its answer as it arrives, record the turns of recorded dialects."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from aiohttp import ClientSession, ClientTimeout, web

from mockllm.core.errors import RequestError
from mockllm.core.incoming import Incoming
from mockllm.core.strict_json import parse_json
from mockllm.dialects import DIALECTS
from mockllm.record.frames import Reads
from mockllm.record.readers import LONGEST_END, Reader, find_reader
from mockllm.record.writer import Recorder

log = logging.getLogger("mockllm.record")

#: Request headers not forwarded: hop-by-hop, and Accept-Encoding so the upstream answers uncompressed (readable, and relayed as sent).
_DROPPED_REQUEST = {"host", "content-length", "connection", "keep-alive", "transfer-encoding", "accept-encoding", "upgrade"}
#: Response headers not relayed: the relay frames the body itself.
_DROPPED_RESPONSE = {"content-length", "transfer-encoding", "connection", "keep-alive", "content-encoding"}

_RECORDER = web.AppKey("recorder", Recorder)
_UPSTREAM = web.AppKey("upstream", str)
_CLIENT = web.AppKey("client", ClientSession)


def create_recorder(upstream: str, out: Path) -> web.Application:
    """The recording proxy: every path forwarded to `upstream`; answers of the READERS' routes written below `out`."""
    app = web.Application(client_max_size=64 * 1024 * 1024)
    app[_RECORDER] = Recorder(out)
    app[_UPSTREAM] = upstream.rstrip("/")
    app.cleanup_ctx.append(_client_session)
    app.router.add_route("*", "/{path:.*}", relay)
    return app


async def _client_session(app: web.Application) -> Any:
    async with ClientSession(auto_decompress=False, timeout=ClientTimeout(total=None, sock_connect=30)) as session:
        app[_CLIENT] = session
        yield


async def relay(request: web.Request) -> web.StreamResponse:
    """Forward one request and stream the answer back as it arrives; record it (when its route has a reader) before ending it.

    A client that leaves early does not stop the recording: the answer is read to its end and written anyway.
    """
    return await asyncio.shield(asyncio.ensure_future(_relay(request)))


async def _relay(request: web.Request) -> web.StreamResponse:
    body = await request.read()
    headers = {k: v for k, v in request.headers.items() if k.lower() not in _DROPPED_REQUEST}
    found = find_reader(request.method, request.path)
    reader = found[1] if found else None
    loop = asyncio.get_running_loop()
    started = loop.time()
    reads: Reads = []
    try:
        upstream = await request.app[_CLIENT].request(request.method, request.app[_UPSTREAM] + request.path_qs, headers=headers, data=body)
    except OSError as exc:
        return web.json_response({"error": {"message": f"mockllm record: upstream unreachable: {exc}", "type": "upstream_error"}}, status=502)
    async with upstream:
        response = web.StreamResponse(status=upstream.status, reason=upstream.reason)
        response.headers.update({k: v for k, v in upstream.headers.items() if k.lower() not in _DROPPED_RESPONSE})
        await response.prepare(request)
        held, tail = b"", b""
        async for data in upstream.content.iter_any():
            reads.append(((loop.time() - started) * 1000, data))
            if held or (reader and reader.ends_in(tail + data)):
                held += data  # the last frames wait for the recording
            else:
                await _send(response, data)
            tail = data[-LONGEST_END:]
    if found:
        await _record(request, found, body, upstream.status, reads)
    await _send(response, held)
    await _send(response, None)  # after the recording: a client that has the whole answer finds it written
    return response


async def _send(response: web.StreamResponse, data: bytes | None) -> None:
    """Write to the client (None: end the body), unless it has gone."""
    try:
        await (response.write_eof() if data is None else response.write(data))
    except ConnectionResetError:
        pass


async def _record(request: web.Request, found: tuple[str, Reader, dict[str, str]], body: bytes, status: int, reads: Reads) -> None:
    """Read the request as its dialect does and the answer with its reader, and write the turn (a warning when either cannot be read)."""
    name, reader, params = found
    parsed, error = parse_json(body)
    try:
        chat = DIALECTS[name].parse(Incoming(request.method, request.path, request.query, request.headers, body, parsed, error, params))
        if not reader.records(chat):
            return
        if chat.stream and status < 400:
            answer = reader.stream(reads)
        else:
            answer = reader.whole(status, b"".join(data for _, data in reads), reads[0][0] if reads else 0.0)
    except (ValueError, KeyError, TypeError, IndexError, AttributeError, RequestError) as exc:
        log.warning("not recorded: %s %s: %s", request.method, request.path, exc)
        return
    path = await asyncio.get_running_loop().run_in_executor(None, request.app[_RECORDER].write, chat, answer)
    log.info("recorded turn %d of %s", chat.assistant_turns, path.name)
