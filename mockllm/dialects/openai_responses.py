"""OpenAI Responses: `POST /v1/responses` streamed and whole, `GET /v1/responses/{response_id}`.

A stream is `event: <type>\\ndata: <json>\\n\\n` events, each with the next
`sequence_number`: `response.created` and `response.in_progress`, then for each
output item (`message`, `reasoning`, `function_call`) its `added` event, its
deltas and its `done` events, and last `response.completed`
(`response.incomplete` when a length or content-filter finish cut the answer;
an `error` event and `response.failed` when it fails after the first byte).
There is no `[DONE]`. Event keys follow `type` in alphabetical order, as the
service sends them.
"""

from __future__ import annotations

import base64
import random
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Mapping, Sequence

from mockllm.core.errors import RequestError, bad_request
from mockllm.core.events import Delay, Error, Event, Respond, Text, Think, ToolArgs, ToolCall, WireItem
from mockllm.core.incoming import Incoming
from mockllm.core.request import ChatRequest, Tool, ToolResult
from mockllm.core.said import Said
from mockllm.dialects.base import Dialect, Listing, compact_json, error_as_response, pretty_json, register, whole_answer
from mockllm.dialects.openai import (
    JSON_OBJECT,
    Answer,
    OpenAIChat,
    _tool,
    at_least,
    error_json,
    json_schema_format,
    obfuscation,
    read_body,
    read_tool_choice,
    says_json,
)
from mockllm.stream.call import Call

STORE_LIMIT = 1000
INPUT_ROLES = ("user", "system", "developer", "assistant")
TEXT_PARTS = ("input_text", "output_text", "text")
#: Finish reasons that leave a response `incomplete`, with the `incomplete_details.reason` they give.
CUT_REASONS = {"length": "max_output_tokens", "content_filter": "content_filter"}
#: JSON mode's rule on this route: only the input messages count (not `instructions`).
INPUT_JSON_WORD_RULE = "Response input messages must contain the word 'json' in some form to use 'text.format' of type 'json_object'."
#: The smallest `max_output_tokens` the API accepts.
MIN_OUTPUT_TOKENS = 16
#: Typed top-level request fields: key → (accepted types, what the error message calls them).
_TYPED: Mapping[str, tuple[type | tuple[type, ...], str]] = {
    "model": (str, "a string"),
    "mock_scenario": (str, "a string"),
    "stream": (bool, "a boolean"),
    "stream_options": (dict, "an object"),
    "instructions": (str, "a string"),
    "previous_response_id": (str, "a string"),
    "max_output_tokens": (int, "an integer"),
    "max_tool_calls": (int, "an integer"),
    "top_logprobs": (int, "an integer"),
    "temperature": ((int, float), "a number"),
    "top_p": ((int, float), "a number"),
    "parallel_tool_calls": (bool, "a boolean"),
    "store": (bool, "a boolean"),
    "background": (bool, "a boolean"),
    "metadata": (dict, "an object"),
    "reasoning": (dict, "an object"),
    "text": (dict, "an object"),
    "include": (list, "an array of strings"),
    "truncation": (str, "a string"),
    "service_tier": (str, "a string"),
    "user": (str, "a string"),
    "safety_identifier": (str, "a string"),
    "prompt_cache_key": (str, "a string"),
}


@dataclass(frozen=True)
class Stored:
    """A response this app made, and the request it answered (for `previous_response_id`)."""

    response: dict[str, Any]
    chat: ChatRequest


class ResponseStore:
    """The last `limit` responses one app made, and their output items, by id."""

    def __init__(self, limit: int = STORE_LIMIT) -> None:
        self.limit = limit
        self._responses: OrderedDict[str, Stored] = OrderedDict()
        self._items: dict[str, dict[str, Any]] = {}

    def put(self, response: dict[str, Any], chat: ChatRequest) -> None:
        """Keep a response (replacing one with its id); forget the oldest past the limit."""
        old = self._responses.pop(response["id"], None)
        if old is not None:
            self._forget(old)
        self._responses[response["id"]] = Stored(response, chat)
        self._items.update((item["id"], item) for item in response["output"])
        while len(self._responses) > self.limit:
            self._forget(self._responses.popitem(last=False)[1])

    def get(self, response_id: str | None) -> Stored | None:
        """The stored response with this id, if any."""
        return self._responses.get(response_id) if response_id else None

    def item(self, item_id: str) -> dict[str, Any] | None:
        """The output item with this id of a stored response, if any."""
        return self._items.get(item_id)

    def _forget(self, stored: Stored) -> None:
        for item in stored.response["output"]:
            item_id = item["id"]
            if self._items.get(item_id) is item:
                del self._items[item_id]


