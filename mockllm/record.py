"""Record a real API: proxy requests to an upstream, pass its answers through unchanged, write them as scenarios.

Every request is forwarded as it came (its API key included, which is never
written anywhere) and the answer streamed back byte for byte as it arrives.
For a dialect with a reader (OpenAI Chat Completions, also on Azure's routes,
and OpenAI Responses), the answer is also
written to `OUT/<conversation>.yaml`: one file per conversation (model, system
prompt and first user message), one scenario per assistant turn, matched by
the last user message and the turn, with its text, reasoning, tool calls or
error and the pacing measured on the wire. Serving OUT replays them.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import yaml
from aiohttp import ClientSession, ClientTimeout, web

from .call import ChatRequest
from .dialects import DIALECTS
from .dialects.base import Incoming, RequestError
from .tokens import SPLITTERS

log = logging.getLogger("mockllm")

#: Request headers not forwarded: hop-by-hop, and Accept-Encoding so the upstream answers uncompressed (readable, and relayed as sent).
_DROPPED_REQUEST = {"host", "content-length", "connection", "keep-alive", "transfer-encoding", "accept-encoding", "upgrade"}
#: Response headers not relayed: the relay frames the body itself.
_DROPPED_RESPONSE = {"content-length", "transfer-encoding", "connection", "keep-alive", "content-encoding"}
_REGEX_SPECIAL = re.compile(r"([.^$*+?{}\[\]\\|()])")
UNIT = "token"


@dataclass
class Answer:
    """What the upstream answered, as a scenario needs it: text, reasoning, tool calls or an error, and when each piece came."""

    text: str = ""
    reasoning: str = ""
    tool_calls: dict[int, dict[str, str]] = field(default_factory=dict)
    finish: str | None = None
    error: dict[str, Any] | None = None
    arrivals: list[float] = field(default_factory=list)  # ms after the request, per delta

    def add_tool_fragment(self, fragment: dict[str, Any]) -> None:
        """Merge one streamed `tool_calls[]` delta (id and name once, arguments in pieces)."""
        call = self.tool_calls.setdefault(int(fragment.get("index", len(self.tool_calls))), {"id": "", "name": "", "arguments": ""})
        function = fragment.get("function") or {}
        call["id"] = fragment.get("id") or call["id"]
        call["name"] += function.get("name") or ""
        call["arguments"] += function.get("arguments") or ""


def read_sse(reads: list[tuple[float, bytes]], on_data: Callable[[Answer, float, Any], None]) -> Answer:
    """An SSE stream as an Answer: `on_data` reads each event's JSON data, which arrives with the read that completed its event."""
    answer, pending = Answer(), b""
    for at, data in reads:
        pending += data
        *events, pending = pending.replace(b"\r\n", b"\n").split(b"\n\n")
        for event in events:
            for line in event.split(b"\n"):
                if line.startswith(b"data:") and line[5:].strip() != b"[DONE]":
                    on_data(answer, at, json.loads(line[5:]))
    return answer


def read_chat_stream(reads: list[tuple[float, bytes]]) -> Answer:
    """An OpenAI chat stream (`data: {chunk}` events, `[DONE]`) as an Answer."""
    return read_sse(reads, _chat_chunk)


def _chat_chunk(answer: Answer, at: float, chunk: Any) -> None:
    if "error" in chunk:
        answer.error = chunk["error"]
        return
    for choice in chunk.get("choices") or ():
        delta = choice.get("delta") or {}
        pieces = [delta.get("content"), delta.get("reasoning_content"), *(delta.get("tool_calls") or ())]
        answer.text += delta.get("content") or ""
        answer.reasoning += delta.get("reasoning_content") or ""
        for fragment in delta.get("tool_calls") or ():
            answer.add_tool_fragment(fragment)
        answer.finish = choice.get("finish_reason") or answer.finish
        if any(pieces):
            answer.arrivals.append(at)


def read_responses_stream(reads: list[tuple[float, bytes]]) -> Answer:
    """An OpenAI Responses stream (typed events) as an Answer."""
    return read_sse(reads, _responses_event)


def _responses_event(answer: Answer, at: float, event: Any) -> None:
    kind, item = event.get("type"), event.get("item") or {}
    if kind == "response.output_text.delta":
        answer.text += event["delta"]
    elif kind == "response.reasoning_summary_text.delta":
        answer.reasoning += event["delta"]
    elif kind == "response.output_item.added" and item.get("type") == "function_call":
        answer.add_tool_fragment({"index": event["output_index"], "id": item.get("call_id"), "function": {"name": item.get("name")}})
    elif kind == "response.function_call_arguments.delta":
        answer.add_tool_fragment({"index": event["output_index"], "function": {"arguments": event["delta"]}})
    elif kind == "error":
        answer.error = {k: event.get(k) for k in ("message", "code", "param")}
        return
    elif kind == "response.incomplete":
        answer.finish = "length" if (event["response"].get("incomplete_details") or {}).get("reason") == "max_output_tokens" else "content_filter"
        return
    else:
        return
    answer.arrivals.append(at)


