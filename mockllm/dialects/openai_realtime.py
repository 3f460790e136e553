"""OpenAI Realtime over WebSocket: `GET /v1/realtime?model=…`, client events in, server events out.

A connection is one session. The server sends `session.created` first; the
client configures it (`session.update` → `session.updated`), adds items
(`conversation.item.create` with a message or a `function_call_output` →
`conversation.item.added` and `conversation.item.done`), feeds audio
(`input_audio_buffer.append`, then `.commit` → `input_audio_buffer.committed`
and a user item whose transcript is null, as the service sends it) and asks
for answers (`response.create`). Each response is one run of a scenario over
the conversation so far: `response.created`, per output item its `added`
events, its deltas and its `done` events, then `response.done` with `usage`.
A `say` is a `message` item: text deltas when the output modality is `text`;
with `audio` (the service's default) a transcript delta and a base64 PCM16
24 kHz tone per piece. A `tool_call` is a `function_call` item with argument
deltas. An `error` step sends the `error` event and a failed `response.done`;
`response.cancel` ends the active response as `cancelled`.

Event names are the GA ones; a client sending `OpenAI-Beta: realtime=v1`
gets the beta names and shapes (`conversation.item.created`,
`response.text.delta`, `response.audio.delta`, `response.audio_transcript.delta`,
the flat session object).
"""

from __future__ import annotations

import array
import base64
import binascii
import math
import random
import string
import sys
import time
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Iterable, Iterator, Mapping

from mockllm.core import tokens
from mockllm.core.errors import RequestError
from mockllm.core.events import Delay, Error, Event, Finish, Respond, Text, ToolArgs, ToolCall, Usage, WireItem
from mockllm.core.incoming import Incoming
from mockllm.core.request import ChatRequest, Tool, ToolResult
from mockllm.core.said import Said
from mockllm.dialects.base import EventSocketDialect, SocketReply, compact_json, register
from mockllm.dialects.openai import ERROR_TYPES, _tool
from mockllm.stream.call import FIXED_CREATED, Call

SAMPLE_RATE = 24_000
#: The tone of one text piece lasts this many milliseconds per character, within TONE_MS_RANGE.
TONE_MS_PER_CHAR = 40
TONE_MS_RANGE = (40, 400)
TONE_AMPLITUDE = 0.25 * 32767
#: A commit needs at least this much buffered audio, as the service requires.
MIN_COMMIT_MS = 100
SESSION_SECONDS = 30 * 60
DEFAULT_INSTRUCTIONS = "You are a helpful assistant answering from mockllm scenarios."
_ALNUM = string.ascii_letters + string.digits
#: Finish reasons that leave a response `incomplete`, with the reason `status_details` gives.
CUT_REASONS = {"length": "max_output_tokens", "content_filter": "content_filter"}


@dataclass(frozen=True)
class Names:
    """The event names and content types of one version of the protocol."""

    beta: bool
    item_added: str
    item_done: str | None
    text_delta: str
    text_done: str
    audio_delta: str
    audio_done: str
    transcript_delta: str
    transcript_done: str
    text_content: str
    audio_content: str


GA = Names(
    False,
    "conversation.item.added",
    "conversation.item.done",
    "response.output_text.delta",
    "response.output_text.done",
    "response.output_audio.delta",
    "response.output_audio.done",
    "response.output_audio_transcript.delta",
    "response.output_audio_transcript.done",
    "output_text",
    "output_audio",
)
BETA = Names(
    True,
    "conversation.item.created",
    None,
    "response.text.delta",
    "response.text.done",
    "response.audio.delta",
    "response.audio.done",
    "response.audio_transcript.delta",
    "response.audio_transcript.done",
    "text",
    "audio",
)


# --- the generated sound --------------------------------------------------------------------------


@lru_cache(maxsize=1024)
def tone(text: str) -> bytes:
    """PCM16 little-endian mono 24 kHz: a short sine whose pitch and length come from `text` (same text, same bytes)."""
    low, high = TONE_MS_RANGE
    samples = SAMPLE_RATE * min(high, max(low, TONE_MS_PER_CHAR * len(text))) // 1000
    step = 2 * math.pi * (220 + zlib.crc32(text.encode("utf-8", "replace")) % 660) / SAMPLE_RATE
    fade = SAMPLE_RATE // 200  # 5 ms in and out, so pieces join without clicks
    pcm = array.array("h", (round(TONE_AMPLITUDE * min(1, i / fade, (samples - i) / fade) * math.sin(step * i)) for i in range(samples)))
    if sys.byteorder == "big":
        pcm.byteswap()
    return pcm.tobytes()


