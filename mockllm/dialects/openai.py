"""OpenAI Chat Completions: `POST /v1/chat/completions` (and `GET` for EventSource), streamed and whole."""

from __future__ import annotations

import json
import random
import re
import string
from abc import abstractmethod
from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar, Iterable, Iterator, Mapping, Sequence

from mockllm.core import tokens
from mockllm.core.errors import bad_request
from mockllm.core.events import Delay, Error, Event, Finish, Respond, Text, Think, ToolArgs, ToolCall, Usage, WireItem
from mockllm.core.incoming import Incoming
from mockllm.core.request import ChatRequest, Tool, ToolResult
from mockllm.core.said import Said
from mockllm.dialects.base import Dialect, Listing, compact_json, error_as_response, pretty_json, register, whole_answer
from mockllm.stream.call import FIXED_CREATED, Call
from mockllm.stream.transforms.structured import schema_problem

ROLES = ("system", "developer", "user", "assistant", "tool", "function")
ERROR_TYPES = {
    400: "invalid_request_error",
    401: "invalid_request_error",
    403: "permission_error",
    404: "invalid_request_error",
    409: "conflict_error",
    413: "invalid_request_error",
    422: "invalid_request_error",
    429: "rate_limit_error",
}
DONE = b"data: [DONE]\n\n"
ROLE_DELTA: Mapping[str, Any] = {"role": "assistant", "content": "", "refusal": None}
_FORMAT_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")


def read_messages(value: Any, param: str = "messages") -> tuple[tuple[str, str], ...]:
    """Read OpenAI-style messages as (role, text) pairs; raise RequestError when malformed."""
    if not isinstance(value, list) or not value:
        raise bad_request(f"'{param}' must be a non-empty array of message objects.", param)
    out = []
    for i, message in enumerate(value):
        where = f"{param}[{i}]"
        if not isinstance(message, dict):
            raise bad_request(f"'{where}' must be an object with 'role' and 'content'.", where)
        role = message.get("role")
        if role not in ROLES:
            raise bad_request(f"'{where}.role' must be one of {', '.join(ROLES)}; got {role!r}.", f"{where}.role")
        if role == "assistant":
            _check_tool_calls(message.get("tool_calls"), f"{where}.tool_calls")
        out.append((role, _content_text(message.get("content"), f"{where}.content")))
    return tuple(out)


def _check_tool_calls(value: Any, where: str) -> None:
    """An assistant message's `tool_calls`: absent, or an array of calls naming their function."""
    if value is None:
        return
    if not isinstance(value, list):
        raise bad_request(f"'{where}' must be an array of tool calls.", where)
    for i, call in enumerate(value):
        function = call.get("function") if isinstance(call, dict) else None
        if not isinstance(function, dict) or not isinstance(function.get("name"), str):
            shape = '{"id": ..., "type": "function", "function": {"name": ..., "arguments": ...}}'
            raise bad_request(f"'{where}[{i}]' must be {shape}.", f"{where}[{i}]")