# --- reading a request ---------------------------------------------------------------------------


class _Conversation:
    """The neutral conversation of Responses input, built item by item.

    A run of assistant items (messages, function calls, reasoning) is one
    assistant turn, as one Chat message with text and tool calls is.
    """

    def __init__(self) -> None:
        self.messages: list[tuple[str, str]] = []
        self.results: list[ToolResult] = []
        self.names: dict[str, str] = {}
        self.turns = 0
        self._turn: int | None = None  # where the open assistant turn is in `messages`

    def continue_from(self, previous: Stored, store: ResponseStore) -> None:
        """Start from a stored response: its request's conversation, then its output."""
        self.messages = list(previous.chat.messages)
        self.results = list(previous.chat.tool_results)
        self.names = {r.call_id: r.name for r in previous.chat.tool_results if r.call_id and r.name}
        self.turns = previous.chat.assistant_turns
        for item in previous.response["output"]:
            _read_item(item, "previous_response_id", self, store)

    def say(self, role: str, text: str) -> None:
        """A user, system or developer message."""
        self._turn = None
        if role == "user":
            self.results = []
        self.messages.append((role, text))

    def assistant(self, text: str = "") -> None:
        """Assistant output: text joins the open assistant turn, or starts one."""
        if self._turn is None:
            self.turns += 1
            self._turn = len(self.messages)
            self.messages.append(("assistant", ""))
        self.messages[self._turn] = ("assistant", self.messages[self._turn][1] + text)

    def call(self, call_id: str, name: str) -> None:
        """A function call of the assistant: its name is what the tool's result will be known by."""
        self.assistant()
        self.names[call_id] = name

    def result(self, call_id: str, content: str) -> None:
        """A function call's output: a tool result named after the call it answers."""
        self._turn = None
        self.results.append(ToolResult(content, self.names.get(call_id), call_id))
        self.messages.append(("tool", content))

    @property
    def system(self) -> str:
        """The system prompt: instructions, system and developer messages."""
        return "\n".join(text for role, text in self.messages if role in ("system", "developer"))


def read_request(incoming: Incoming, store: ResponseStore) -> ChatRequest:
    """Read a Responses request into the neutral form; raise RequestError (OpenAI's words) when it is malformed."""
    body = read_body(incoming)
    for key, (kind, what) in _TYPED.items():
        _check_type(body, key, kind, what)
    stream = body.get("stream") is True
    if body.get("stream_options") is not None and not stream:
        raise bad_request("The 'stream_options' parameter is only allowed when 'stream' is enabled.", "stream_options")
    conversation = _Conversation()
    previous = store.get(body.get("previous_response_id"))
    if previous is not None:
        conversation.continue_from(previous, store)
    if body.get("instructions"):
        conversation.say("system", body["instructions"])
    instructions = len(conversation.messages)
    _read_input(body.get("input"), conversation, store, chained=body.get("previous_response_id") is not None)
    tools = _read_tools(body.get("tools"))
    response_format = _text_format((body.get("text") or {}).get("format"))
    if response_format == JSON_OBJECT and not says_json(text for _, text in conversation.messages[instructions:]):
        raise bad_request(INPUT_JSON_WORD_RULE, "input")
    return ChatRequest(
        messages=tuple(conversation.messages),
        model=body.get("model"),
        stream=stream,
        scenario=body.get("mock_scenario"),
        body=body,
        system=conversation.system,
        tools=tuple(tools),
        tool_results=tuple(conversation.results),
        assistant_turns=conversation.turns,
        response_format=response_format,
        max_tokens=None if body.get("max_output_tokens") is None else at_least("max_output_tokens", body["max_output_tokens"], MIN_OUTPUT_TOKENS),
        **_read_tool_choice(body.get("tool_choice"), tools),
    )


