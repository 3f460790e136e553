"""Cohere v2 Chat: `POST /v2/chat`, streamed as server-sent events with an `event:` line each, or whole.

Facts read from the official SDKs (cohere-python `v2/raw_client.py`,
`v2/types/v2chat_stream_response.py`; cohere-ai for Node):

- Each event is `event: NAME\\ndata: {json}\\n\\n`; the SDK picks the event
  type from the JSON's `type` (it equals NAME), and an event its pydantic
  models cannot read is skipped with a warning, never raised.
- Order: `message-start` (the answer's `id`, `delta.message` with role
  `assistant` and empty `content`, `tool_plan`, `tool_calls`, `citations`);
  per content block `content-start` (`{"type":"text","text":""}` or
  `{"type":"thinking","thinking":""}`), `content-delta`s, `content-end`, with
  `index` counting the blocks from 0; `tool-plan-delta`s (the plan a model
  writes before calling tools, no index); per tool call `tool-call-start`
  (`{"id","type":"function","function":{"name","arguments":""}}`),
  `tool-call-delta`s of `function.arguments`, `tool-call-end`, with `index`
  counting the calls from 0; then `message-end` with `finish_reason`
  (COMPLETE, MAX_TOKENS, TOOL_CALL, ERROR, …) and `usage` (`billed_units` and
  `tokens`, each `input_tokens` / `output_tokens`). No `[DONE]` follows.
- A failure during generation is a `message-end` whose `delta` has `error`
  (the message) and `finish_reason: ERROR`: the SDK yields it like any
  event, it raises nothing.
- An error response is JSON `{"id": "<uuid>", "message": …}`; the SDK raises by status
  (400 BadRequestError, 401 UnauthorizedError, 429 TooManyRequestsError,
  500 InternalServerError, 503 ServiceUnavailableError, …) and retries
  408, 409, 429 and 5xx twice, waiting as `retry-after-ms` / `retry-after`
  say, else with exponential backoff. It sends no `x-should-retry`.
- The whole answer: `{"id", "message": {"role", "content": [{"type":"text",
  "text"}], "tool_plan", "tool_calls"}, "finish_reason", "usage"}`; tool call
  ids are the tool's name, `_` and 12 lowercase letters and digits.

mockllm's mapping: a `think` step is the `tool_plan` when the request offers
tools (Cohere's reasoning before a tool call), else a thinking block (left
out when the request says `"thinking": {"type": "disabled"}`).
"""

from __future__ import annotations

import json
import random
import string
import uuid
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Mapping

from mockllm.core import tokens
from mockllm.core.errors import RequestError, bad_request
from mockllm.core.events import Delay, Error, Event, Respond, Text, Think, ToolArgs, ToolCall, WireItem
from mockllm.core.incoming import Incoming
from mockllm.core.request import ChatRequest, ToolResult
from mockllm.dialects.base import Dialect, compact_json, error_as_response, register
from mockllm.dialects.openai import Answer, read_tools
from mockllm.stream.call import Call

PROVIDER = "Cohere"
JSON_TYPE = "application/json"
ROLES = ("system", "user", "assistant", "tool")
TOOL_CHOICES = {"REQUIRED": "required", "NONE": "none"}
FINISH_REASONS = {"stop": "COMPLETE", "length": "MAX_TOKENS", "tool_calls": "TOOL_CALL", "content_filter": "ERROR"}
_ID_CHARS = string.ascii_lowercase + string.digits


def invalid(message: str) -> RequestError:
    """A 400 worded as Cohere words validation errors: `invalid request: …`."""
    return bad_request(f"invalid request: {message}")


def answer_id(call: Call) -> str:
    """The answer's id: a UUID derived from the seed."""
    return str(uuid.UUID(int=random.Random(f"cohere:{call.seed}").getrandbits(128), version=4))


def error_id(error: Error) -> str:
    """An error body's `id`: a UUID derived from the status and message, so the same error has the same bytes."""
    return str(uuid.UUID(int=random.Random(f"cohere-error:{error.status}:{error.message}").getrandbits(128), version=4))


def tool_call_id(event: ToolCall, call: Call) -> str:
    """A tool call's id: the scenario's, else `{name}_` and 12 characters derived from the seed."""
    if event.id:
        return event.id
    ids = random.Random(f"tool:{call.seed}:{event.index}")
    return f"{event.name}_" + "".join(ids.choices(_ID_CHARS, k=12))