def audio_tokens(pcm_bytes: int) -> int:
    """Audio tokens as the service counts them for output: about one per 50 ms."""
    return math.ceil(pcm_bytes / 2 / SAMPLE_RATE * 20)


# --- errors ---------------------------------------------------------------------------------------


def error_event(event_id: str, error: Error, client_event_id: str | None = None) -> dict[str, Any]:
    """The `error` server event: the error's type, code (a string), message, param and the client event it answers."""
    kind = error.type or ERROR_TYPES.get(error.status, "server_error" if error.status >= 500 else "invalid_request_error")
    code = None if error.code is None else str(error.code)
    return {
        "type": "error",
        "event_id": event_id,
        "error": {"type": kind, "code": code, "message": error.message, "param": error.param, "event_id": client_event_id},
    }


def invalid(message: str, param: str | None = None, code: str = "invalid_value") -> RequestError:
    """A client event the service refuses: an `error` event, the session stays open."""
    return RequestError(Error(message, status=400, type="invalid_request_error", code=code, param=param))


# --- the session ----------------------------------------------------------------------------------


class RealtimeSession:
    """One connection's state: its ids, the session object, the conversation's items and the input audio buffer."""

    def __init__(self, model: str | None, beta: bool, seed: int, seeded: bool) -> None:
        self.names = BETA if beta else GA
        self._ids = random.Random(f"realtime:{seed}")
        self.model = model
        self.id = self.new_id("sess")
        self.conversation_id = self.new_id("conv")
        self.items: list[dict[str, Any]] = []
        self.audio_bytes = 0
        self.busy = False
        self.active: _Response | None = None
        expires = (FIXED_CREATED if seeded else int(time.time())) + SESSION_SECONDS
        self.config = _beta_session(self, expires) if beta else _ga_session(self, expires)

    def new_id(self, prefix: str) -> str:
        """An id in the service's style (`event_…`, `item_…`, `resp_…`): 21 letters and digits, from the seed."""
        return prefix + "_" + "".join(self._ids.choices(_ALNUM, k=21))

    def event(self, kind: str, **fields: Any) -> bytes:
        """One server event: `type`, a fresh `event_id`, then `fields` in order."""
        return compact_json({"type": kind, "event_id": self.new_id("event"), **fields}).encode()

    def created(self) -> bytes:
        """`session.created`, the first event of every connection."""
        return self.event("session.created", session=self.config)

    def error(self, error: Error, client_event_id: str | None = None) -> bytes:
        """An `error` event."""
        return compact_json(error_event(self.new_id("event"), error, client_event_id)).encode()

    # -- client events --

    def receive(self, event: Any) -> SocketReply:
        """Apply one client event; raise RequestError (an `error` event) for one the service would refuse."""
        if not isinstance(event, dict):
            raise invalid("The client event must be a JSON object with a 'type'.", "type")
        kind = event.get("type")
        handler = _HANDLERS.get(kind) if isinstance(kind, str) else None
        if handler is None:
            supported = ", ".join(f"'{name}'" for name in _HANDLERS)
            raise invalid(f"Invalid value: {kind!r}. Supported values are: {supported}.", "type")
        return handler(self, event)

    def _session_update(self, event: Mapping[str, Any]) -> SocketReply:
        update = event.get("session")
        if not isinstance(update, dict):
            raise invalid("Missing required parameter: 'session'.", "session", "missing_required_parameter")
        (_update_beta if self.names.beta else _update_ga)(self.config, update)
        return SocketReply([self.event("session.updated", session=self.config)])

    def _item_create(self, event: Mapping[str, Any]) -> SocketReply:
        item = _read_item(event.get("item"))
        item.setdefault("id", self.new_id("item"))
        if self.names.beta:
            item = {"id": item.pop("id"), "object": "realtime.item", **item}
        return SocketReply(self.add_item(item))

    def _response_create(self, event: Mapping[str, Any]) -> SocketReply:
        params = event.get("response", {})
        if not isinstance(params, dict):
            raise invalid("Invalid type for 'response': expected an object.", "response", "invalid_type")
        if self.busy:
            active = self.active.id if self.active is not None else "resp_pending"
            raise invalid(
                f"Conversation already has an active response in progress: {active}. "
                "Wait until the response is finished before creating a new one.",
                code="conversation_already_has_active_response",
            )
        self.busy = True
        return SocketReply(respond=dict(event))

    def _response_cancel(self, event: Mapping[str, Any]) -> SocketReply:
        if not self.busy:
            raise invalid("Cancellation failed: no active response found", code="response_cancel_not_active")
        return SocketReply(cancel=True)

    def _audio_append(self, event: Mapping[str, Any]) -> SocketReply:
        audio = event.get("audio")
        try:
            self.audio_bytes += len(base64.b64decode(audio if isinstance(audio, str) else "!", validate=True))
        except (binascii.Error, ValueError):
            raise invalid("Invalid 'audio'. Expected base64-encoded audio bytes.", "audio") from None
        return SocketReply()

    def _audio_commit(self, event: Mapping[str, Any]) -> SocketReply:
        ms = self.audio_bytes / 2 / SAMPLE_RATE * 1000
        if ms < MIN_COMMIT_MS:
            raise invalid(
                f"Error committing input audio buffer: buffer too small. Expected at least {MIN_COMMIT_MS}ms of audio, "
                f"but buffer only has {ms:.2f}ms of audio.",
                code="input_audio_buffer_commit_empty",
            )
        self.audio_bytes = 0
        item_id = self.new_id("item")
        previous = self.items[-1]["id"] if self.items else None
        item: dict[str, Any] = {"id": item_id, "type": "message", "status": "completed", "role": "user", "content": [{"type": "input_audio", "transcript": None}]}
        if self.names.beta:
            item = {"id": item_id, "object": "realtime.item", **{k: v for k, v in item.items() if k != "id"}}
        committed = self.event("input_audio_buffer.committed", previous_item_id=previous, item_id=item_id)
        item["_heard_ms"] = round(ms)
        return SocketReply([committed, *self.add_item(item)])

    def _audio_clear(self, event: Mapping[str, Any]) -> SocketReply:
        self.audio_bytes = 0
        return SocketReply([self.event("input_audio_buffer.cleared")])

    def _item_delete(self, event: Mapping[str, Any]) -> SocketReply:
        item_id = event.get("item_id")
        index = self._index(item_id)
        del self.items[index]
        return SocketReply([self.event("conversation.item.deleted", item_id=item_id)])

    def _item_retrieve(self, event: Mapping[str, Any]) -> SocketReply:
        return SocketReply([self.event("conversation.item.retrieved", item=_wire_item(self.items[self._index(event.get("item_id"))]))])

    def _index(self, item_id: Any) -> int:
        for i, item in enumerate(self.items):
            if item["id"] == item_id:
                return i
        raise invalid(f"Item with item_id not found: {item_id}", "item_id", "item_not_found")

    # -- the conversation --

    def add_item(self, item: dict[str, Any]) -> list[bytes]:
        """Append a complete item: its `added` and (GA) `done` events."""
        previous = self.items[-1]["id"] if self.items else None
        self.items.append(item)
        shown = _wire_item(item)
        events = [self.event(self.names.item_added, previous_item_id=previous, item=shown)]
        if self.names.item_done:
            events.append(self.event(self.names.item_done, previous_item_id=previous, item=shown))
        return events

    def chat_request(self, event: Mapping[str, Any]) -> ChatRequest:
        """The neutral request of a `response.create`: the conversation, the tools and instructions it answers with."""
        params = event.get("response") or {}
        _check_response(params, "modalities" if self.names.beta else "output_modalities")
        instructions = params.get("instructions", self.config.get("instructions"))
        if instructions is not None and not isinstance(instructions, str):
            raise invalid("Invalid type for 'response.instructions': expected a string.", "response.instructions", "invalid_type")
        tools = _read_tools(params["tools"] if "tools" in params else self.config.get("tools"), "response.tools" if "tools" in params else "session.tools")
        choice = params.get("tool_choice", self.config.get("tool_choice"))
        forced = choice.get("name") if isinstance(choice, dict) else None
        if forced is not None and not any(tool.name == forced for tool in tools):
            raise invalid(f"Tool choice '{forced}' is not one of the tools offered ({', '.join(t.name for t in tools) or 'none'}).", "tool_choice")
        reader = _Conversation(instructions or "")
        items = self.items if params.get("conversation", "auto") != "none" else []
        for item in [*items, *_input_items(params.get("input"))]:
            reader.read(item)
        return ChatRequest(
            messages=tuple(reader.messages),
            model=self.model,
            stream=True,
            body=dict(event),
            system=instructions or "",
            tools=tuple(tools),
            tool_choice="required" if forced else choice if choice in ("auto", "none", "required") else None,
            forced_tool=forced,
            tool_results=tuple(reader.results),
            assistant_turns=reader.turns,
        )