def _check_type(body: Mapping[str, Any], key: str, kind: type | tuple[type, ...], what: str) -> None:
    value = body.get(key)
    if value is not None and (not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool)):
        raise _invalid_type(key, what, value)


def _invalid_type(param: str, expected: str, value: Any) -> RequestError:
    return bad_request(f"Invalid type for '{param}': expected {expected}, but got {_json_type(value)} instead.", param, code="invalid_type")


def _invalid_value(param: str, value: Any, supported: Sequence[str]) -> RequestError:
    message = f"Invalid value for '{param}': {value!r}. Supported values are: {', '.join(map(repr, supported))}."
    return bad_request(message, param, code="invalid_value")


def _missing(param: str, what: str = "") -> RequestError:
    return bad_request(f"Missing required parameter: '{param}'{what}.", param, code="missing_required_parameter")


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    names: dict[type, str] = {str: "a string", list: "an array", dict: "an object"}
    return names.get(type(value), "null")


def _read_input(value: Any, conversation: _Conversation, store: ResponseStore, chained: bool) -> None:
    if value is None:
        if not chained:
            raise _missing("input")
    elif isinstance(value, str):
        conversation.say("user", value)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _read_item(item, f"input[{i}]", conversation, store)
    else:
        raise _invalid_type("input", "a string or an array of input items", value)


def _read_item(item: Any, where: str, conversation: _Conversation, store: ResponseStore) -> None:
    """Add one input item to the conversation; items of built-in tools are accepted and not read."""
    if not isinstance(item, dict):
        raise _invalid_type(where, "an input item object", item)
    kind = item.get("type", "message" if "role" in item else None)
    if kind == "message":
        role = item.get("role")
        if role not in INPUT_ROLES:
            raise _invalid_value(f"{where}.role", role, INPUT_ROLES)
        text = _content_text(item.get("content"), f"{where}.content")
        if role == "assistant":
            conversation.assistant(text)
        else:
            conversation.say(role, text)
    elif kind == "function_call":
        _string(item, "arguments", where)
        conversation.call(_string(item, "call_id", where), _string(item, "name", where))
    elif kind == "function_call_output":
        conversation.result(_string(item, "call_id", where), _content_text(item.get("output"), f"{where}.output"))
    elif kind == "reasoning":
        conversation.assistant()
    elif kind == "item_reference":
        stored = store.item(_string(item, "id", where))
        if stored is not None:  # an item of a response this server no longer keeps adds nothing
            _read_item(stored, where, conversation, store)
    elif not isinstance(kind, str):
        raise _missing(f"{where}.type")


def _string(item: Mapping[str, Any], key: str, where: str) -> str:
    value = item.get(key)
    if not isinstance(value, str):
        raise _missing(f"{where}.{key}", " (a string)")
    return value


def _content_text(content: Any, where: str) -> str:
    """The text of a message's content (or a tool output): a string, or the text of its text parts."""
    if isinstance(content, str):
        return content
    if not isinstance(content, list) or not all(isinstance(part, dict) for part in content):
        raise _invalid_type(where, "a string or an array of content parts", content)
    texts = []
    for i, part in enumerate(content):
        key = "text" if part.get("type") in TEXT_PARTS else "refusal" if part.get("type") == "refusal" else None
        if key is not None:
            if not isinstance(part.get(key), str):
                raise _missing(f"{where}[{i}].{key}", " (a string)")
            texts.append(part[key])
    return "".join(texts)