def conversation_fields(messages: list[Any], roles: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    """The neutral conversation fields of validated OpenAI-style `messages` (see `ChatRequest`)."""
    names: dict[str, str] = {}
    results: list[ToolResult] = []
    for message in messages:
        role = message.get("role")
        if role == "user":
            results = []
        elif role == "assistant":
            for tool_call in message.get("tool_calls") or ():
                if isinstance(tool_call, dict) and isinstance(tool_call.get("function"), dict):
                    names[str(tool_call.get("id"))] = str(tool_call["function"].get("name"))
        elif role in ("tool", "function"):
            call_id = message.get("tool_call_id")
            name = message.get("name") if role == "function" else names.get(str(call_id))
            results.append(ToolResult(_content_text(message.get("content"), "content"), name, call_id))
    return {
        "system": "\n".join(text for role, text in roles if role in ("system", "developer")),
        "tool_results": tuple(results),
        "assistant_turns": sum(1 for role, _ in roles if role == "assistant"),
    }


def read_tools(body: dict[str, Any]) -> dict[str, Any]:
    """Read `tools` and `tool_choice` (Chat Completions shape); raise RequestError when malformed."""
    raw = body.get("tools")
    if raw is None:
        raw = []
    if not isinstance(raw, list):
        raise bad_request("'tools' must be an array of tool objects.", "tools")
    tools = []
    for i, entry in enumerate(raw):
        function = entry.get("function") if isinstance(entry, dict) else None
        if not isinstance(function, dict) or not isinstance(function.get("name"), str) or not function["name"]:
            raise bad_request(f"'tools[{i}]' must be {{\"type\": \"function\", \"function\": {{\"name\": ...}}}}.", f"tools[{i}]")
        tools.append(_tool(function, f"tools[{i}].function"))
    return {"tools": tuple(tools), **read_tool_choice(body.get("tool_choice"), tools)}


def _tool(function: dict[str, Any], where: str) -> Tool:
    parameters = function.get("parameters")
    if parameters is None:
        parameters = {}
    if not isinstance(parameters, dict):
        raise bad_request(f"'{where}.parameters' must be a JSON Schema object.", f"{where}.parameters")
    description = function.get("description")
    return Tool(function["name"], description if isinstance(description, str) else "", parameters)


def read_tool_choice(choice: Any, tools: list[Tool]) -> dict[str, Any]:
    """Read `tool_choice`: a mode string, or an object forcing one offered tool (Chat or Responses shape)."""
    if choice is None:
        return {"tool_choice": None, "forced_tool": None}
    if choice in ("none", "auto", "required"):
        return {"tool_choice": choice, "forced_tool": None}
    name = None
    if isinstance(choice, dict):
        function = choice.get("function")
        name = function.get("name") if isinstance(function, dict) else choice.get("name")
    if not isinstance(name, str):
        raise bad_request("'tool_choice' must be 'none', 'auto', 'required' or {\"type\": \"function\", \"function\": {\"name\": ...}}.", "tool_choice")
    if not any(tool.name == name for tool in tools):
        offered = ", ".join(tool.name for tool in tools) or "none"
        raise bad_request(f"Tool choice '{name}' is not one of the tools offered in 'tools' ({offered}).", "tool_choice")
    return {"tool_choice": "required", "forced_tool": name}


def query_body(query: Mapping[str, str]) -> dict[str, Any]:
    """A streamed chat request from a GET query, for the browser's EventSource.

    `messages` is a JSON array; else `prompt` (or `q`, `message`) is one user
    message. `model` and `mock_scenario` as in the body; `include_usage=true`.
    """
    raw = query.get("messages")
    if raw:
        try:
            messages = json.loads(raw)
        except ValueError:
            raise bad_request("'?messages=' must be a JSON array of message objects.", "messages") from None
    else:
        prompt = next((query[key] for key in ("prompt", "q", "message") if query.get(key)), None)
        if prompt is None:
            raise bad_request("A GET request streams the prompt in the query: ?prompt=… (or ?messages=[…] as JSON).", "prompt")
        messages = [{"role": "user", "content": prompt}]
    body: dict[str, Any] = {"messages": messages, "stream": True}
    body.update({key: query[key] for key in ("model", "mock_scenario") if query.get(key)})
    if query.get("include_usage", "").lower() in ("1", "true"):
        body["stream_options"] = {"include_usage": True}
    return body


def _content_text(content: Any, where: str) -> str:
    if content is None or isinstance(content, str):
        return content or ""
    if isinstance(content, list) and all(isinstance(part, dict) for part in content):
        return "".join(p["text"] for p in content if p.get("type") == "text" and isinstance(p.get("text"), str))
    raise bad_request(f"'{where}' must be a string or an array of content parts.", where)


def optional(body: Mapping[str, Any], key: str, kind: type | tuple[type, ...], what: str) -> Any:
    """`body[key]` when present and of `kind` (a bool is not an int), else None; raise RequestError for a wrong type."""
    value = body.get(key)
    if value is not None and (not isinstance(value, kind) or (kind is int and isinstance(value, bool))):
        raise bad_request(f"'{key}' must be {what}; got {type(value).__name__}.", key)
    return value


def read_texts(value: Any) -> tuple[str, ...] | None:
    """The texts of a `prompt` or `input` value, or None when it is not one of OpenAI's shapes.

    The shapes: a string, an array of strings, an array of tokens, an array of
    token arrays. mockllm has no tokenizer: tokens read as their numbers joined by spaces.
    """
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not value:
        return None
    if all(isinstance(item, str) for item in value):
        return tuple(value)
    if _is_tokens(value):
        return (" ".join(map(str, value)),)
    if all(isinstance(item, list) and _is_tokens(item) for item in value):
        return tuple(" ".join(map(str, item)) for item in value)
    return None


def _is_tokens(value: list[Any]) -> bool:
    return bool(value) and all(isinstance(t, int) and not isinstance(t, bool) and t >= 0 for t in value)


def read_body(incoming: Incoming) -> dict[str, Any]:
    """The request's JSON object body; raise RequestError (in OpenAI's words) when it is not one."""
    body = incoming.json
    if not isinstance(body, dict):
        detail = incoming.json_error or "the body is not a JSON object"
        raise bad_request(
            f"We could not parse the JSON body of your request ({detail}). "
            "Send a JSON object with Content-Type: application/json."
        )
    return body


JSON_OBJECT: Mapping[str, Any] = {"type": "json_object"}
#: OpenAI's answer to JSON mode when no message says "json" (a model told nothing could stream whitespace forever).
JSON_WORD_RULE = "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'."


def says_json(texts: Iterable[str]) -> bool:
    """Whether one of the texts holds the word "json" in some form (any case, inside another word too), as JSON mode requires."""
    return any("json" in text.lower() for text in texts)


def read_response_format(value: Any, param: str = "response_format") -> dict[str, Any] | None:
    """Read Chat's `response_format` into the neutral form (see `ChatRequest.response_format`); None for text."""
    if value is None:
        return None
    kind = value.get("type") if isinstance(value, dict) else None
    if kind == "text":
        return None
    if kind == "json_object":
        return {"type": "json_object"}
    if kind != "json_schema":
        raise bad_request(f"'{param}.type' must be one of 'text', 'json_object' or 'json_schema'; got {kind!r}.", f"{param}.type")
    spec = value.get("json_schema")
    if not isinstance(spec, dict):
        raise bad_request(f"Missing required parameter: '{param}.json_schema'.", f"{param}.json_schema", code="missing_required_parameter")
    return json_schema_format(spec, f"{param}.json_schema")


def json_schema_format(spec: Mapping[str, Any], param: str) -> dict[str, Any]:
    """Check a `json_schema` format's `name`, `schema` and `strict` (Chat's `json_schema` object, Responses' `text.format`)."""
    name = spec.get("name")
    if not isinstance(name, str) or not _FORMAT_NAME.fullmatch(name):
        raise bad_request(
            f"Invalid '{param}.name': {name!r}. It must be 1 to 64 letters, digits, underscores or dashes.", f"{param}.name"
        )
    strict = optional(spec, "strict", bool, "a boolean") or False
    schema = spec.get("schema", {})
    problem = schema_problem(schema)
    if problem:
        raise bad_request(f"Invalid schema for response_format '{name}': {problem}", f"{param}.schema", code="invalid_json_schema")
    return {"type": "json_schema", "name": name, "schema": schema, "strict": strict}


@dataclass
class Answer:
    """What has been said so far, for usage counts and the whole answer."""

    content: Said = field(default_factory=Said)
    reasoning: Said = field(default_factory=Said)
    tool_calls: list[ToolCall] = field(default_factory=list)
    finish: str = "stop"
    usage: Usage = field(default_factory=Usage)

    def take(self, event: Event) -> None:
        if isinstance(event, Text):
            self.content.append(event.text)
        elif isinstance(event, Think):
            self.reasoning.append(event.text)
        elif isinstance(event, ToolCall):
            self.tool_calls.append(event)
        elif isinstance(event, Finish):
            self.finish = event.reason
        elif isinstance(event, Usage):
            self.usage = event

    def token_counts(self, call: Call, prompt_tokens: int | None = None) -> tuple[int, int, int]:
        """Prompt, completion and reasoning tokens: the scenario's `usage` where it gives them, else counted.

        `prompt_tokens` replaces the count of the conversation (a route without messages counts its own input).
        """
        prompt = self.usage.prompt_tokens
        if prompt is None:
            prompt = call.chat.prompt_tokens if prompt_tokens is None else prompt_tokens
        reasoning = self.reasoning.tokens()  # counted per delta, and only when asked for
        completion = self.usage.completion_tokens
        if completion is None:
            completion = self.content.tokens() + reasoning + sum(tokens.count(c.arguments) for c in self.tool_calls)
        return prompt, completion, reasoning

    def usage_json(self, call: Call) -> dict[str, Any]:
        """Chat's `usage` object."""
        prompt, completion, reasoning = self.token_counts(call)
        return {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {
                "reasoning_tokens": reasoning,
                "audio_tokens": 0,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0,
            },
        }


class OpenAIDialect(Dialect):
    """What every OpenAI route shares: the error body and the response headers."""

    def error_response(self, error: Error) -> Respond:
        body = pretty_json({"error": error_json(error)}, indent=4)
        return Respond(error.status, body, headers=error.headers, chunked=error.delivery == "chunked")

    def whole(self, events: Iterable[Event], call: Call) -> Iterator[WireItem]:
        answer = Answer()
        if (yield from whole_answer(events, answer.take, self.error_response)):
            yield Respond(200, self.encode_body(self.whole_body(answer, call)))

    @abstractmethod
    def whole_body(self, answer: Answer, call: Call) -> dict[str, Any]:
        """The response object of a complete answer."""

    def encode_body(self, body: Mapping[str, Any]) -> bytes:
        """A whole answer's bytes."""
        return pretty_json(body)

    def headers(self, call: Call) -> dict[str, str]:
        return {"x-request-id": f"req_{call.id[:24].lower()}", "openai-version": "2020-10-01"}


def read_chat(incoming: Incoming, model: str | None = None) -> ChatRequest:
    """Read a Chat Completions body (a GET's query, for EventSource); `model` (an Azure deployment) replaces the body's model."""
    body = query_body(incoming.query) if incoming.method == "GET" else read_body(incoming)
    stream, include_usage = read_stream(body)
    n = optional(body, "n", int, "an integer")
    if n not in (None, 1):
        raise bad_request("mockllm answers with one choice; 'n' must be 1.", "n")
    messages = read_messages(body.get("messages"))
    response_format = read_response_format(body.get("response_format"))
    if response_format == JSON_OBJECT and not says_json(text for _, text in messages):
        raise bad_request(JSON_WORD_RULE, "messages")
    return ChatRequest(
        messages=messages,
        model=model or optional(body, "model", str, "a string"),
        stream=stream,
        include_usage=include_usage,
        scenario=optional(body, "mock_scenario", str, "a string"),
        body=body,
        response_format=response_format,
        max_tokens=read_max_tokens(body),
        **conversation_fields(body["messages"], messages),
        **read_tools(body),
    )


def read_max_tokens(body: Mapping[str, Any]) -> int | None:
    """The output-token limit: `max_completion_tokens`, else the older `max_tokens` (each at least 1)."""
    for key in ("max_completion_tokens", "max_tokens"):
        value = optional(body, key, int, "an integer")
        if value is not None:
            return at_least(key, value, 1)
    return None


def at_least(param: str, value: int, low: int) -> int:
    """`value`, or a RequestError in OpenAI's words when it is below `low`."""
    if value < low:
        message = f"Invalid '{param}': integer below minimum value. Expected a value >= {low}, but got {value} instead."
        raise bad_request(message, param, code="integer_below_min_value")
    return value


def read_stream(body: Mapping[str, Any]) -> tuple[bool, bool]:
    """`stream` and `stream_options.include_usage` (only allowed with `stream`)."""
    stream = optional(body, "stream", bool, "a boolean") or False
    options = optional(body, "stream_options", dict, "an object")
    if options is not None and not stream:
        raise bad_request("The 'stream_options' parameter is only allowed when 'stream' is enabled.", "stream_options")
    return stream, optional(options or {}, "include_usage", bool, "a boolean") or False


@register
class OpenAIChat(OpenAIDialect):
    """OpenAI Chat Completions chunks, byte for byte."""

    name = "openai"
    provider = "OpenAI"
    routes: ClassVar[tuple[str, ...]] = ("POST /v1/chat/completions", "GET /v1/chat/completions")

    def parse(self, incoming: Incoming) -> ChatRequest:
        return read_chat(incoming)

    def framer(self, call: Call) -> ChunkFramer:
        """The chunk builder of one stream."""
        return ChunkFramer(call)

    def stream(self, events: Iterable[Event], call: Call) -> Iterator[WireItem]:
        frame = self.framer(call)
        return opened(self._chunks(events, call, frame), frame.opening)

    def _chunks(self, events: Iterable[Event], call: Call, frame: ChunkFramer) -> Iterator[WireItem]:
        answer = Answer()
        started = False
        for event in events:
            if isinstance(event, Delay):
                yield event
                continue
            if isinstance(event, Error):
                yield self.error_response(event) if error_as_response(event, started) else frame.error(event)
                return
            answer.take(event)
            if isinstance(event, ToolCall):
                head = _tool_head(event, call)
                yield frame.delta({"tool_calls": [head]} if started else {"role": "assistant", "content": None, "tool_calls": [head], "refusal": None})
                started = True
            elif isinstance(event, ToolArgs):
                yield frame.delta({"tool_calls": [{"index": event.index, "function": {"arguments": event.text}}]})
            elif isinstance(event, (Text, Think)):
                if not started:
                    started = True
                    yield frame.delta(ROLE_DELTA)
                yield frame.content(event.text) if isinstance(event, Text) else frame.delta({"content": None, "reasoning_content": event.text})
        if not started:
            yield frame.delta(ROLE_DELTA)
        yield frame.finish(answer.finish)
        if call.chat.include_usage:
            yield frame.usage(answer.usage_json(call))
        yield DONE

    def whole_body(self, answer: Answer, call: Call) -> dict[str, Any]:
        """The `chat.completion` object of a complete answer."""
        content = answer.content.text if answer.content or not answer.tool_calls else None
        message: dict[str, Any] = {"role": "assistant", "content": content}
        if answer.tool_calls:
            message["tool_calls"] = [_tool_call_json(c, call) for c in answer.tool_calls]
        message["refusal"] = None
        if answer.reasoning:
            message["reasoning_content"] = answer.reasoning.text
        message["annotations"] = []
        return {
            "id": f"chatcmpl-{call.id}",
            "object": "chat.completion",
            "created": call.created,
            "model": call.model,
            "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": answer.finish}],
            "usage": answer.usage_json(call),
            "service_tier": "default",
            "system_fingerprint": call.fingerprint,
        }

    def listings(self) -> Mapping[str, Listing]:
        return {"/v1/models": list_models, "/v1/models/{model}": get_model}


