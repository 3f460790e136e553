"""Anthropic Messages: `POST /v1/messages`, streamed and whole, and `POST /v1/messages/count_tokens`."""

from __future__ import annotations

import base64
import hashlib
import json
import random
import secrets
import string
import time
from dataclasses import dataclass, field
from typing import Any, ClassVar, Iterable, Iterator, Mapping, Sequence

from mockllm.core import tokens
from mockllm.core.errors import RequestError, bad_request
from mockllm.core.events import Delay, Error, Event, Finish, Respond, Text, Think, ToolArgs, ToolCall, Usage, WireItem
from mockllm.core.incoming import Incoming
from mockllm.core.request import ChatRequest, Tool, ToolResult
from mockllm.core.said import Said
from mockllm.dialects.base import Dialect, Listing, compact_json, error_as_response, register
from mockllm.dialects.openai import query_body
from mockllm.stream.call import FIXED_CREATED, Call
from mockllm.stream.transforms.structured import schema_problem

PROVIDER = "Anthropic"
PING = b'event: ping\ndata: {"type": "ping"}\n\n'
STOP_REASONS = {"stop": "end_turn", "length": "max_tokens", "tool_calls": "tool_use", "content_filter": "refusal"}
ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    409: "conflict_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    504: "timeout_error",
    529: "overloaded_error",
}
#: Error types kept as the error names them; any other type (the generic `invalid_request_error` included) becomes its status's.
SPECIFIC_TYPES = frozenset(ERROR_TYPES.values()) - {"invalid_request_error"}
ORGANIZATION = "5f3c1e52-6b1d-4a8e-9d27-0c4b8e1f2a63"
THINKING_TYPES = ("enabled", "disabled", "adaptive")
TOOL_CHOICES = {"auto": "auto", "any": "required", "tool": "required", "none": "none"}
#: The `anthropic-beta` value under which the older `output_format` parameter is read
STRUCTURED_OUTPUTS_BETA = "structured-outputs-2025-11-13"
#: `max_tokens` of a GET request (the browser's EventSource) that does not give one
GET_MAX_TOKENS = 4096
#: The limit of each `anthropic-ratelimit-*` family sent on every answer
RATE_LIMITS = {"requests": 50, "input-tokens": 30_000, "output-tokens": 8_000, "tokens": 38_000}
_ID_ALPHABET = string.ascii_letters + string.digits
_PADDING = tuple(" " * n for n in range(1, 15))


def invalid(where: str, problem: str) -> RequestError:
    """A 400 worded as the API words validation errors: `max_tokens: Field required`."""
    return bad_request(f"{where}: {problem}")


def read_output_format(body: Mapping[str, Any], headers: Mapping[str, str]) -> dict[str, Any] | None:
    """Structured output in the neutral form of `ChatRequest.response_format`: `output_config.format`, or the beta `output_format`.

    `output_format` is read only with the `anthropic-beta: structured-outputs-2025-11-13`
    header that introduced it; the schema must be one the API accepts (`schema_rule`).
    """
    config = body.get("output_config")
    if config is not None and not isinstance(config, dict):
        raise invalid("output_config", "Input should be a valid dictionary")
    where, value = "output_config.format", (config or {}).get("format")
    if body.get("output_format") is not None:
        if STRUCTURED_OUTPUTS_BETA not in headers.get("anthropic-beta", ""):
            raise invalid("output_format", "Extra inputs are not permitted")
        where, value = "output_format", body["output_format"]
    if value is None:
        return None
    if not isinstance(value, dict) or value.get("type") != "json_schema":
        raise invalid(f"{where}.type", "Input should be 'json_schema'")
    schema = value.get("schema")
    if not isinstance(schema, dict):
        raise invalid(f"{where}.schema", "Field required" if schema is None else "Input should be a valid dictionary")
    problem = schema_rule(schema) or schema_problem(schema)
    if problem:
        raise invalid(f"{where}.schema", problem)
    return {"type": "json_schema", "schema": schema}


#: Keywords structured outputs reject, per type (`minItems` only above 1).
UNSUPPORTED_KEYWORDS = {
    "integer": ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"),
    "number": ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"),
    "string": ("minLength", "maxLength"),
    "array": ("maxItems", "uniqueItems"),
}