def _read_tools(value: Any) -> list[Tool]:
    """The function tools offered (Responses' flat shape); other tool types are accepted and not offered as functions."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise _invalid_type("tools", "an array of tool objects", value)
    tools = []
    for i, entry in enumerate(value):
        where = f"tools[{i}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("type"), str):
            raise bad_request(f"'{where}' must be a tool object with a 'type', such as {{\"type\": \"function\", \"name\": …}}.", where)
        if entry["type"] == "function":
            if not isinstance(entry.get("name"), str) or not entry["name"]:
                raise _missing(f"{where}.name")
            tools.append(_tool(entry, where))
    return tools


def _read_tool_choice(choice: Any, tools: list[Tool]) -> dict[str, Any]:
    """`tool_choice`: a mode, a function (as Chat reads it), `allowed_tools` (its mode), or a built-in tool (required)."""
    kind = choice.get("type") if isinstance(choice, dict) else None
    if kind == "allowed_tools":
        return read_tool_choice(choice.get("mode", "auto"), tools)
    if isinstance(kind, str) and kind != "function":
        return {"tool_choice": "required", "forced_tool": None}
    return read_tool_choice(choice, tools)


def _text_format(value: Any) -> dict[str, Any] | None:
    """`text.format` in the neutral form of `ChatRequest.response_format`; None for plain text."""
    if value is None:
        return None
    kind = value.get("type") if isinstance(value, dict) else None
    if kind == "text":
        return None
    if kind == "json_object":
        return {"type": "json_object"}
    if kind != "json_schema":
        raise _invalid_value("text.format.type", kind, ("text", "json_object", "json_schema"))
    return json_schema_format(value, "text.format")


# --- building a response -------------------------------------------------------------------------


@dataclass
class _Item:
    """One output item as it is built: a `message`, a `reasoning` summary or a `function_call`."""

    kind: str
    id: str
    index: int
    parts: Said = field(default_factory=Said)
    status: str = "in_progress"
    tool: ToolCall | None = None
    call_id: str = ""
    encrypted: str | None = None
    frame: list[str] | None = None  # its delta events' frame, cut where the changing values go

    @property
    def text(self) -> str:
        return self.parts.text

    def json(self) -> dict[str, Any]:
        """The item as `output_item` events and the response's `output` show it now."""
        finished = self.status != "in_progress"
        if self.kind == "message":
            content = [_text_part(self.text)] if finished else []
            return {"id": self.id, "type": "message", "status": self.status, "content": content, "role": "assistant"}
        if self.kind == "reasoning":
            item: dict[str, Any] = {"id": self.id, "type": "reasoning"}
            if self.encrypted is not None:
                item["encrypted_content"] = self.encrypted
            item["summary"] = [_summary_part(self.text)] if finished else []
            return item
        assert self.tool is not None
        arguments = self.text if finished else ""
        return {
            "id": self.id,
            "type": "function_call",
            "status": self.status,
            "arguments": arguments,
            "call_id": self.call_id,
            "name": self.tool.name,
        }


def _text_part(text: str) -> dict[str, Any]:
    return {"type": "output_text", "annotations": [], "logprobs": [], "text": text}


def _summary_part(text: str) -> dict[str, Any]:
    return {"type": "summary_text", "text": text}