_HANDLERS: dict[str, Callable[[RealtimeSession, Mapping[str, Any]], SocketReply]] = {
    "session.update": RealtimeSession._session_update,
    "conversation.item.create": RealtimeSession._item_create,
    "conversation.item.delete": RealtimeSession._item_delete,
    "conversation.item.retrieve": RealtimeSession._item_retrieve,
    "response.create": RealtimeSession._response_create,
    "response.cancel": RealtimeSession._response_cancel,
    "input_audio_buffer.append": RealtimeSession._audio_append,
    "input_audio_buffer.commit": RealtimeSession._audio_commit,
    "input_audio_buffer.clear": RealtimeSession._audio_clear,
}


def _wire_item(item: Mapping[str, Any]) -> dict[str, Any]:
    """An item as events show it (without what the server keeps for itself)."""
    return {key: value for key, value in item.items() if not key.startswith("_")}


def _ga_session(session: RealtimeSession, expires: int) -> dict[str, Any]:
    """The session object GA sends first: audio out, server VAD, the model's defaults."""
    pcm = {"type": "audio/pcm", "rate": SAMPLE_RATE}
    vad = {
        "type": "server_vad",
        "threshold": 0.5,
        "prefix_padding_ms": 300,
        "silence_duration_ms": 200,
        "idle_timeout_ms": None,
        "create_response": True,
        "interrupt_response": True,
    }
    return {
        "type": "realtime",
        "object": "realtime.session",
        "id": session.id,
        "model": session.model,
        "output_modalities": ["audio"],
        "instructions": DEFAULT_INSTRUCTIONS,
        "tools": [],
        "tool_choice": "auto",
        "max_output_tokens": "inf",
        "tracing": None,
        "truncation": "auto",
        "prompt": None,
        "expires_at": expires,
        "audio": {
            "input": {"format": dict(pcm), "transcription": None, "noise_reduction": None, "turn_detection": vad},
            "output": {"format": dict(pcm), "voice": "alloy", "speed": 1.0},
        },
        "include": None,
    }