def schema_rule(schema: Any) -> str | None:
    """What breaks the API's rules for a structured-output schema (every object closed, no unsupported keyword), or None."""
    if isinstance(schema, list):
        return next(filter(None, map(schema_rule, schema)), None)
    if not isinstance(schema, dict):
        return None
    kind = schema.get("type")
    if (kind == "object" or "properties" in schema) and schema.get("additionalProperties") is not False:
        return "For 'object' type, 'additionalProperties' must be explicitly set to false"
    if isinstance(kind, str):
        for keyword in UNSUPPORTED_KEYWORDS.get(kind, ()):
            if keyword in schema:
                return f"For '{kind}' type, property '{keyword}' is not supported"
        if kind == "array" and schema.get("minItems", 0) not in (0, 1):
            return "For 'array' type, property 'minItems' only supports values 0 and 1"
    nested = [schema.get(key) for key in ("items", "anyOf", "allOf", "oneOf")]
    nested += [*(schema.get("properties") or {}).values(), *(schema.get("$defs") or {}).values(), *(schema.get("definitions") or {}).values()]
    return next(filter(None, map(schema_rule, nested)), None)


def read_request(incoming: Incoming, needs_max_tokens: bool = True) -> ChatRequest:
    """Read a Messages request body (or a GET's query) into the neutral `ChatRequest`; RequestError (400) when it is malformed."""
    body = incoming.json if incoming.method != "GET" else query_request(incoming.query)
    if not isinstance(body, dict):
        detail = incoming.json_error or "the body is not a JSON object"
        raise bad_request(f"The request body is not valid JSON ({detail}). Send a JSON object with Content-Type: application/json.")
    model = _field(body, "model", str, "a valid string", required=True)
    max_tokens = _field(body, "max_tokens", int, "a valid integer", required=needs_max_tokens)
    if max_tokens is not None and max_tokens < 1:
        raise invalid("max_tokens", "Input should be greater than or equal to 1")
    _check_thinking(body.get("thinking"), max_tokens)
    system = _system_text(body.get("system"))
    tools = _tools(body.get("tools"))
    choice = _tool_choice(body.get("tool_choice"), tools)
    if choice["tool_choice"] == "required" and shows_thinking(body):
        raise bad_request("Thinking may not be enabled when tool_choice forces tool use.")
    return ChatRequest(
        model=model,
        stream=bool(_field(body, "stream", bool, "a valid boolean")),
        scenario=_field(body, "mock_scenario", str, "a valid string"),
        body=body,
        system=system,
        tools=tools,
        max_tokens=max_tokens,
        hides_thinking=not shows_thinking(body),
        response_format=read_output_format(body, incoming.headers),
        **choice,
        **_conversation(body.get("messages"), system),
    )


def query_request(query: Mapping[str, str]) -> dict[str, Any]:
    """A streamed Messages request from a GET query, for the browser's EventSource.

    The prompt and model as on the OpenAI route (`?prompt=`, `?messages=[…]`,
    `?model=`, `?mock_scenario=`), plus `?system=` and `?max_tokens=`
    (default `GET_MAX_TOKENS`).
    """
    body = {key: value for key, value in query_body(query).items() if key != "stream_options"}
    if query.get("system"):
        body["system"] = query["system"]
    raw = query.get("max_tokens")
    if raw is not None and not raw.isdigit():
        raise invalid("max_tokens", "Input should be a valid integer")
    body["max_tokens"] = int(raw) if raw is not None else GET_MAX_TOKENS
    return body


def _field(body: dict[str, Any], key: str, kind: type, what: str, required: bool = False) -> Any:
    value = body.get(key)
    if value is None:
        if required:
            raise invalid(key, "Field required")
        return None
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise invalid(key, f"Input should be {what}")
    return value