def list_models(names: Sequence[str], params: Mapping[str, str]) -> Respond:
    """`GET /v1/models`: one model per scenario."""
    return Respond(200, pretty_json({"object": "list", "data": [_model(name) for name in names]}))


def get_model(names: Sequence[str], params: Mapping[str, str]) -> Respond:
    """`GET /v1/models/{model}`: one model by id; 404 in OpenAI's shape when no scenario has that name."""
    name = params["model"]
    if name not in names:
        message = f"The model '{name}' does not exist. Models here are scenario names: GET /v1/models."
        return OpenAIChat().error_response(Error(message, status=404, code="model_not_found"))
    return Respond(200, pretty_json(_model(name)))


def _model(name: str) -> dict[str, Any]:
    return {"id": name, "object": "model", "created": FIXED_CREATED, "owned_by": "mockllm"}


def _tool_head(event: ToolCall, call: Call) -> dict[str, Any]:
    """The first delta of a streamed tool call: index, id, type, name and empty arguments."""
    head = {"index": event.index, "id": event.id or call.tool_call_id(event.index), "type": "function"}
    return {**head, "function": {"name": event.name, "arguments": ""}}


def _tool_call_json(event: ToolCall, call: Call) -> dict[str, Any]:
    function = {"name": event.name, "arguments": event.arguments}
    return {"id": event.id or call.tool_call_id(event.index), "type": "function", "function": function}