def _beta_session(session: RealtimeSession, expires: int) -> dict[str, Any]:
    """The flat session object of the beta protocol."""
    return {
        "id": session.id,
        "object": "realtime.session",
        "expires_at": expires,
        "input_audio_noise_reduction": None,
        "turn_detection": {"type": "server_vad", "threshold": 0.5, "prefix_padding_ms": 300, "silence_duration_ms": 200, "create_response": True, "interrupt_response": True},
        "input_audio_format": "pcm16",
        "input_audio_transcription": None,
        "client_secret": None,
        "include": None,
        "model": session.model,
        "modalities": ["text", "audio"],
        "instructions": DEFAULT_INSTRUCTIONS,
        "voice": "alloy",
        "output_audio_format": "pcm16",
        "tool_choice": "auto",
        "temperature": 0.8,
        "max_response_output_tokens": "inf",
        "speed": 1.0,
        "tracing": None,
        "tools": [],
    }


_GA_KEYS = ("type", "model", "output_modalities", "instructions", "tools", "tool_choice", "max_output_tokens", "tracing", "truncation", "prompt", "audio", "include")


def _update_ga(config: dict[str, Any], update: Mapping[str, Any]) -> None:
    """Apply a GA `session.update`: `type` must be `realtime`; the audio settings merge key by key."""
    if update.get("type") != "realtime":
        if "type" not in update:
            raise invalid("Missing required parameter: 'session.type'.", "session.type", "missing_required_parameter")
        raise invalid(f"Invalid value: {update['type']!r}. Supported values are: 'realtime'.", "session.type")
    _known_keys(update, _GA_KEYS, "session")
    modalities = update.get("output_modalities")
    if modalities is not None and (not isinstance(modalities, list) or len(modalities) != 1 or modalities[0] not in ("text", "audio")):
        raise invalid("Invalid 'session.output_modalities': supported combinations are ['text'] and ['audio'].", "session.output_modalities")
    _check_common(update, "session")
    for key, value in update.items():
        if key == "audio":
            _merge_audio(config["audio"], value)
        elif key != "model":  # the model of a connection is the one its URL names
            config[key] = value


def _update_beta(config: dict[str, Any], update: Mapping[str, Any]) -> None:
    """Apply a beta `session.update`: flat keys replace the session's."""
    _known_keys(update, tuple(k for k in config if k not in ("id", "object", "expires_at", "client_secret")), "session")
    modalities = update.get("modalities")
    if modalities is not None and (not isinstance(modalities, list) or not modalities or not set(modalities) <= {"text", "audio"}):
        raise invalid("Invalid 'session.modalities': supported combinations are ['text'] and ['audio', 'text'].", "session.modalities")
    _check_common(update, "session")
    config.update((key, value) for key, value in update.items() if key != "model")