def _field(body: Mapping[str, Any], key: str, kind: type | tuple[type, ...], what: str) -> Any:
    value = body.get(key)
    if value is not None and (not isinstance(value, kind) or (kind is int and isinstance(value, bool))):
        raise invalid(f"{key} must be {what}, got {type(value).__name__}")
    return value


def content_text(content: Any, where: str) -> str:
    """A message's text: a string, or the text of its `text` items (and `document` items' `data`)."""
    if content is None or isinstance(content, str):
        return content or ""
    if not isinstance(content, list) or not all(isinstance(item, dict) for item in content):
        raise invalid(f"{where} must be a string or an array of content items like {{\"type\": \"text\", \"text\": \"...\"}}")
    parts = []
    for item in content:
        if item.get("type") == "text" and isinstance(item.get("text"), str):
            parts.append(item["text"])
        elif item.get("type") == "document" and isinstance(item.get("document"), dict):
            data = item["document"].get("data")
            parts.append(data if isinstance(data, str) else compact_json(data))
    return "".join(parts)


def read_conversation(value: Any) -> dict[str, Any]:
    """The neutral conversation of `messages`: (role, text) pairs, the system text, the latest tool results."""
    if not isinstance(value, list) or not value:
        raise invalid("messages must be a non-empty array of messages")
    pairs: list[tuple[str, str]] = []
    results: list[ToolResult] = []
    names: dict[str, str] = {}
    for i, message in enumerate(value):
        where = f"messages[{i}]"
        if not isinstance(message, dict) or message.get("role") not in ROLES:
            role = message.get("role") if isinstance(message, dict) else None
            raise invalid(f"{where}.role must be one of {', '.join(ROLES)}, got {role!r}")
        role, text = message["role"], content_text(message.get("content"), f"{where}.content")
        pairs.append((role, text))
        if role == "user":
            results = []
        elif role == "assistant":
            names.update(_called(message.get("tool_calls"), f"{where}.tool_calls"))
        elif role == "tool":
            call_id = message.get("tool_call_id")
            if not isinstance(call_id, str):
                raise invalid(f"{where}.tool_call_id is required for a tool message")
            results.append(ToolResult(text, names.get(call_id), call_id))
    return {
        "messages": tuple(pairs),
        "system": "\n".join(text for role, text in pairs if role == "system"),
        "tool_results": tuple(results),
        "assistant_turns": sum(1 for role, _ in pairs if role == "assistant"),
    }


def _called(tool_calls: Any, where: str) -> dict[str, str]:
    """Call id → tool name of an assistant message's `tool_calls`."""
    if tool_calls is None:
        return {}
    if not isinstance(tool_calls, list):
        raise invalid(f"{where} must be an array of tool calls")
    out = {}
    for i, tool_call in enumerate(tool_calls):
        function = tool_call.get("function") if isinstance(tool_call, dict) else None
        if not isinstance(function, dict) or not isinstance(function.get("name"), str):
            raise invalid(f'{where}[{i}] must be {{"id": ..., "type": "function", "function": {{"name": ..., "arguments": ...}}}}')
        out[str(tool_call.get("id"))] = function["name"]
    return out


def read_response_format(value: Any) -> Mapping[str, Any] | None:
    """`response_format`: `{"type": "text"}`, or `{"type": "json_object"}` with an optional `json_schema`."""
    if value is None:
        return None
    kind = value.get("type") if isinstance(value, dict) else None
    if kind == "text":
        return None
    if kind != "json_object":
        raise invalid('response_format.type must be "text" or "json_object"')
    schema = value.get("json_schema")
    if schema is None:
        return {"type": "json_object"}
    if not isinstance(schema, dict):
        raise invalid("response_format.json_schema must be a JSON Schema object")
    return {"type": "json_schema", "schema": schema}


def shows_thinking(body: Mapping[str, Any]) -> bool:
    """Whether thinking blocks are sent: unless `thinking.type` is `disabled` (reasoning models think by default)."""
    thinking = body.get("thinking")
    return not (isinstance(thinking, dict) and thinking.get("type") == "disabled")


def _thinking(value: Any) -> None:
    if value is not None and (not isinstance(value, dict) or value.get("type") not in ("enabled", "disabled")):
        raise invalid('thinking.type must be "enabled" or "disabled"')


