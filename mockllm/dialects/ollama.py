"""Ollama's native API: `POST /api/chat` and `/api/generate` as NDJSON or whole, `GET /api/tags` and `/api/version`.

Ollama streams unless the body says `"stream": false`: one JSON object per
line, `done: false` deltas, then a `done: true` object with `done_reason` and
the timing fields in nanoseconds. The JSON is Go's: compact, `<`, `>` and `&`
escaped. The timings are the scenario's planned ones (the delays before the
first output are the load and prompt evaluation, the rest is evaluation), so
they are the same for the same seed.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterable, Iterator, Mapping, Sequence

from mockllm.core import tokens
from mockllm.core.errors import RequestError
from mockllm.core.events import Delay, Error, Event, Finish, Respond, Text, Think, ToolCall, Usage, WireItem
from mockllm.core.incoming import Incoming
from mockllm.core.request import ChatRequest, ToolResult
from mockllm.core.said import Said
from mockllm.dialects.base import Dialect, Listing, call_arguments, compact_json, error_as_response, html_safe, register, whole_answer, whole_tool_calls
from mockllm.dialects.openai import read_tools
from mockllm.stream.call import FIXED_CREATED, Call

VERSION = "0.12.6"
NDJSON_TYPE = "application/x-ndjson"
JSON_TYPE = "application/json; charset=utf-8"
ROLES = ("system", "user", "assistant", "tool")
THINK_LEVELS = ("high", "medium", "low")
DONE_REASONS = {"stop": "stop", "length": "length", "content_filter": "stop", "tool_calls": "stop"}
DEFAULT_TAG = ":latest"
UNLOAD = (0, "0", "0s", "0m")
_MS = 1_000_000  # nanoseconds
_MODEL_DETAILS = {
    "parent_model": "",
    "format": "gguf",
    "family": "llama",
    "families": ["llama"],
    "parameter_size": "3.2B",
    "quantization_level": "Q4_K_M",
}


@dataclass(frozen=True)
class OllamaRequest(ChatRequest):
    """An Ollama request: the neutral fields, the route's shape, whether thinking is sent, the model as written.

    `loading` is `load` (or `unload`, with `keep_alive: 0`) for a request with
    no messages or prompt: Ollama only loads the model and says so.
    """

    generate: bool = False
    think: bool = True
    model_name: str = ""
    loading: str | None = None


def go_json(value: Any) -> str:
    """JSON as Go's `json.Marshal` writes it: compact, `<`, `>` and `&` escaped."""
    return html_safe(compact_json(value))


def go_time(ns: int) -> str:
    """A Unix time in nanoseconds as Go's RFC 3339 (trailing zeros of the fraction dropped)."""
    seconds, fraction = divmod(ns, 1_000_000_000)
    return _second(seconds) + (f".{fraction:09d}".rstrip("0") if fraction else "") + "Z"


@lru_cache(maxsize=256)
def _second(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))


def invalid(message: str, status: int = 400) -> RequestError:
    """A RequestError answered as Ollama's `{"error": …}`."""
    return RequestError(Error(message, status=status))


def _body(incoming: Incoming) -> dict[str, Any]:
    body = incoming.json
    if body is None and incoming.json_error == "the body is empty":
        raise invalid("missing request body")
    if not isinstance(body, dict):
        raise invalid(f"invalid request body: {incoming.json_error or 'the body is not a JSON object'}")
    return body


def _optional(body: Mapping[str, Any], key: str, kind: type | tuple[type, ...], what: str) -> Any:
    value = body.get(key)
    if value is not None and not isinstance(value, kind):
        raise invalid(f"json: cannot unmarshal {type(value).__name__} into field {key} of type {what}")
    return value