def _check_response(params: Mapping[str, Any], modalities_key: str) -> None:
    """The `response` of a `response.create`: its modalities, conversation and metadata as the service accepts them."""
    modalities = params.get(modalities_key)
    if modalities is not None and (not isinstance(modalities, list) or not modalities or not set(modalities) <= {"text", "audio"}):
        raise invalid(f"Invalid 'response.{modalities_key}': supported values are ['text'] and ['audio'].", f"response.{modalities_key}")
    if params.get("conversation", "auto") not in ("auto", "none"):
        raise invalid(f"Invalid value: {params['conversation']!r}. Supported values are: 'auto', 'none'.", "response.conversation")
    if params.get("metadata") is not None and not isinstance(params["metadata"], dict):
        raise invalid("Invalid type for 'response.metadata': expected an object.", "response.metadata", "invalid_type")


def _known_keys(update: Mapping[str, Any], known: tuple[str, ...], where: str) -> None:
    for key in update:
        if key not in known:
            raise invalid(f"Unknown parameter: '{where}.{key}'.", f"{where}.{key}", "unknown_parameter")


def _check_common(update: Mapping[str, Any], where: str) -> None:
    if "instructions" in update and not isinstance(update["instructions"], str):
        raise invalid(f"Invalid type for '{where}.instructions': expected a string.", f"{where}.instructions", "invalid_type")
    if "tools" in update:
        _read_tools(update["tools"], f"{where}.tools")


def _merge_audio(audio: dict[str, Any], update: Any) -> None:
    if not isinstance(update, dict) or not all(isinstance(update.get(side, {}), dict) for side in ("input", "output")):
        raise invalid("Invalid type for 'session.audio': expected an object with 'input' and 'output' objects.", "session.audio", "invalid_type")
    _known_keys(update, ("input", "output"), "session.audio")
    for side in ("input", "output"):
        audio[side].update(update.get(side, {}))


def _read_tools(value: Any, where: str) -> list[Tool]:
    """Function tools in Realtime's flat shape (`{type: function, name, description, parameters}`)."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise invalid(f"Invalid type for '{where}': expected an array of tools.", where, "invalid_type")
    tools = []
    for i, entry in enumerate(value):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"]:
            raise invalid(f"Missing required parameter: '{where}[{i}].name'.", f"{where}[{i}].name", "missing_required_parameter")
        if entry.get("type", "function") == "function":
            try:
                tools.append(_tool(entry, f"{where}[{i}]"))
            except RequestError as exc:
                raise invalid(exc.error.message, exc.error.param) from None
    return tools


def _read_item(item: Any) -> dict[str, Any]:
    """A client's item: a message (user, system or assistant) or a function call's output, checked."""
    if not isinstance(item, dict):
        raise invalid("Missing required parameter: 'item'.", "item", "missing_required_parameter")
    kind = item.get("type")
    if kind == "message":
        if item.get("role") not in ("user", "system", "assistant"):
            raise invalid(f"Invalid value: {item.get('role')!r}. Supported values are: 'user', 'system', 'assistant'.", "item.role")
        content = item.get("content")
        if not isinstance(content, list) or not all(isinstance(part, dict) for part in content):
            raise invalid("Invalid type for 'item.content': expected an array of content parts.", "item.content", "invalid_type")
        for i, part in enumerate(content):
            for key in ("type", "text", "transcript", "audio"):
                if part.get(key) is not None and not isinstance(part[key], str):
                    raise invalid(f"Invalid type for 'item.content[{i}].{key}': expected a string.", f"item.content[{i}].{key}", "invalid_type")
        shown = {"type": "message", "status": "completed", "role": item["role"], "content": content}
    elif kind == "function_call_output":
        for key in ("call_id", "output"):
            if not isinstance(item.get(key), str):
                raise invalid(f"Missing required parameter: 'item.{key}'.", f"item.{key}", "missing_required_parameter")
        shown = {"type": "function_call_output", "call_id": item["call_id"], "output": item["output"]}
    elif kind == "function_call":
        for key in ("call_id", "name", "arguments"):
            if not isinstance(item.get(key), str):
                raise invalid(f"Missing required parameter: 'item.{key}'.", f"item.{key}", "missing_required_parameter")
        shown = {"type": "function_call", "status": "completed", "name": item["name"], "call_id": item["call_id"], "arguments": item["arguments"]}
    else:
        raise invalid(f"Invalid value: {kind!r}. Supported values are: 'message', 'function_call', 'function_call_output'.", "item.type")
    if "id" in item:
        if not isinstance(item["id"], str):
            raise invalid("Invalid type for 'item.id': expected a string.", "item.id", "invalid_type")
        shown = {"id": item["id"], **shown}
    return shown


def _input_items(value: Any) -> list[dict[str, Any]]:
    """`response.input`: items of an out-of-band response, instead of (or after) the conversation."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise invalid("Invalid type for 'response.input': expected an array of items.", "response.input", "invalid_type")
    return [_read_item(item) for item in value]