def read_request(incoming: Incoming) -> ChatRequest:
    """Read a `/v2/chat` body into the neutral `ChatRequest`; RequestError (400) when it is malformed."""
    body = incoming.json
    if not isinstance(body, dict):
        raise invalid(f"the body must be a JSON object ({incoming.json_error or 'got ' + type(body).__name__})")
    model = _field(body, "model", str, "a string")
    if not model:
        raise invalid("model is required")
    max_tokens = _field(body, "max_tokens", int, "an integer")
    if max_tokens is not None and max_tokens < 1:
        raise invalid("max_tokens must be at least 1")
    _thinking(body.get("thinking"))
    tools = read_tools({"tools": _field(body, "tools", list, "an array of tools")})["tools"]
    choice = _field(body, "tool_choice", str, '"REQUIRED" or "NONE"')
    if choice is not None and choice not in TOOL_CHOICES:
        raise invalid(f'tool_choice must be "REQUIRED" or "NONE", got {choice!r}')
    return ChatRequest(
        model=model,
        stream=bool(_field(body, "stream", bool, "a boolean")),
        scenario=_field(body, "mock_scenario", str, "a string"),
        body=body,
        tools=tools,
        tool_choice=TOOL_CHOICES.get(choice or ""),
        response_format=read_response_format(body.get("response_format")),
        **read_conversation(body.get("messages")),
    )


@dataclass(kw_only=True)
class _Said(Answer):
    """What the answer has said (see `openai.Answer`); it stops at `max_tokens`, and hidden thinking is not kept."""

    call: Call
    max_tokens: int | None
    spent: int = 0

    @classmethod
    def of(cls, call: Call) -> _Said:
        return cls(call=call, max_tokens=call.chat.body.get("max_tokens"))

    @property
    def think_role(self) -> str:
        """Where Think goes: `plan` (tools offered), `thinking`, or `hidden` (thinking disabled)."""
        if self.call.chat.tools:
            return "plan"
        return "thinking" if shows_thinking(self.call.chat.body) else "hidden"

    def keep(self, event: Event) -> bool:
        """Note an event; False when the answer ends before it (past `max_tokens`)."""
        if isinstance(event, (Text, Think, ToolArgs)) and self.max_tokens is not None:
            self.spent += tokens.count(event.text)
            if self.spent > self.max_tokens:
                self.finish = "length"
                return False
        if not (isinstance(event, Think) and self.think_role == "hidden"):
            self.take(event)
        return True

    def finish_reason(self) -> str:
        if self.tool_calls and self.finish == "stop":
            return "TOOL_CALL"
        return FINISH_REASONS.get(self.finish, "COMPLETE")

    def usage_object(self) -> dict[str, Any]:
        """`usage`: billed units and tokens, counted (or the scenario's)."""
        prompt, completion, _ = self.token_counts(self.call)
        counts = {"input_tokens": prompt, "output_tokens": completion}
        return {"billed_units": counts, "tokens": counts}


class _Framer:
    """The SSE events of one answer, tracking the open content block or tool call."""

    def __init__(self, call: Call) -> None:
        self.call = call
        self.started = False
        self.blocks = 0
        self.open: str | None = None  # "text", "thinking" or "tool"
        self.tool_index = 0

    @staticmethod
    def frame(name: str, value: Mapping[str, Any]) -> bytes:
        """One SSE event: its `event:` line, then the JSON on its `data:` line."""
        return f"event: {name}\ndata: {compact_json(value)}\n\n".encode()

    def event(self, name: str, data: Mapping[str, Any]) -> bytes:
        """An event whose JSON starts with its `type`."""
        return self.frame(name, {"type": name, **data})

    def start(self) -> Iterator[bytes]:
        """`message-start` (the id before the type, as Cohere sends it), once, before the first output."""
        if not self.started:
            self.started = True
            empty = {"role": "assistant", "content": [], "tool_plan": "", "tool_calls": [], "citations": []}
            yield self.frame("message-start", {"id": answer_id(self.call), "type": "message-start", "delta": {"message": empty}})

    def close(self) -> Iterator[bytes]:
        """End the open content block or tool call."""
        if self.open == "tool":
            yield self.event("tool-call-end", {"index": self.tool_index})
        elif self.open is not None:
            yield self.event("content-end", {"index": self.blocks - 1})
        self.open = None

    def content(self, kind: str, text: str) -> Iterator[bytes]:
        """A `content-delta` of a text or thinking block, opening the block first when needed."""
        yield from self.start()
        if self.open != kind:
            yield from self.close()
            self.open = kind
            self.blocks += 1
            yield self.event("content-start", {"index": self.blocks - 1, "delta": {"message": {"content": {"type": kind, kind: ""}}}})
        yield self.event("content-delta", {"index": self.blocks - 1, "delta": {"message": {"content": {kind: text}}}})

    def plan(self, text: str) -> Iterator[bytes]:
        yield from self.start()
        yield from self.close()
        yield self.event("tool-plan-delta", {"delta": {"message": {"tool_plan": text}}})

    def tool_call(self, event: ToolCall) -> Iterator[bytes]:
        yield from self.start()
        yield from self.close()
        self.open, self.tool_index = "tool", event.index
        function = {"name": event.name, "arguments": ""}
        yield self.event("tool-call-start", {"index": event.index, "delta": {"message": {"tool_calls": {"id": tool_call_id(event, self.call), "type": "function", "function": function}}}})

    def tool_args(self, event: ToolArgs) -> bytes:
        return self.event("tool-call-delta", {"index": event.index, "delta": {"message": {"tool_calls": {"function": {"arguments": event.text}}}}})

    def end(self, said: _Said, error: Error | None = None) -> Iterator[bytes]:
        """`message-end`: the finish reason and usage, or ERROR with the error's message."""
        yield from self.start()
        yield from self.close()
        if error is None:
            delta: dict[str, Any] = {"finish_reason": said.finish_reason(), "usage": said.usage_object()}
        else:
            delta = {"error": error.message, "finish_reason": "ERROR", "usage": said.usage_object()}
        yield self.event("message-end", {"delta": delta})