def _check_thinking(value: Any, max_tokens: int | None) -> None:
    if value is None:
        return
    if not isinstance(value, dict) or value.get("type") not in THINKING_TYPES:
        raise invalid("thinking", "Input tag should be 'enabled', 'disabled' or 'adaptive'")
    if value["type"] != "enabled":
        return
    budget = value.get("budget_tokens")
    if not isinstance(budget, int) or isinstance(budget, bool):
        raise invalid("thinking.enabled.budget_tokens", "Field required" if budget is None else "Input should be a valid integer")
    if budget < 1024:
        raise invalid("thinking.enabled.budget_tokens", "Input should be greater than or equal to 1024")
    if max_tokens is not None and budget >= max_tokens:
        raise bad_request("`max_tokens` must be greater than `thinking.budget_tokens`.")


def shows_thinking(body: Mapping[str, Any]) -> bool:
    """Whether the request turns thinking on: only then does the answer have thinking blocks, as with the real API."""
    thinking = body.get("thinking")
    return isinstance(thinking, dict) and thinking.get("type") in ("enabled", "adaptive")


def _system_text(value: Any) -> str:
    if value is None or isinstance(value, str):
        return value or ""
    if isinstance(value, list):
        return "\n".join(block["text"] for block in _blocks(value, "system") if block["type"] == "text")
    raise invalid("system", "Input should be a valid string or a list of text blocks")


def _blocks(content: Any, where: str) -> list[dict[str, Any]]:
    """Content as a list of checked blocks (a string is one text block)."""
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    if not isinstance(content, list):
        raise invalid(where, "Input should be a valid string or a list of content blocks")
    for j, block in enumerate(content):
        _check_block(block, f"{where}.{j}")
    return content


_BLOCK_FIELDS = {"text": ("text",), "tool_use": ("id", "name"), "tool_result": ("tool_use_id",)}


def _check_block(block: Any, where: str) -> None:
    if not isinstance(block, dict) or not isinstance(block.get("type"), str):
        raise invalid(where, "Input should be a content block object with a 'type'")
    for key in _BLOCK_FIELDS.get(block["type"], ()):
        if not isinstance(block.get(key), str):
            raise invalid(f"{where}.{block['type']}.{key}", "Field required" if key not in block else "Input should be a valid string")
    if block["type"] == "tool_result" and not isinstance(block.get("content"), (str, list, type(None))):
        raise invalid(f"{where}.tool_result.content", "Input should be a valid string or a list of content blocks")


def _conversation(value: Any, system: str) -> dict[str, Any]:
    """The neutral conversation: (role, text) pairs, tool results since the last question, assistant turns.

    A user message holding `tool_result` blocks continues the agent loop (its
    results join those since the last question, each resolved to the name of
    the `tool_use` it answers); any other user message is a new question.
    """
    if value is None:
        raise invalid("messages", "Field required")
    if not isinstance(value, list) or not value:
        raise invalid("messages", "Input should be a non-empty list of messages")
    pairs: list[tuple[str, str]] = [("system", system)] if system else []
    names: dict[str, str] = {}
    results: list[ToolResult] = []
    turns = 0
    for i, message in enumerate(value):
        if not isinstance(message, dict):
            raise invalid(f"messages.{i}", "Input should be a valid dictionary")
        role = message.get("role")
        if role not in ("user", "assistant"):
            raise invalid(f"messages.{i}.role", "Input should be 'user' or 'assistant'")
        blocks = _blocks(message.get("content"), f"messages.{i}.content")
        text = "".join(block["text"] for block in blocks if block["type"] == "text")
        if role == "assistant":
            turns += 1
            names.update((block["id"], block["name"]) for block in blocks if block["type"] == "tool_use")
            pairs.append(("assistant", text))
            continue
        answered = [_tool_result(block, names) for block in blocks if block["type"] == "tool_result"]
        results = results + answered if answered else []
        pairs += [("tool", result.content) for result in answered]
        if text or not answered:
            pairs.append(("user", text))
    return {"messages": tuple(pairs), "tool_results": tuple(results), "assistant_turns": turns}


def _tool_result(block: dict[str, Any], names: dict[str, str]) -> ToolResult:
    content = block.get("content")
    if isinstance(content, list):
        content = "".join(part["text"] for part in content if isinstance(part, dict) and isinstance(part.get("text"), str))
    call_id = block["tool_use_id"]
    return ToolResult(content or "", names.get(call_id), call_id)