def error_json(error: Error) -> dict[str, Any]:
    kind = error.type or ERROR_TYPES.get(error.status, "server_error" if error.status >= 500 else "invalid_request_error")
    return {"message": error.message, "type": kind, "param": error.param, "code": error.code, **dict(error.extra)}


def opened(items: Iterable[WireItem], opening: Callable[[], Iterator[bytes]]) -> Iterator[WireItem]:
    """The items with the stream's opening frames just before its first bytes (an error before them stays an HTTP error)."""
    started = False
    for item in items:
        if isinstance(item, bytes) and not started:
            started = True
            yield from opening()
        yield item


#: Delta and obfuscation together are padded to a multiple of this many characters.
OBFUSCATION_BLOCK = 16
#: Paddings are cut from a seeded pool of random letters and digits this long, drawn once per stream.
PADDING_POOL = 1024
_ALNUM = string.ascii_letters + string.digits


class Obfuscation:
    """The `obfuscation` field of OpenAI's stream deltas: random letters and digits that pad a delta up to a block.

    The service adds it so a frame's size does not give its text away; here
    it is drawn from the seed, so the same request streams the same bytes.
    """

    def __init__(self, call: Call) -> None:
        self._rng = random.Random(f"obfuscation:{call.seed}")
        self._pool = "".join(self._rng.choices(_ALNUM, k=PADDING_POOL))

    def pad(self, delta: str) -> str:
        """The padding of a delta whose text (or JSON) is `delta`."""
        length = -len(delta) % OBFUSCATION_BLOCK or OBFUSCATION_BLOCK
        at = int(self._rng.random() * (PADDING_POOL - OBFUSCATION_BLOCK))
        return self._pool[at : at + length]