@register
class Cohere(Dialect):
    """Cohere's v2 chat API, streamed and whole."""

    name = "cohere"
    provider = PROVIDER
    routes = ("POST /v2/chat",)
    error_prefixes = ("/v2",)

    def parse(self, incoming: Incoming) -> ChatRequest:
        return read_request(incoming)

    def stream(self, events: Iterable[Event], call: Call) -> Iterator[WireItem]:
        frame = _Framer(call)
        said = _Said.of(call)
        for event in events:
            if isinstance(event, Delay):
                yield event
            elif isinstance(event, Error):
                if error_as_response(event, frame.started):
                    yield self.error_response(event)
                else:
                    yield from frame.end(said, event.sent_by(self.provider))
                return
            elif not said.keep(event):
                break
            elif isinstance(event, Text):
                yield from frame.content("text", event.text)
            elif isinstance(event, Think):
                yield from self._think(frame, said.think_role, event.text)
            elif isinstance(event, ToolCall):
                yield from frame.tool_call(event)
            elif isinstance(event, ToolArgs):
                yield frame.tool_args(event)
        yield from frame.end(said)

    @staticmethod
    def _think(frame: _Framer, role: str, text: str) -> Iterator[bytes]:
        if role == "plan":
            yield from frame.plan(text)
        elif role == "thinking":
            yield from frame.content("thinking", text)

    def whole(self, events: Iterable[Event], call: Call) -> Iterator[WireItem]:
        said = _Said.of(call)
        for event in events:
            if isinstance(event, Delay):
                yield event
            elif isinstance(event, Error):
                yield self.error_response(event)
                return
            elif not said.keep(event):
                break
        body = {"id": answer_id(call), "message": _message(said), "finish_reason": said.finish_reason(), "usage": said.usage_object()}
        yield Respond(200, compact_json(body).encode(), content_type=JSON_TYPE)

    def error_response(self, error: Error) -> Respond:
        error = error.sent_by(self.provider)
        body = {"id": error_id(error), "message": error.message, **dict(error.extra)}
        return Respond(error.status, compact_json(body).encode(), content_type=JSON_TYPE, headers=error.headers, chunked=error.delivery == "chunked")


def _message(said: _Said) -> dict[str, Any]:
    """The whole answer's `message`: its content items, then the tool plan and tool calls when there are calls."""
    message: dict[str, Any] = {"role": "assistant"}
    content = []
    if said.reasoning and said.think_role == "thinking":
        content.append({"type": "thinking", "thinking": said.reasoning.text})
    if said.content:
        content.append({"type": "text", "text": said.content.text})
    if content:
        message["content"] = content
    if said.reasoning and said.think_role == "plan":
        message["tool_plan"] = said.reasoning.text
    if said.tool_calls:
        message["tool_calls"] = [
            {"id": tool_call_id(c, said.call), "type": "function", "function": {"name": c.name, "arguments": _arguments(c)}} for c in said.tool_calls
        ]
    return message


def _arguments(event: ToolCall) -> str:
    """A call's arguments as one JSON text (compact, as the API sends them)."""
    try:
        return compact_json(json.loads(event.arguments)) if event.arguments else "{}"
    except ValueError:
        return event.arguments