class _Build:
    """One response as its events arrive: its output items, its sequence numbers, the frames a stream sends.

    Each method returns the frames of the events it adds (none when not
    `streaming`: a whole answer keeps only `final`).
    """

    def __init__(self, call: Call, streaming: bool = True) -> None:
        self.call = call
        self.streaming = streaming
        body = call.chat.body
        self._ids = random.Random(f"responses:{call.seed}")
        self._shared = self._hex(18)
        self.id = self._new_id("resp")
        self.items: list[_Item] = []
        self.open: _Item | None = None
        self.sequence = 0
        self.answer = Answer()
        self.final: dict[str, Any] | None = None
        self._calls: dict[int, _Item] = {}
        self._padding = obfuscation(call) if streaming else None
        self._encrypt = "reasoning.encrypted_content" in (body.get("include") or ())
        self._template = _response_template(call)

    def start(self) -> list[bytes]:
        """`response.created` and `response.in_progress`."""
        snapshot = self._response("in_progress")
        return [self._event("response.created", response=snapshot), self._event("response.in_progress", response=snapshot)]

    def take(self, event: Event) -> list[bytes]:
        """The events of one model event (a delta, a tool call, a finish or usage)."""
        self.answer.take(event)
        if isinstance(event, Text):
            return self._delta("message", event.text)
        if isinstance(event, Think):
            return self._delta("reasoning", event.text)
        if isinstance(event, ToolCall):
            events = self._close("completed")
            item = self._add("function_call", tool=event, call_id=event.id or self.call.tool_call_id(event.index))
            self._calls[event.index] = item
            return events + [self._added(item)]
        if isinstance(event, ToolArgs):
            item = self._calls[event.index]
            item.parts.append(event.text)
            return [self._delta_event("response.function_call_arguments.delta", item, event.text)]
        return []

    def end(self) -> list[bytes]:
        """Close the open item, then `response.completed` (or `response.incomplete` after a cut)."""
        cut = CUT_REASONS.get(self.answer.finish)
        status = "incomplete" if cut else "completed"
        events = self._close(status)
        incomplete = {"reason": cut} if cut else None
        usage = self._usage_json()
        self.final = self._response(status, usage=usage, incomplete_details=incomplete, completed_at=self._completed_at())
        return events + [self._event(f"response.{status}", response=self.final)]

    def fail(self, error: Error) -> list[bytes]:
        """The `error` event (the error object as the HTTP error body has it), then `response.failed`."""
        if self.open is not None:
            self.open.status = "incomplete"
            self.open = None
        shaped = error_json(error)
        if shaped.get("code") is not None:
            shaped["code"] = str(shaped["code"])  # the service's codes are strings, and clients' schemas say so
        failure = {"code": _failure_code(error), "message": error.message}
        self.final = self._response("failed", error=failure)
        return [self._event("error", error=shaped), self._event("response.failed", response=self.final)]

    def _delta(self, kind: str, text: str) -> list[bytes]:
        events = []
        if self.open is None or self.open.kind != kind:
            events = self._close("completed")
            events += self._opening(self._add(kind))
        item = self.open
        assert item is not None
        item.parts.append(text)
        if kind == "message":
            return events + [self._delta_event("response.output_text.delta", item, text, content_index=0, logprobs=[])]
        return events + [self._delta_event("response.reasoning_summary_text.delta", item, text, summary_index=0)]

    def _delta_event(self, kind: str, item: _Item, text: str, **fields: Any) -> bytes:
        """The frame of a delta of `item`: the text, where it goes, and its padding (the hot path: a template per item)."""
        if not self.streaming:
            return b""
        if item.frame is None:
            slots = {"delta": None, "sequence_number": None, **({"obfuscation": None} if self._padding else {})}
            item.frame = _frame_template(kind, {"item_id": item.id, "output_index": item.index, **fields, **slots})
        padding = ['"' + self._padding.pad(text) + '"'] if self._padding else []
        values = [compact_json(text), *padding, str(self.sequence)]
        self.sequence += 1
        parts = [""] * (2 * len(values) + 1)
        parts[::2], parts[1::2] = item.frame, values  # the static pieces with the values between them
        return "".join(parts).encode()

    def _add(self, kind: str, **fields: Any) -> _Item:
        prefix = {"message": "msg", "reasoning": "rs", "function_call": "fc"}[kind]
        item = _Item(kind, self._new_id(prefix), len(self.items), **fields)
        if kind == "reasoning" and self._encrypt:
            item.encrypted = "gAAAAA" + base64.urlsafe_b64encode(self._ids.randbytes(96)).decode()
        self.items.append(item)
        self.open = item
        return item

    def _added(self, item: _Item) -> bytes:
        return self._event("response.output_item.added", item=item.json(), output_index=item.index)

    def _opening(self, item: _Item) -> list[bytes]:
        """`output_item.added`, and the empty part a message or reasoning summary starts with."""
        added = self._added(item)
        where = {"item_id": item.id, "output_index": item.index}
        if item.kind == "message":
            return [added, self._event("response.content_part.added", content_index=0, part=_text_part(""), **where)]
        return [added, self._event("response.reasoning_summary_part.added", part=_summary_part(""), summary_index=0, **where)]

    def _close(self, status: str) -> list[bytes]:
        """The `done` events of the open item, finished with `status`."""
        item, self.open = self.open, None
        if item is None:
            return []
        item.status = status
        where = {"item_id": item.id, "output_index": item.index}
        if item.kind == "message":
            events = [
                self._event("response.output_text.done", content_index=0, logprobs=[], text=item.text, **where),
                self._event("response.content_part.done", content_index=0, part=_text_part(item.text), **where),
            ]
        elif item.kind == "reasoning":
            events = [
                self._event("response.reasoning_summary_text.done", summary_index=0, text=item.text, **where),
                self._event("response.reasoning_summary_part.done", part=_summary_part(item.text), summary_index=0, **where),
            ]
        else:
            events = [self._event("response.function_call_arguments.done", arguments=item.text, **where)]
        return events + [self._event("response.output_item.done", item=item.json(), output_index=item.index)]

    def _event(self, kind: str, **fields: Any) -> bytes:
        """The frame of one event: `type`, then its fields in key order, with the next sequence number."""
        fields["sequence_number"] = self.sequence
        self.sequence += 1
        if not self.streaming:
            return b""
        event = {"type": kind, **{key: fields[key] for key in sorted(fields)}}
        return ("event: " + kind + "\ndata: " + compact_json(event) + "\n\n").encode()

    def _response(self, status: str, **fields: Any) -> dict[str, Any]:
        """The response object: the request's echoed settings with this status, output and `fields`."""
        done = status != "in_progress"
        tier = self._template["service_tier"]
        return {
            **self._template,
            "id": self.id,
            "status": status,
            "output": [item.json() for item in self.items] if done else [],
            "service_tier": "default" if done and tier == "auto" else tier,  # the tier that served it, once known
            **fields,
        }

    def _usage_json(self) -> dict[str, Any]:
        """Token counts as Chat counts them: a `usage` step's, else the text, reasoning and arguments said."""
        prompt, output, reasoning = self.answer.token_counts(self.call)
        return {
            "input_tokens": prompt,
            "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
            "output_tokens": output,
            "output_tokens_details": {"reasoning_tokens": reasoning},
            "total_tokens": prompt + output,
        }

    def _completed_at(self) -> int:
        return self.call.created if self.call.seeded else int(time.time())

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}_{self._shared}{self._hex(32)}"

    def _hex(self, length: int) -> str:
        return "".join(self._ids.choices("0123456789abcdef", k=length))