def read_chat(body: Mapping[str, Any]) -> dict[str, Any]:
    """The neutral conversation of `/api/chat` `messages` (roles system, user, assistant, tool)."""
    raw = _optional(body, "messages", list, "[]api.Message") or []
    messages: list[tuple[str, str]] = []
    results: list[ToolResult] = []
    names: dict[str, str] = {}
    for i, message in enumerate(raw):
        if not isinstance(message, dict):
            raise invalid(f"messages[{i}] must be an object with 'role' and 'content'")
        role, content = message.get("role"), message.get("content") or ""
        if role not in ROLES or not isinstance(content, str):
            raise invalid(f"messages[{i}]: role must be one of {', '.join(ROLES)} and content a string; got role {role!r}")
        messages.append((role, content))
        if role == "user":
            results = []
        elif role == "assistant":
            names.update(_called(message.get("tool_calls")))
        elif role == "tool":
            call_id, name = message.get("tool_call_id"), message.get("tool_name")
            results.append(ToolResult(content, name if isinstance(name, str) else names.get(str(call_id)), call_id if isinstance(call_id, str) else None))
    return {
        "messages": tuple(messages),
        "system": "\n".join(text for role, text in messages if role == "system"),
        "tool_results": tuple(results),
        "assistant_turns": sum(1 for role, _ in messages if role == "assistant"),
    }


def _called(tool_calls: Any) -> dict[str, str]:
    """Call id → tool name of an assistant message's `tool_calls`."""
    out = {}
    for tool_call in tool_calls if isinstance(tool_calls, list) else ():
        function = tool_call.get("function") if isinstance(tool_call, dict) else None
        if isinstance(function, dict) and isinstance(function.get("name"), str):
            out[str(tool_call.get("id"))] = function["name"]
    return out


def read_generate(body: Mapping[str, Any]) -> dict[str, Any]:
    """The neutral conversation of `/api/generate`: its `system` and `prompt`."""
    system = _optional(body, "system", str, "string") or ""
    prompt = _optional(body, "prompt", str, "string") or ""
    messages = ((("system", system),) if system else ()) + (("user", prompt),)
    return {"messages": messages, "system": system}


def read_format(value: Any) -> Mapping[str, Any] | None:
    """`format`: `"json"` or a JSON Schema, as the neutral response format."""
    if value in (None, ""):
        return None
    if value == "json":
        return {"type": "json_object"}
    if isinstance(value, dict):
        return {"type": "json_schema", "schema": value}
    raise invalid(f'invalid format: {json.dumps(value, ensure_ascii=False)}; use "json" or a JSON schema')


def read_think(value: Any) -> bool:
    """`think`: true/false or a level (`high`, `medium`, `low`); only an explicit false turns thinking off."""
    if value is not None and not isinstance(value, bool) and value not in THINK_LEVELS:
        raise invalid(f"invalid think value: {json.dumps(value)} (must be \"high\", \"medium\", \"low\", true, or false)")
    return value is not False


@dataclass
class _Answer:
    """What the answer has said, and the planned clock, for the final object's counts and timings."""

    call: Call
    clock_ms: float = 0
    first_ms: float | None = None
    content: Said = field(default_factory=Said)
    thinking: Said = field(default_factory=Said)
    tool_calls: list[ToolCall] = field(default_factory=list)
    eval_count: int = 0
    finish: str = "stop"
    usage: Usage = field(default_factory=Usage)

    def take(self, event: Event) -> None:
        if isinstance(event, Delay):
            self.clock_ms += event.ms
            return
        if isinstance(event, (Text, Think, ToolCall)) and self.first_ms is None:
            self.first_ms = self.clock_ms
        if isinstance(event, Text):
            self.content.append(event.text)
            self.eval_count += tokens.count(event.text)
        elif isinstance(event, Think):
            self.thinking.append(event.text)
            self.eval_count += tokens.count(event.text)
        elif isinstance(event, ToolCall):
            if call_arguments(event) is not None:  # a call cut short by `num_predict` is left out
                self.tool_calls.append(event)
            self.eval_count += tokens.count(event.arguments)
        elif isinstance(event, Finish):
            self.finish = event.reason
        elif isinstance(event, Usage):
            self.usage = event

    def created_at(self) -> str:
        return go_time(self.call.created * 1_000_000_000 + int(self.clock_ms * _MS))

    def metrics(self) -> dict[str, Any]:
        """`done_reason` and the timing fields: the wait before the first output is load and prompt evaluation."""
        first = self.clock_ms if self.first_ms is None else self.first_ms
        load = max(_MS, int(first * _MS / 5))
        prompt = max(_MS, int(first * _MS) - load)
        evaluation = max(_MS, int((self.clock_ms - first) * _MS))
        usage = self.usage
        return {
            "done": True,
            "done_reason": DONE_REASONS.get(self.finish, "stop"),
            "total_duration": load + prompt + evaluation,
            "load_duration": load,
            "prompt_eval_count": usage.prompt_tokens if usage.prompt_tokens is not None else self.call.chat.prompt_tokens,
            "prompt_eval_duration": prompt,
            "eval_count": usage.completion_tokens if usage.completion_tokens is not None else self.eval_count,
            "eval_duration": evaluation,
        }