def read_responses_whole(status: int, body: bytes, at: float) -> Answer:
    """A whole OpenAI Responses answer (or an error body) as an Answer."""
    data = json.loads(body)
    if status >= 400 or data.get("error"):
        return Answer(error={**(data.get("error") or {}), "status": status}, arrivals=[at])
    answer = Answer(arrivals=[at])
    for index, item in enumerate(data.get("output") or ()):
        if item.get("type") == "message":
            answer.text += "".join(part.get("text", "") for part in item.get("content") or () if part.get("type") == "output_text")
        elif item.get("type") == "reasoning":
            answer.reasoning += "".join(part.get("text", "") for part in item.get("summary") or ())
        elif item.get("type") == "function_call":
            answer.tool_calls[index] = {"id": item.get("call_id", ""), "name": item["name"], "arguments": item.get("arguments", "")}
    return answer


def read_chat_whole(status: int, body: bytes, at: float) -> Answer:
    """A whole OpenAI chat answer (or an error body) as an Answer."""
    data = json.loads(body)
    if status >= 400 or "error" in data:
        return Answer(error={**data.get("error", {}), "status": status}, arrivals=[at])
    choice = (data.get("choices") or [{}])[0]
    message = choice.get("message") or {}
    answer = Answer(text=message.get("content") or "", reasoning=message.get("reasoning_content") or "", finish=choice.get("finish_reason"), arrivals=[at])
    for index, call in enumerate(message.get("tool_calls") or ()):
        answer.tool_calls[index] = {"id": call.get("id", ""), "name": call["function"]["name"], "arguments": call["function"].get("arguments", "")}
    return answer


def scenario_for(chat: ChatRequest, answer: Answer, name: str) -> dict[str, Any]:
    """The scenario document replaying `answer` to this turn of the conversation."""
    match: dict[str, Any] = {"message": f"^{_literal(chat.last_user_message)}$", "turn": chat.assistant_turns}
    if chat.system:
        match["system"] = f"^{_literal(chat.system)}$"
    doc: dict[str, Any] = {"schema": 1, "name": name, "description": f"Recorded {time.strftime('%Y-%m-%d %H:%M:%S')}: turn {chat.assistant_turns} of a conversation.", "match": match}
    doc["stream"] = measured_pacing(answer)
    doc["steps"] = _steps(answer)
    return doc


def _steps(answer: Answer) -> list[dict[str, Any]]:
    if answer.error is not None:
        error = {k: answer.error[k] for k in ("status", "message", "type", "code", "param") if answer.error.get(k) is not None}
        return [{"error": error if "message" in error else {**error, "message": "upstream error"}}]
    steps: list[dict[str, Any]] = []
    if answer.reasoning:
        steps.append({"think": answer.reasoning})
    if answer.text:
        steps.append({"say": answer.text})
    for index in sorted(answer.tool_calls):
        call = answer.tool_calls[index]
        steps.append({"tool_call": {"name": call["name"], "arguments": call["arguments"] or "{}", **({"id": call["id"]} if call["id"] else {})}})
    if answer.finish in ("length", "content_filter"):
        steps.append({"finish": answer.finish})
    return steps or [{"say": ""}]


def measured_pacing(answer: Answer) -> dict[str, Any]:
    """`stream:` settings that replay the answer's pacing: first-token time, about as many deltas, their mean gap and spread."""
    arrivals = answer.arrivals or [0.0]
    gaps = [b - a for a, b in zip(arrivals, arrivals[1:])]
    units = sum(len(list(SPLITTERS[UNIT](text))) for text in (answer.reasoning, answer.text, *(c["arguments"] for c in answer.tool_calls.values())))
    pacing: dict[str, Any] = {"unit": UNIT, "per_delta": max(1, round(units / max(1, len(arrivals)))), "first_token_ms": round(arrivals[0], 1)}
    pacing["delay_ms"] = round(statistics.fmean(gaps), 1) if gaps else 0
    pacing["jitter_ms"] = round(statistics.pstdev(gaps), 1) if len(gaps) > 1 else 0
    return pacing


def conversation_key(chat: ChatRequest) -> str:
    """The file a conversation is recorded in: a slug of its first user message and a hash of model, system and that message."""
    first = next((text for role, text in chat.messages if role == "user"), "")
    digest = hashlib.sha256(json.dumps([chat.model, chat.system, first], ensure_ascii=False).encode()).hexdigest()[:8]
    slug = re.sub(r"[^a-z0-9]+", "-", first.lower()).strip("-")[:40]
    return f"{slug}-{digest}" if slug else f"conversation-{digest}"


def _literal(text: str) -> str:
    """`text` as a regex matching exactly it (only the characters special to both Python's re and RE2 are escaped)."""
    return _REGEX_SPECIAL.sub(r"\\\1", text)


NO_MATCH = {
    "schema": 1,
    "name": "default",
    "description": "Answers a request no recording matches.",
    "steps": [{"error": {"status": 404, "message": "No recorded conversation matches this request; record it with `mockllm record`.", "type": "invalid_request_error", "code": "recording_not_found"}}],
}