def _response_template(call: Call) -> dict[str, Any]:
    """The response object's fields in the service's order, with the request's settings echoed."""
    body = call.chat.body
    reasoning = body.get("reasoning") or {}
    text = body.get("text") or {}
    return {
        "id": "",
        "object": "response",
        "created_at": call.created,
        "status": "in_progress",
        "background": body.get("background") or False,
        "completed_at": None,
        "error": None,
        "frequency_penalty": 0.0,
        "incomplete_details": None,
        "instructions": body.get("instructions"),
        "max_output_tokens": body.get("max_output_tokens"),
        "max_tool_calls": body.get("max_tool_calls"),
        "model": call.model,
        "output": [],
        "parallel_tool_calls": body.get("parallel_tool_calls") is not False,
        "presence_penalty": 0.0,
        "previous_response_id": body.get("previous_response_id"),
        "prompt_cache_key": body.get("prompt_cache_key"),
        "prompt_cache_retention": None,
        "reasoning": {"effort": reasoning.get("effort"), "summary": reasoning.get("summary")},
        "safety_identifier": body.get("safety_identifier"),
        "service_tier": body.get("service_tier") or "auto",
        "store": body.get("store") is not False,
        "temperature": float(_given(body.get("temperature"), 1)),
        "text": {"format": text.get("format") or {"type": "text"}, "verbosity": text.get("verbosity") or "medium"},
        "tool_choice": body.get("tool_choice") or "auto",
        "tools": [_tool_echo(tool) for tool in body.get("tools") or ()],
        "top_logprobs": body.get("top_logprobs") or 0,
        "top_p": float(_given(body.get("top_p"), 1)),
        "truncation": body.get("truncation") or "disabled",
        "usage": None,
        "user": body.get("user"),
        "metadata": body.get("metadata") or {},
    }