class _Conversation:
    """The neutral conversation of a session's items; tool results since the last user message."""

    def __init__(self, instructions: str) -> None:
        self.messages: list[tuple[str, str]] = [("system", instructions)] if instructions else []
        self.results: list[ToolResult] = []
        self.names: dict[str, str] = {}
        self.turns = 0
        self._assistant = False

    def read(self, item: Mapping[str, Any]) -> None:
        kind = item.get("type")
        if kind == "function_call_output":
            self._assistant = False
            self.results.append(ToolResult(item["output"], self.names.get(item["call_id"]), item["call_id"]))
            self.messages.append(("tool", item["output"]))
        elif kind == "function_call":
            self._turn("")
            self.names[item["call_id"]] = item["name"]
        elif item.get("role") == "assistant":
            self._turn(_text(item))
        else:
            self._assistant = False
            if item.get("role") == "user":
                self.results = []
            self.messages.append((item.get("role", "user"), _text(item)))

    def _turn(self, text: str) -> None:
        if not self._assistant:
            self.turns += 1
            self._assistant = True
            self.messages.append(("assistant", ""))
        self.messages[-1] = ("assistant", self.messages[-1][1] + text)


def _text(item: Mapping[str, Any]) -> str:
    """A message's text: its text parts, its transcripts, and a placeholder for audio heard without one."""
    texts = []
    for part in item.get("content") or ():
        text = part.get("text") if part.get("text") is not None else part.get("transcript")
        if isinstance(text, str):
            texts.append(text)
        elif part.get("type") == "input_audio":
            texts.append(f"[audio {item.get('_heard_ms', 0)} ms]")
    return "".join(texts)


# --- one response ---------------------------------------------------------------------------------


@dataclass
class _Item:
    """One output item as it is built: an assistant `message` (text or audio) or a `function_call`."""

    json: dict[str, Any]
    index: int
    previous: str | None
    parts: Said = field(default_factory=Said)
    audio_bytes: int = 0

    @property
    def id(self) -> str:
        return str(self.json["id"])

    @property
    def text(self) -> str:
        return self.parts.text