class Recorder:
    """Writes recorded turns into the output folder, one file per conversation."""

    def __init__(self, out: Path) -> None:
        self.out = out

    def write(self, chat: ChatRequest, answer: Answer) -> Path:
        """Add (or replace) this turn's scenario in its conversation's file; return the file."""
        self.out.mkdir(parents=True, exist_ok=True)
        default = self.out / "default.yaml"
        if not default.exists():
            default.write_text(_dump([NO_MATCH]), encoding="utf-8")
        key = conversation_key(chat)
        path = self.out / f"{key}.yaml"
        docs = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8"))] if path.exists() else []
        name = f"{key}-turn-{chat.assistant_turns}"
        docs = [d for d in docs if d and d.get("name") != name] + [scenario_for(chat, answer, name)]
        docs.sort(key=lambda d: d["match"]["turn"])
        path.write_text(_dump(docs), encoding="utf-8")
        return path


_RECORDER = web.AppKey("recorder", Recorder)
_UPSTREAM = web.AppKey("upstream", str)
_CLIENT = web.AppKey("client", ClientSession)


def _dump(docs: list[dict[str, Any]]) -> str:
    return yaml.safe_dump_all(docs, allow_unicode=True, sort_keys=False, width=120)


@dataclass(frozen=True)
class Reader:
    """How one dialect's answers are read for recording (its requests are parsed by the dialect itself)."""

    stream: Callable[[list[tuple[float, bytes]]], Answer]
    whole: Callable[[int, bytes, float], Answer]
    #: The stream's last event: the read that completes it is relayed only once the turn is written.
    ends: tuple[bytes, ...]


_CHAT = Reader(read_chat_stream, read_chat_whole, (b"data: [DONE]",))
_RESPONSES = Reader(read_responses_stream, read_responses_whole, (b"event: response.completed", b"event: response.failed", b"event: response.incomplete"))
#: Dialects whose answers are recorded, by name.
READERS: dict[str, Reader] = {"openai": _CHAT, "azure-openai": _CHAT, "openai_responses": _RESPONSES}


def find_reader(method: str, path: str) -> tuple[str, Reader, dict[str, str]] | None:
    """The recorded dialect serving `method path`, its reader, and the path's parameters (Azure's deployment)."""
    for name, reader in READERS.items():
        for route in DIALECTS[name].routes:
            verb, pattern = route.split(" ", 1)
            found = re.fullmatch(_route_regex(pattern), path) if verb == method else None
            if found:
                return name, reader, found.groupdict()
    return None


def _route_regex(pattern: str) -> str:
    """An aiohttp route path (`/x/{name}/y`) as a regex with a named group per parameter."""
    parts = re.split(r"\{(\w+)\}", pattern)
    return "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>[^/]+)" for i, part in enumerate(parts))


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
    reads: list[tuple[float, bytes]] = []
    try:
        upstream = await request.app[_CLIENT].request(request.method, request.app[_UPSTREAM] + request.path_qs, headers=headers, data=body)
    except OSError as exc:
        return web.json_response({"error": {"message": f"mockllm record: upstream unreachable: {exc}", "type": "upstream_error"}}, status=502)
    async with upstream:
        response = web.StreamResponse(status=upstream.status, reason=upstream.reason)
        response.headers.update({k: v for k, v in upstream.headers.items() if k.lower() not in _DROPPED_RESPONSE})
        await response.prepare(request)
        held = b""
        async for data in upstream.content.iter_any():
            reads.append(((loop.time() - started) * 1000, data))
            if reader and any(end in b"".join(d for _, d in reads[-2:]) for end in reader.ends):
                held += data  # the end marker waits for the recording
            else:
                await _send(response, data)
    if found:
        await _record(request, found, body, upstream.status, upstream.headers.get("Content-Type", ""), reads)
    await _send(response, held)
    await _send(response, None)  # after the recording: a client that has the whole answer finds it written
    return response


async def _send(response: web.StreamResponse, data: bytes | None) -> None:
    """Write to the client (None: end the body), unless it has gone."""
    try:
        await (response.write_eof() if data is None else response.write(data))
    except ConnectionResetError:
        pass


async def _record(
    request: web.Request, found: tuple[str, Reader, dict[str, str]], body: bytes, status: int, content_type: str, reads: list[tuple[float, bytes]]
) -> None:
    name, reader, params = found
    whole = b"".join(d for _, d in reads)
    try:
        chat = DIALECTS[name].parse(Incoming(request.method, request.path, request.query, request.headers, body, json.loads(body), None, params))
        if content_type.startswith("text/event-stream") and status < 400:
            answer = reader.stream(reads)
        else:
            answer = reader.whole(status, whole, reads[0][0] if reads else 0.0)
    except (ValueError, KeyError, TypeError, IndexError, RequestError) as exc:
        log.warning("not recorded: %s %s: %s", request.method, request.path, exc)
        return
    path = await asyncio.get_running_loop().run_in_executor(None, request.app[_RECORDER].write, chat, answer)
    log.info("recorded turn %d of %s", chat.assistant_turns, path.name)