def obfuscation(call: Call) -> Obfuscation | None:
    """The stream's padding, or None when the request turns it off (`stream_options.include_obfuscation: false`)."""
    options = call.chat.body.get("stream_options")
    return None if isinstance(options, dict) and options.get("include_obfuscation") is False else Obfuscation(call)


class ChunkFramer:
    """Builds `data: {chunk}\\n\\n` frames from a per-stream prefix, so each delta costs one encode and one join."""

    def __init__(self, call: Call, padded: bool = True) -> None:
        head = {
            "id": f"chatcmpl-{call.id}",
            "object": "chat.completion.chunk",
            "created": call.created,
            "model": call.model,
            "service_tier": "default",
            "system_fingerprint": call.fingerprint,
        }
        self._head = compact_json(head)[:-1]
        self._prefix = "data: " + self._head + ',"choices":[{"index":0,"delta":'
        self._usage_null = ',"usage":null' if call.chat.include_usage else ""
        self._padding = obfuscation(call) if padded else None

    def opening(self) -> Iterator[bytes]:
        """Frames sent before any delta (none here)."""
        return iter(())

    def delta(self, delta: Mapping[str, Any]) -> bytes:
        """A chunk of one delta."""
        delta_json = compact_json(delta)
        return self._delta_chunk(delta_json, delta_json)

    def content(self, text: str) -> bytes:
        """A chunk of answer text (the hot path: no dict to encode)."""
        return self._delta_chunk('{"content":' + compact_json(text) + "}", text)

    def _delta_chunk(self, delta_json: str, padded: str) -> bytes:
        return (self._prefix + delta_json + ',"logprobs":null,"finish_reason":null}]' + self._usage_null + self._obfuscation(padded) + "}\n\n").encode()

    def finish(self, reason: str) -> bytes:
        tail = "}]" + self._usage_null + self._obfuscation(reason)
        return (self._prefix + '{},"logprobs":null,"finish_reason":' + compact_json(reason) + tail + "}\n\n").encode()

    def usage(self, usage: dict[str, Any]) -> bytes:
        usage_json = compact_json(usage)
        return ("data: " + self._head + ',"choices":[],"usage":' + usage_json + self._obfuscation(usage_json) + "}\n\n").encode()

    def _obfuscation(self, padded: str) -> str:
        """The chunk's last field: `,"obfuscation":"…"` (nothing when the request turned it off)."""
        return ',"obfuscation":"' + self._padding.pad(padded) + '"' if self._padding else ""

    def error(self, error: Error) -> bytes:
        return ("data: " + compact_json({"error": error_json(error)}) + "\n\n").encode()