class _Response:
    """One response as its events arrive: its items and the server events a client sees."""

    def __init__(self, session: RealtimeSession, call: Call) -> None:
        self.session = session
        self.call = call
        self.names = session.names
        self.id = session.new_id("resp")
        session.active = self
        params = call.chat.body.get("response") or {}
        key = "modalities" if self.names.beta else "output_modalities"
        modalities: list[str] = params.get(key) or session.config[key]
        self.audio = "audio" in modalities
        self.items: list[_Item] = []
        self.open: _Item | None = None
        self.calls: dict[int, _Item] = {}
        self.finish = "stop"
        self.usage = Usage()
        self.out_of_band = params.get("conversation") == "none"
        self.metadata = params.get("metadata")
        self.modalities = list(modalities)

    def start(self) -> list[bytes]:
        return [self.session.event("response.created", response=self._response("in_progress"))]

    def take(self, event: Event) -> list[bytes]:
        if isinstance(event, Text):
            return self._text(event.text)
        if isinstance(event, ToolCall):
            return self._call(event)
        if isinstance(event, ToolArgs):
            item = self.calls[event.index]
            item.parts.append(event.text)
            return [self._event("response.function_call_arguments.delta", item, call_id=item.json["call_id"], delta=event.text)]
        if isinstance(event, Finish):
            self.finish = event.reason
        elif isinstance(event, Usage):
            self.usage = event
        return []

    def end(self) -> list[bytes]:
        cut = CUT_REASONS.get(self.finish)
        status, details = ("incomplete", {"type": "incomplete", "reason": cut}) if cut else ("completed", None)
        return self._close("incomplete" if cut else "completed") + self._done(status, details)

    def fail(self, error: Error) -> list[bytes]:
        sent = error_event(self.session.new_id("event"), error)
        details = {"type": "failed", "error": {"type": sent["error"]["type"], "code": sent["error"]["code"], "message": error.message}}
        return [compact_json(sent).encode()] + self._close("incomplete") + self._done("failed", details)

    def cancel(self) -> list[bytes]:
        return self._close("incomplete") + self._done("cancelled", {"type": "cancelled", "reason": "client_cancelled"})

    # -- items --

    def _add(self, item: dict[str, Any]) -> tuple[_Item, list[bytes]]:
        conversation = self.session.items
        previous = None if self.out_of_band else (conversation[-1]["id"] if conversation else None)
        if self.names.beta:
            item = {"id": item.pop("id"), "object": "realtime.item", **item}
        built = _Item(item, len(self.items), previous)
        self.items.append(built)
        if not self.out_of_band:
            conversation.append(item)
        events = [self.session.event("response.output_item.added", response_id=self.id, output_index=built.index, item=dict(item))]
        if not self.out_of_band:
            events.append(self.session.event(self.names.item_added, previous_item_id=previous, item=dict(item)))
        return built, events

    def _text(self, text: str) -> list[bytes]:
        events: list[bytes] = []
        if self.open is None or self.open.json["type"] != "message":
            events += self._close("completed")
            message = {"id": self.session.new_id("item"), "type": "message", "status": "in_progress", "role": "assistant", "content": []}
            self.open, added = self._add(message)
            part = {"type": "audio", "transcript": ""} if self.audio else {"type": "text", "text": ""}
            events += added + [self._event("response.content_part.added", self.open, content_index=0, part=part)]
        item = self.open
        item.parts.append(text)
        if not self.audio:
            return events + [self._event(self.names.text_delta, item, content_index=0, delta=text)]
        pcm = tone(text)
        item.audio_bytes += len(pcm)
        audio = base64.b64encode(pcm).decode()
        return events + [
            self._event(self.names.transcript_delta, item, content_index=0, delta=text),
            self._event(self.names.audio_delta, item, content_index=0, delta=audio),
        ]

    def _call(self, call: ToolCall) -> list[bytes]:
        events = self._close("completed")
        call_id = call.id or self.session.new_id("call")
        function = {"id": self.session.new_id("item"), "type": "function_call", "status": "in_progress", "name": call.name, "call_id": call_id, "arguments": ""}
        self.open, added = self._add(function)
        self.calls[call.index] = self.open
        return events + added

    def _close(self, status: str) -> list[bytes]:
        """The `done` events of the open item, finished with `status`."""
        item, self.open = self.open, None
        if item is None:
            return []
        item.json["status"] = status
        events = []
        if item.json["type"] == "function_call":
            item.json["arguments"] = item.text
            events.append(self._event("response.function_call_arguments.done", item, call_id=item.json["call_id"], name=item.json["name"], arguments=item.text))
        elif self.audio:
            item.json["content"] = [{"type": self.names.audio_content, "transcript": item.text}]
            events += [
                self._event(self.names.audio_done, item, content_index=0),
                self._event(self.names.transcript_done, item, content_index=0, transcript=item.text),
                self._event("response.content_part.done", item, content_index=0, part={"type": "audio", "transcript": item.text}),
            ]
        else:
            item.json["content"] = [{"type": self.names.text_content, "text": item.text}]
            events += [
                self._event(self.names.text_done, item, content_index=0, text=item.text),
                self._event("response.content_part.done", item, content_index=0, part={"type": "text", "text": item.text}),
            ]
        events.append(self.session.event("response.output_item.done", response_id=self.id, output_index=item.index, item=dict(item.json)))
        if self.names.item_done and not self.out_of_band:
            events.append(self.session.event(self.names.item_done, previous_item_id=item.previous, item=dict(item.json)))
        return events

    def _event(self, kind: str, item: _Item, **fields: Any) -> bytes:
        """An event about one item of this response: where it goes, then `fields`."""
        return self.session.event(kind, response_id=self.id, item_id=item.id, output_index=item.index, **fields)

    # -- the response object --

    def _done(self, status: str, details: dict[str, Any] | None) -> list[bytes]:
        self.session.busy, self.session.active = False, None
        return [self.session.event("response.done", response=self._response(status, details, self._usage()))]

    def _response(self, status: str, details: dict[str, Any] | None = None, usage: dict[str, Any] | None = None) -> dict[str, Any]:
        response: dict[str, Any] = {
            "object": "realtime.response",
            "id": self.id,
            "status": status,
            "status_details": details,
            "output": [] if status == "in_progress" else [dict(item.json) for item in self.items],
            "conversation_id": None if self.out_of_band else self.session.conversation_id,
        }
        config = self.session.config
        if self.names.beta:
            response.update(
                modalities=self.modalities,
                voice=config["voice"],
                output_audio_format=config["output_audio_format"],
                temperature=config["temperature"],
                max_output_tokens=config["max_response_output_tokens"],
            )
        else:
            audio = config["audio"]["output"]
            response.update(
                output_modalities=self.modalities,
                max_output_tokens=config["max_output_tokens"],
                audio={"output": {"format": audio["format"], "voice": audio["voice"]}},
            )
        response.update(usage=usage, metadata=self.metadata)
        return response

    def _usage(self) -> dict[str, Any]:
        chat = self.call.chat
        prompt = self.usage.prompt_tokens if self.usage.prompt_tokens is not None else chat.prompt_tokens
        text = sum(tokens.count(item.text) for item in self.items)
        audio = sum(audio_tokens(item.audio_bytes) for item in self.items)
        output = self.usage.completion_tokens if self.usage.completion_tokens is not None else text + audio
        return {
            "total_tokens": prompt + output,
            "input_tokens": prompt,
            "output_tokens": output,
            "input_token_details": {
                "text_tokens": prompt,
                "audio_tokens": 0,
                "image_tokens": 0,
                "cached_tokens": 0,
                "cached_tokens_details": {"text_tokens": 0, "audio_tokens": 0, "image_tokens": 0},
            },
            "output_token_details": {"text_tokens": output - audio if self.usage.completion_tokens is None else output, "audio_tokens": audio},
        }