def _tool_call_json(event: ToolCall, call: Call) -> dict[str, Any]:
    call_id = event.id or "call_" + call.tool_call_id(event.index, "")[:8].lower()
    return {"id": call_id, "function": {"index": event.index, "name": event.name, "arguments": call_arguments(event)}}


_DEFAULT_OPTIONS = OllamaRequest(messages=())


def _options(chat: ChatRequest) -> OllamaRequest:
    """The Ollama options of a request (the defaults for a request another dialect read)."""
    return chat if isinstance(chat, OllamaRequest) else _DEFAULT_OPTIONS


class _Shape:
    """The objects of one answer: `message` objects for `/api/chat`, `response` fields for `/api/generate`."""

    def __init__(self, call: Call) -> None:
        options = _options(call.chat)
        self.call = call
        self.generate = options.generate
        self.think = options.think
        self.model = options.model_name or call.model
        # A text or thinking line is `line({**output(...), "done": False})` written from templates: only the text is encoded.
        self._head = '{"model":' + go_json(self.model) + ',"created_at":"'
        where = ('","response":', '","response":"","thinking":') if self.generate else ('","message":{"role":"assistant","content":', '","message":{"role":"assistant","content":"","thinking":')
        self._before = dict(zip((Text, Think), where))
        self._after = ',"done":false}\n' if self.generate else '},"done":false}\n'

    def delta(self, event: Event, answer: _Answer) -> bytes | None:
        """The `done: false` line of one delta (None: this route sends nothing for it)."""
        if isinstance(event, (Text, Think)):
            if isinstance(event, Think) and not (self.think and event.text):
                return None
            return (self._head + answer.created_at() + self._before[type(event)] + go_json(event.text) + self._after).encode()
        if isinstance(event, ToolCall) and not self.generate and call_arguments(event) is not None:
            return self.line({**self.output("", "", [event]), "done": False}, answer)
        return None

    def output(self, content: str, thinking: str, tool_calls: list[ToolCall]) -> dict[str, Any]:
        """The answer fields: `response` (+ `thinking`), or a `message`."""
        if self.generate:
            return {"response": content, **({"thinking": thinking} if thinking else {})}
        message: dict[str, Any] = {"role": "assistant", "content": content}
        if thinking:
            message["thinking"] = thinking
        if tool_calls:
            message["tool_calls"] = [_tool_call_json(c, self.call) for c in tool_calls]
        return {"message": message}

    def last(self, answer: _Answer, whole: bool) -> dict[str, Any]:
        """The `done: true` object: the whole answer's fields when not streamed, else empty ones."""
        if whole:
            thinking = answer.thinking.text if self.think else ""
            fields = self.output(answer.content.text, thinking, answer.tool_calls)
        else:
            fields = self.output("", "", [])
        return {**fields, **answer.metrics()}

    def line(self, fields: Mapping[str, Any], answer: _Answer) -> bytes:
        return (go_json({"model": self.model, "created_at": answer.created_at(), **fields}) + "\n").encode()



def read_num_predict(options: Any) -> int | None:
    """`options.num_predict`, the most tokens to generate; None without one (or -1, endless, or -2, fill the context)."""
    value = options.get("num_predict") if isinstance(options, dict) else None
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise invalid(f"json: cannot unmarshal {type(value).__name__} into Go struct field Options.num_predict of type int")
    return value if value >= 0 else None