def _tools(value: Any) -> tuple[Tool, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise invalid("tools", "Input should be a valid list")
    tools = []
    for i, entry in enumerate(value):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"]:
            raise invalid(f"tools.{i}.name", "Field required")
        schema = entry.get("input_schema")
        custom = entry.get("type") in (None, "custom")
        if custom and not isinstance(schema, dict):
            raise invalid(f"tools.{i}.custom.input_schema", "Field required" if schema is None else "Input should be a valid dictionary")
        description = entry.get("description")
        tools.append(Tool(entry["name"], description if isinstance(description, str) else "", schema if isinstance(schema, dict) else {}))
    return tuple(tools)


def _tool_choice(value: Any, tools: tuple[Tool, ...]) -> dict[str, Any]:
    if value is None:
        return {"tool_choice": None, "forced_tool": None}
    kind = value.get("type") if isinstance(value, dict) else None
    if kind not in TOOL_CHOICES:
        raise invalid("tool_choice", "Input tag should be 'auto', 'any', 'tool' or 'none'")
    if kind != "tool":
        return {"tool_choice": TOOL_CHOICES[kind], "forced_tool": None}
    name = value.get("name")
    if not isinstance(name, str):
        raise invalid("tool_choice.tool.name", "Field required")
    if not any(tool.name == name for tool in tools):
        offered = ", ".join(tool.name for tool in tools) or "none"
        raise bad_request(f"tool_choice: the tool '{name}' is not one of the tools offered in 'tools' ({offered}).")
    return {"tool_choice": "required", "forced_tool": name}


def count_input_tokens(chat: ChatRequest) -> int:
    """Approximate input tokens: the conversation's, plus each offered tool's name, description and schema."""
    return chat.prompt_tokens + sum(tokens.count(f"{t.name} {t.description} {compact_json(t.parameters)}") for t in chat.tools)


def message_id(call: Call) -> str:
    """The message id, `msg_01…` (24 characters after `msg_`), derived from the seed."""
    return "msg_01" + call.id[:22]


def request_id(call: Call | None) -> str:
    """The `request-id` header (and error body `request_id`), `req_011C…`: derived from the seed, random without a call."""
    chars = random.Random(f"request:{call.seed}").choices if call is not None else secrets.SystemRandom().choices
    return "req_011C" + "".join(chars(_ID_ALPHABET, k=20))


def signature(call: Call, thinking: str) -> str:
    """The opaque signature of a thinking block: base64 derived from the seed and the thinking text."""
    digests = (hashlib.sha512(f"{call.seed}:{part}:{thinking}".encode()).digest() for part in range(3))
    return base64.b64encode(b"\x12" + b"".join(digests)).decode()


def usage_json(input_count: int, output_count: int) -> dict[str, Any]:
    """The `usage` object of a message."""
    return {
        "input_tokens": input_count,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
        "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0},
        "output_tokens": output_count,
        "service_tier": "standard",
        "inference_geo": "not_available",
    }


def error_object(error: Error) -> dict[str, Any]:
    """The `error` object of Anthropic's error body and error event: `{"type", "message"}`, `extra` merged in."""
    kind = error.type if error.type in SPECIFIC_TYPES else _type_of(error.status)
    return {"type": kind, "message": error.message, **dict(error.extra)}


def _type_of(status: int) -> str:
    return ERROR_TYPES.get(status) or ("api_error" if status >= 500 else "invalid_request_error")


def tool_block(event: ToolCall, call: Call) -> dict[str, Any]:
    """A `tool_use` content block as it starts: its id (`toolu_…` from the seed unless the scenario gives one), name, empty input."""
    call_id = event.id or call.tool_call_id(event.index, "toolu_")
    return {"type": "tool_use", "id": call_id, "name": event.name, "input": {}, "caller": {"type": "direct"}}


def text_block(kind: str) -> dict[str, Any]:
    """An empty `text` or `thinking` block (its text is under the key named like its type)."""
    return {"type": "text", "text": ""} if kind == "text" else {"type": "thinking", "thinking": "", "signature": ""}


def tool_input(arguments: str) -> Any:
    """A tool call's input as the whole message has it: the arguments' JSON value ({} for arguments cut short)."""
    try:
        return json.loads(arguments) if arguments else {}
    except ValueError:
        return {}


@dataclass
class _Said:
    """What the answer has said so far: its text, finish reason and usage overrides.

    The answer is already cut at `max_tokens` (`transforms.limit`), finishing with `length`.
    """

    prompt: int
    thinking: bool
    pieces: Said = field(default_factory=Said)
    finish: str = "stop"
    usage: Usage = field(default_factory=Usage)

    @classmethod
    def of(cls, call: Call) -> _Said:
        """The state of one call's answer: its input tokens and whether thinking is shown."""
        return cls(count_input_tokens(call.chat), not call.chat.hides_thinking)

    def take(self, event: Event) -> None:
        """Note an output event."""
        if isinstance(event, (Text, Think, ToolArgs)):
            self.pieces.append(event.text)
        elif isinstance(event, Finish):
            self.finish = event.reason
        elif isinstance(event, Usage):
            self.usage = event

    def shown(self, event: Event) -> bool:
        """Whether the event is part of the answer: `Think` only when the request turns thinking on."""
        return self.thinking or type(event) is not Think

    def input_tokens(self) -> int:
        return self.prompt if self.usage.prompt_tokens is None else self.usage.prompt_tokens

    def output_tokens(self) -> int:
        if self.usage.completion_tokens is not None:
            return self.usage.completion_tokens
        return tokens.count(self.pieces.text)

    @property
    def stop_reason(self) -> str:
        return STOP_REASONS.get(self.finish, "end_turn")


class _Framer:
    """SSE events of one message, each `event: NAME\\ndata: {json}\\n\\n`.

    The API pads each event's JSON with a few spaces before its last brace
    (so lengths do not reveal tokens); the padding here is drawn from the seed.
    """

    def __init__(self, call: Call) -> None:
        self._draw = random.Random(f"padding:{call.seed}").random
        self.index = -1
        self.kind: str | None = None
        self.pinged = False
        self._heads: dict[str, str] = {}
        self._thinking = Said()
        self._call = call

    def event(self, name: str, data: str) -> bytes:
        """One event, its JSON `data` padded."""
        return self._padded("event: " + name + "\ndata: " + data[:-1])

    def _padded(self, unclosed: str) -> bytes:
        """An event whose JSON lacks its last brace: a few spaces, the brace, the blank line."""
        return (unclosed + _PADDING[int(self._draw() * len(_PADDING))] + "}\n\n").encode()

    def delta(self, kind: str, key: str, text: str) -> bytes:
        """A `content_block_delta` of the open block; its head is built once per block and kind."""
        head = self._heads.get(kind)
        if head is None:
            head = self._heads[kind] = (
                'event: content_block_delta\ndata: {"type":"content_block_delta","index":'
                + str(self.index) + ',"delta":{"type":"' + kind + '","' + key + '":'
            )
        return self._padded(head + compact_json(text) + "}")

    def open(self, block: dict[str, Any]) -> Iterator[bytes]:
        """Close the open block, start `block`; the API pings once, after the first block starts."""
        yield from self.close()
        self.index += 1
        self.kind = block["type"]
        self._heads = {}
        start = {"type": "content_block_start", "index": self.index, "content_block": block}
        yield self.event("content_block_start", compact_json(start))
        if not self.pinged:
            self.pinged = True
            yield PING

    def close(self) -> Iterator[bytes]:
        """End the open block (a thinking block first gets its signature)."""
        if self.kind is None:
            return
        if self.kind == "thinking":
            yield self.delta("signature_delta", "signature", signature(self._call, self._thinking.text))
            self._thinking = Said()
        yield self.event("content_block_stop", '{"type":"content_block_stop","index":' + str(self.index) + "}")
        self.kind = None

    def text(self, event: Text | Think) -> Iterator[bytes]:
        """A text or thinking delta, in a new block of its kind unless one is open."""
        kind = "text" if type(event) is Text else "thinking"
        if self.kind != kind:
            yield from self.open(text_block(kind))
        if kind == "thinking":
            self._thinking.append(event.text)
            yield self.delta("thinking_delta", "thinking", event.text)
        else:
            yield self.delta("text_delta", "text", event.text)

    def start(self, input_count: int) -> bytes:
        """`message_start`: the message without content."""
        message: dict[str, Any] = {
            "model": self._call.model,
            "id": message_id(self._call),
            "type": "message",
            "role": "assistant",
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "stop_details": None,
            "usage": usage_json(input_count, 1),
        }
        return self.event("message_start", compact_json({"type": "message_start", "message": message}))

    def end(self, said: _Said) -> Iterator[bytes]:
        """Close the open block, then `message_delta` (stop reason, final usage) and `message_stop`."""
        yield from self.close()
        if not self.pinged:
            self.pinged = True
            yield PING
        delta = {"stop_reason": said.stop_reason, "stop_sequence": None, "stop_details": None}
        usage = {
            "input_tokens": said.input_tokens(),
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
            "output_tokens": said.output_tokens(),
        }
        yield self.event("message_delta", compact_json({"type": "message_delta", "delta": delta, "usage": usage}))
        yield self.event("message_stop", '{"type":"message_stop"}')


@register
class AnthropicMessages(Dialect):
    """Anthropic Messages events, as the API sends them and its SDKs parse them."""

    name = "anthropic"
    provider = PROVIDER
    routes: ClassVar[tuple[str, ...]] = ("POST /v1/messages", "GET /v1/messages")
    error_prefixes: ClassVar[tuple[str, ...]] = ("/v1/messages",)
    #: its clients call other `/v1` paths too (`/v1/files`, `/v1/models`), which OpenAI shares
    shared_error_prefixes: ClassVar[tuple[str, ...]] = ("/v1",)
    heartbeat = PING

    def parse(self, incoming: Incoming) -> ChatRequest:
        return read_request(incoming)

    def stream(self, events: Iterable[Event], call: Call) -> Iterator[WireItem]:
        frame = _Framer(call)
        said = _Said.of(call)
        started = False
        for event in events:
            if type(event) is Delay:
                yield event
                continue
            if type(event) is Text and frame.kind == "text":  # the common case first
                said.take(event)
                yield frame.delta("text_delta", "text", event.text)
                continue
            if not said.shown(event):
                continue
            if isinstance(event, Error):
                yield self._respond(event, call) if error_as_response(event, started) else self._error_event(event)
                return
            said.take(event)
            if isinstance(event, (Finish, Usage)):
                continue
            if not started:
                started = True
                yield frame.start(said.input_tokens())
            if isinstance(event, (Text, Think)):
                yield from frame.text(event)
            elif isinstance(event, ToolCall):
                yield from frame.open(tool_block(event, call))
                yield frame.delta("input_json_delta", "partial_json", "")
            elif isinstance(event, ToolArgs):
                yield frame.delta("input_json_delta", "partial_json", event.text)
        if not started:
            yield frame.start(said.input_tokens())
        yield from frame.end(said)

    def whole(self, events: Iterable[Event], call: Call) -> Iterator[WireItem]:
        said = _Said.of(call)
        content = _Content(call)
        for event in events:
            if type(event) is Delay:
                yield event
            elif isinstance(event, Error):
                yield self._respond(event, call)
                return
            elif said.shown(event):
                said.take(event)
                content.add(event)
        body = {
            "model": call.model,
            "id": message_id(call),
            "type": "message",
            "role": "assistant",
            "content": content.blocks(),
            "stop_reason": said.stop_reason,
            "stop_sequence": None,
            "stop_details": None,
            "usage": usage_json(said.input_tokens(), said.output_tokens()),
        }
        yield Respond(200, compact_json(body).encode())

    def error_response(self, error: Error) -> Respond:
        return self._respond(error, None)

    def _respond(self, error: Error, call: Call | None) -> Respond:
        error = error.sent_by(PROVIDER)
        request = request_id(call)
        body = compact_json({"type": "error", "error": error_object(error), "request_id": request}).encode()
        return Respond(error.status, body, headers=(("request-id", request), *error.headers), chunked=error.delivery == "chunked")

    def _error_event(self, error: Error) -> bytes:
        data = {"type": "error", "error": error_object(error.sent_by(PROVIDER))}
        return b"event: error\ndata: " + compact_json(data).encode() + b"\n\n"

    def headers(self, call: Call) -> dict[str, str]:
        return {"request-id": request_id(call), "anthropic-organization-id": ORGANIZATION, **rate_limit_headers(call)}

    def listings(self) -> Mapping[str, Listing]:
        return {"/v1/models": list_models, "/v1/models/{model}": get_model}

    def recognizes(self, headers: Mapping[str, str], query: Mapping[str, str]) -> bool:
        """An Anthropic client: its SDKs send `anthropic-version` on every request (others get OpenAI's model list)."""
        return "anthropic-version" in headers


def list_models(names: Sequence[str], params: Mapping[str, str]) -> Respond:
    """`GET /v1/models` for Anthropic's clients: one model per scenario, in one page."""
    models = [_model(name) for name in names]
    first, last = (models[0]["id"], models[-1]["id"]) if models else (None, None)
    page = {"data": models, "has_more": False, "first_id": first, "last_id": last}
    return Respond(200, compact_json(page).encode(), headers=(("request-id", request_id(None)),))


def get_model(names: Sequence[str], params: Mapping[str, str]) -> Respond:
    """`GET /v1/models/{model}`: one model by id; 404 `not_found_error` when no scenario has that name."""
    name = params["model"]
    if name not in names:
        return AnthropicMessages().error_response(Error(f"model: {name}", status=404))
    return Respond(200, compact_json(_model(name)).encode(), headers=(("request-id", request_id(None)),))


def _model(name: str) -> dict[str, Any]:
    return {"type": "model", "id": name, "display_name": name, "created_at": rfc3339(FIXED_CREATED)}


def rfc3339(seconds: float) -> str:
    """A UTC time as the API writes it: `2025-01-01T00:00:00Z`."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


class _Content:
    """The content blocks of a whole message, built from its output events."""

    def __init__(self, call: Call) -> None:
        self._call = call
        self._blocks: list[dict[str, Any]] = []
        self._arguments: dict[int, list[str]] = {}  # tool call index → its argument fragments

    def add(self, event: Event) -> None:
        if isinstance(event, (Text, Think)):
            kind = "text" if type(event) is Text else "thinking"
            if not self._blocks or self._blocks[-1]["type"] != kind:
                self._blocks.append(text_block(kind))
            self._blocks[-1][kind] += event.text
        elif isinstance(event, ToolCall):
            self._blocks.append(tool_block(event, self._call))
            self._arguments[event.index] = []
        elif isinstance(event, ToolArgs):
            self._arguments[event.index].append(event.text)

    def blocks(self) -> list[dict[str, Any]]:
        """The blocks, each tool call's input parsed from its arguments and each thinking block signed."""
        tools = iter(self._arguments.values())
        for block in self._blocks:
            if block["type"] == "tool_use":
                block["input"] = tool_input("".join(next(tools)))
            elif block["type"] == "thinking":
                block["signature"] = signature(self._call, block["thinking"])
        return self._blocks


def rate_limit_headers(call: Call) -> dict[str, str]:
    """The `anthropic-ratelimit-*` headers of every answer: limits, what is left after this request, and when they reset."""
    reset = rfc3339(call.created + 1)
    used = {"requests": 1, "input-tokens": count_input_tokens(call.chat), "output-tokens": 0}
    used["tokens"] = used["input-tokens"]
    headers = {}
    for family, limit in RATE_LIMITS.items():
        prefix = f"anthropic-ratelimit-{family}-"
        headers.update({prefix + "limit": str(limit), prefix + "remaining": str(max(limit - used[family], 0)), prefix + "reset": reset})
    return headers


@register
class AnthropicCountTokens(AnthropicMessages):
    """`POST /v1/messages/count_tokens`: the input tokens a Messages request would use, `{"input_tokens": N}`."""

    name = "anthropic_count_tokens"
    routes: ClassVar[tuple[str, ...]] = ("POST /v1/messages/count_tokens",)

    def parse(self, incoming: Incoming) -> ChatRequest:
        return read_request(incoming, needs_max_tokens=False)

    def listings(self) -> Mapping[str, Listing]:
        return {}

    def stream(self, events: Iterable[Event], call: Call) -> Iterator[WireItem]:
        return self.whole(events, call)

    def whole(self, events: Iterable[Event], call: Call) -> Iterator[WireItem]:
        yield Respond(200, compact_json({"input_tokens": count_input_tokens(call.chat)}).encode())