# --- the dialect ---------------------------------------------------------------------------------


@register
class OpenAIRealtime(EventSocketDialect):
    """OpenAI Realtime events over a WebSocket; `connect` makes the instance that serves one connection."""

    name = "openai_realtime"
    provider = "OpenAI"
    routes = ("GET /v1/realtime",)
    content_type = "application/json"
    heartbeat = None
    error_prefixes = ("/v1/realtime",)
    subprotocols = ("realtime",)

    def __init__(self, session: RealtimeSession | None = None) -> None:
        self.session = session

    def connect(self, incoming: Incoming, seed: int, seeded: bool) -> OpenAIRealtime:
        """The dialect of one connection: a session for the URL's `?model=`, beta names under `OpenAI-Beta: realtime=v1`."""
        beta = "realtime=v1" in incoming.headers.get("OpenAI-Beta", "").replace(" ", "")
        return OpenAIRealtime(RealtimeSession(incoming.query.get("model"), beta, seed, seeded))

    def opening(self) -> list[bytes]:
        """`session.created` (and, in the beta protocol, `conversation.created`)."""
        session = self._session()
        events = [session.created()]
        if session.names.beta:
            events.append(session.event("conversation.created", conversation={"id": session.conversation_id, "object": "realtime.conversation"}))
        return events

    def receive(self, event: Any) -> SocketReply:
        return self._session().receive(event)

    def refusal(self, error: Error, event: Any) -> bytes:
        client_event_id = event.get("event_id") if isinstance(event, dict) and isinstance(event.get("event_id"), str) else None
        return self._session().error(error, client_event_id)

    def cancelled(self) -> list[bytes]:
        session = self._session()
        return session.active.cancel() if session.active is not None else []

    def finished(self) -> None:
        session = self._session()
        session.busy, session.active = False, None

    def parse(self, incoming: Incoming) -> ChatRequest:
        """The request of a `response.create` event (`incoming.json`) over this connection's conversation."""
        return self._session().chat_request(incoming.json)

    def stream(self, events: Iterable[Event], call: Call) -> Iterator[WireItem]:
        """`response.created` at once, the scenario's events as server events, then `response.done`."""
        response = _Response(self._session(), call)
        yield from response.start()
        for event in events:
            if isinstance(event, Delay):
                yield event
            elif isinstance(event, Error):
                yield from response.fail(event)
                return
            else:
                yield from response.take(event)
        yield from response.end()

    def whole(self, events: Iterable[Event], call: Call) -> Iterator[WireItem]:
        """A response is always streamed."""
        return self.stream(events, call)

    def error_response(self, error: Error) -> Respond:
        """An `error` event (the session stays open); outside a connection (a plain GET), the same event as a JSON body."""
        if self.session is None:
            return Respond(error.status, compact_json(error_event("event_" + "0" * 21, error)).encode())
        return Respond(error.status, self.session.error(error))

    def _session(self) -> RealtimeSession:
        if self.session is None:
            raise RuntimeError("a Realtime dialect serves a connection only once connect() made it")
        return self.session