def _given(value: Any, default: Any) -> Any:
    return default if value is None else value


def _tool_echo(tool: Mapping[str, Any]) -> Mapping[str, Any]:
    """A tool as the response object echoes it: function tools in the service's key order."""
    if tool.get("type") != "function":
        return tool
    strict = tool.get("strict")
    return {
        "type": "function",
        "description": tool.get("description"),
        "name": tool["name"],
        "parameters": tool.get("parameters") or {},
        "strict": strict if isinstance(strict, bool) else True,
    }


def _failure_code(error: Error) -> str:
    """`response.error.code`: the error's own code, else what the service says for its status."""
    if error.code is not None:
        return str(error.code)
    return "rate_limit_exceeded" if error.status == 429 else "server_error"


def _frame_template(kind: str, fields: Mapping[str, Any]) -> list[str]:
    """An event's frame as the text around its slots (`fields` whose value is None), which follow in key order."""
    pieces = ["event: " + kind + '\ndata: {"type":' + compact_json(kind)]
    for key in sorted(fields):
        pieces[-1] += "," + compact_json(key) + ":"
        if fields[key] is None:
            pieces.append("")
        else:
            pieces[-1] += compact_json(fields[key])
    pieces[-1] += "}\n\n"
    return pieces


# --- the dialect ---------------------------------------------------------------------------------


@register
class OpenAIResponses(Dialect):
    """OpenAI Responses events, byte for byte; each app keeps its recent responses for retrieval and chaining."""

    name = "openai_responses"
    routes = ("POST /v1/responses",)

    def __init__(self, store: ResponseStore | None = None) -> None:
        self.store = store or ResponseStore()

    def for_app(self) -> OpenAIResponses:
        return OpenAIResponses()

    def parse(self, incoming: Incoming) -> ChatRequest:
        return read_request(incoming, self.store)

    def stream(self, events: Iterable[Event], call: Call) -> Iterator[WireItem]:
        """Frame the events; `response.created` goes out before the wait for the first output, as the service sends it.

        The waits before the first output are held until the next event shows
        whether the stream starts or an HTTP error answers instead.
        """
        build = _Build(call)
        started = False
        held: list[Delay] = []
        for event in events:
            if isinstance(event, Delay):
                if started:
                    yield event
                else:
                    held.append(event)
                continue
            if isinstance(event, Error) and error_as_response(event, started):
                yield from held
                yield self.error_response(event)
                return
            if not started:
                started = True
                yield from self._start(build, held)
            if isinstance(event, Error):
                yield from build.fail(event)
                self._keep(build, call)
                return
            yield from build.take(event)
        if not started:
            yield from self._start(build, held)
        yield from build.end()
        self._keep(build, call)

    def _start(self, build: _Build, held: list[Delay]) -> Iterator[WireItem]:
        yield from build.start()
        yield from held

    def whole(self, events: Iterable[Event], call: Call) -> Iterator[WireItem]:
        build = _Build(call, streaming=False)
        if (yield from whole_answer(events, build.take, self.error_response)):
            build.end()
            self._keep(build, call)
            yield Respond(200, pretty_json(build.final))

    def error_response(self, error: Error) -> Respond:
        return OpenAIChat().error_response(error)

    def headers(self, call: Call) -> dict[str, str]:
        return OpenAIChat().headers(call)

    def listings(self) -> Mapping[str, Listing]:
        return {"/v1/responses/{response_id}": self.retrieve}

    def retrieve(self, names: Sequence[str], params: Mapping[str, str]) -> Respond:
        """`GET /v1/responses/{response_id}`: a stored response; 404 in OpenAI's shape for one this app does not keep."""
        stored = self.store.get(params["response_id"])
        if stored is None:
            message = f"Response with id '{params['response_id']}' not found."
            return self.error_response(Error(message, status=404, type="invalid_request_error"))
        return Respond(200, pretty_json(stored.response))

    def _keep(self, build: _Build, call: Call) -> None:
        if build.final is not None and call.chat.body.get("store") is not False:
            self.store.put(build.final, call.chat)