@register
class Ollama(Dialect):
    """Ollama `/api/chat` and `/api/generate` lines and answers, byte for byte."""

    name = "ollama"
    provider = "Ollama"
    routes = ("POST /api/chat", "POST /api/generate")
    error_prefixes = ("/api",)
    content_type = NDJSON_TYPE
    #: every line must be a JSON object
    heartbeat = None

    def parse(self, incoming: Incoming) -> ChatRequest:
        body = _body(incoming)
        model = body.get("model")
        if not isinstance(model, str) or not model:
            raise invalid("model is required")
        stream = body.get("stream", True)
        if not isinstance(stream, bool):
            raise invalid(f"json: cannot unmarshal {type(stream).__name__} into field stream of type bool")
        _optional(body, "options", dict, "map[string]interface {}")
        generate = incoming.path == "/api/generate"
        conversation = read_generate(body) if generate else {**read_chat(body), **read_tools(body)}
        loading = None if body.get("prompt" if generate else "messages") else "unload" if body.get("keep_alive") in UNLOAD else "load"
        scenario = body.get("mock_scenario")
        return OllamaRequest(
            model=model.removesuffix(DEFAULT_TAG),
            stream=stream and loading is None,
            scenario=scenario if isinstance(scenario, str) else None,
            body=body,
            response_format=read_format(body.get("format")),
            max_tokens=read_num_predict(body.get("options")),
            generate=generate,
            think=read_think(body.get("think")),
            model_name=model,
            loading=loading,
            **conversation,
        )

    def stream(self, events: Iterable[Event], call: Call) -> Iterator[WireItem]:
        shape = _Shape(call)
        answer = _Answer(call)
        started = False
        for event in whole_tool_calls(events):
            answer.take(event)
            if isinstance(event, Delay):
                yield event
            elif isinstance(event, Error):
                yield self.error_response(event) if error_as_response(event, started) else (go_json({"error": event.sent_by(self.provider).message}) + "\n").encode()
                return
            elif (line := shape.delta(event, answer)) is not None:
                started = True
                yield line
        yield shape.line(shape.last(answer, whole=False), answer)

    def whole(self, events: Iterable[Event], call: Call) -> Iterator[WireItem]:
        shape = _Shape(call)
        answer = _Answer(call)
        loading = _options(call.chat).loading
        if loading is not None:
            yield Respond(200, shape.line({**shape.output("", "", []), "done": True, "done_reason": loading}, answer).rstrip(b"\n"), content_type=JSON_TYPE)
            return
        if (yield from whole_answer(events, answer.take, self.error_response)):
            yield Respond(200, shape.line(shape.last(answer, whole=True), answer).rstrip(b"\n"), content_type=JSON_TYPE)

    def error_response(self, error: Error) -> Respond:
        error = error.sent_by(self.provider)
        return Respond(error.status, go_json({"error": error.message}).encode(), content_type=JSON_TYPE, headers=error.headers, chunked=error.delivery == "chunked")

    def listings(self) -> Mapping[str, Listing]:
        return {"/api/tags": list_tags, "/api/version": version}


def list_tags(names: Sequence[str], params: Mapping[str, str]) -> Respond:
    """`GET /api/tags`: one local model per scenario, tagged `:latest`."""
    return Respond(200, go_json({"models": [_model(name) for name in names]}).encode(), content_type=JSON_TYPE)


def version(names: Sequence[str], params: Mapping[str, str]) -> Respond:
    """`GET /api/version`: the Ollama version this dialect speaks."""
    return Respond(200, go_json({"version": VERSION}).encode(), content_type=JSON_TYPE)


def _model(name: str) -> dict[str, Any]:
    tagged = name + DEFAULT_TAG
    return {
        "name": tagged,
        "model": tagged,
        "modified_at": go_time(FIXED_CREATED * 1_000_000_000),
        "size": 2019393189,
        "digest": hashlib.sha256(tagged.encode()).hexdigest(),
        "details": _MODEL_DETAILS,
    }
