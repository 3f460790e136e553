"""AWS Bedrock Runtime: Converse and ConverseStream, and InvokeModel (with response stream) for Anthropic models.

    POST /model/{modelId}/converse                       whole Converse answer (JSON)
    POST /model/{modelId}/converse-stream                Converse events, AWS event-stream framed
    POST /model/{modelId}/invoke                         an Anthropic Messages body, whole
    POST /model/{modelId}/invoke-with-response-stream    Anthropic's events, base64 in `chunk` events

The model id in the path selects a scenario as a model name does; clients
URL-encode it (`us.anthropic.claude-…-v1%3A0`, ARNs with `%2F`), and it is
read decoded. A streamed body is binary event-stream messages (see
`mockllm.core.eventstream`), each JSON payload padded with a `"p"` field as
Bedrock pads them. Errors are `{"message": …}` with the exception's name in
`x-amzn-ErrorType`; after the first byte an error is an exception message
(`modelStreamErrorException`, `throttlingException`, …), on which boto3
raises `EventStreamError` and the AI SDK reports an error part.

The invoke routes carry Anthropic Messages: the request is read, and the
answer written, by the Anthropic dialect; this module only moves its events
into Bedrock's envelope.
"""

from __future__ import annotations

import base64
import json
import random
import uuid
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar, Iterable, Iterator

from mockllm.core import eventstream, tokens
from mockllm.core.errors import RequestError
from mockllm.core.events import Delay, Error, Event, Finish, Respond, Text, Think, ToolArgs, ToolCall, Usage, WireItem
from mockllm.core.incoming import Incoming
from mockllm.core.request import ChatRequest, Tool, ToolResult
from mockllm.core.said import Said
from mockllm.dialects.anthropic import AnthropicMessages, read_request, signature
from mockllm.dialects.base import Dialect, compact_json, error_as_response, register
from mockllm.stream.call import Call

PROVIDER = "Bedrock"
JSON_TYPE = "application/json"
_PADDING = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
STOP_REASONS = {"stop": "end_turn", "length": "max_tokens", "tool_calls": "tool_use", "content_filter": "content_filtered"}
#: HTTP status → the exception Bedrock names in `x-amzn-ErrorType` (the service model's `httpStatusCode`s).
EXCEPTIONS = {
    400: "ValidationException",
    403: "AccessDeniedException",
    404: "ResourceNotFoundException",
    408: "ModelTimeoutException",
    424: "ModelErrorException",
    429: "ThrottlingException",
    500: "InternalServerException",
    503: "ServiceUnavailableException",
}
#: Exceptions AWS's front door answers before Bedrock sees the request (a bad key or signature).
SERVICE_EXCEPTIONS = frozenset({"UnrecognizedClientException", "InvalidSignatureException", "ExpiredTokenException"})
KNOWN = frozenset(EXCEPTIONS.values()) | SERVICE_EXCEPTIONS | {"ModelNotReadyException", "ServiceQuotaExceededException", "ModelStreamErrorException"}
#: The exceptions a stream may end with (others become a `modelStreamErrorException` carrying the original status).
STREAM_EXCEPTIONS = frozenset(
    {"InternalServerException", "ModelStreamErrorException", "ValidationException", "ThrottlingException", "ServiceUnavailableException"}
)
#: `invoke-with-response-stream` also ends with a `modelTimeoutException`.
INVOKE_STREAM_EXCEPTIONS = STREAM_EXCEPTIONS | {"ModelTimeoutException"}
#: What follows the exception's name in `x-amzn-ErrorType`: Bedrock's namespace, or the AWS front door's.
ERROR_TYPE_SUFFIX = ":http://internal.amazon.com/coral/com.amazon.bedrock/"
SERVICE_SUFFIX = ":http://internal.amazon.com/coral/com.amazon.coral.service/"
ROLES = ("user", "assistant")
TOOL_CHOICES = {"auto": "auto", "any": "required", "tool": "required"}


def exception_name(error: Error) -> str:
    """The exception Bedrock answers `error` with: the one it names, else its status's."""
    if error.type in KNOWN:
        return error.type
    return EXCEPTIONS.get(error.status) or ("InternalServerException" if error.status >= 500 else "ValidationException")


def request_id(call: Call | None) -> str:
    """The `x-amzn-RequestId`, a UUID: derived from the seed, random without a call."""
    if call is None:
        return str(uuid.uuid4())
    return str(uuid.UUID(int=random.Random(f"request:{call.seed}").getrandbits(128), version=4))


def error_response(error: Error, call: Call | None = None) -> Respond:
    """An error as Bedrock answers it: `{"message": …}`, the exception named in `x-amzn-ErrorType`."""
    error = error.sent_by(PROVIDER)
    name = exception_name(error)
    suffix = SERVICE_SUFFIX if name in SERVICE_EXCEPTIONS else ERROR_TYPE_SUFFIX
    headers = (("x-amzn-ErrorType", name + suffix), ("x-amzn-RequestId", request_id(call)), *error.headers)
    body = compact_json({"message": error.message, **dict(error.extra)}).encode()
    return Respond(error.status, body, content_type=JSON_TYPE, headers=headers, chunked=error.delivery == "chunked")


def exception_message(error: Error, allowed: frozenset[str]) -> bytes:
    """An error after the first byte: an exception message, `modelStreamErrorException` for one the stream cannot name."""
    error = error.sent_by(PROVIDER)
    name = exception_name(error)
    payload: dict[str, Any] = {"message": error.message}
    if name not in allowed or name == "ModelStreamErrorException":
        name = "ModelStreamErrorException"
        payload = {"message": error.message, "originalMessage": error.message, "originalStatusCode": error.status}
    event_name = name[0].lower() + name[1:]
    return eventstream.exception(event_name, compact_json({**payload, **dict(error.extra)}).encode())


class _Bedrock(Dialect):
    """What the Bedrock routes share: the path's model id, the error shape, the request id and the stream's content type."""

    provider = PROVIDER
    content_type = eventstream.CONTENT_TYPE
    heartbeat = None  # the framing has no comment or keep-alive message
    error_prefixes = ("/model",)

    def error_response(self, error: Error) -> Respond:
        return error_response(error)

    def headers(self, call: Call) -> dict[str, str]:
        return {"x-amzn-RequestId": request_id(call)}


def _padding(rng: random.Random) -> str:
    """The `p` field Bedrock pads each event with: the start of `a…z A…Z 0…9`, of a random length."""
    return _PADDING[: rng.randint(1, len(_PADDING) - 4)]


# ---------------------------------------------------------------- Converse: requests


def invalid(message: str) -> RequestError:
    """A ValidationException (400)."""
    return RequestError(Error(message, status=400, type="ValidationException"))


def malformed(problem: str) -> RequestError:
    """A body Bedrock cannot read: `Malformed input request: …, please reformat your input and try again.`"""
    return invalid(f"Malformed input request: {problem}, please reformat your input and try again.")


def _constraint(value: Any, where: str, what: str) -> RequestError:
    """A validation error worded as AWS words them."""
    return invalid(f"1 validation error detected: Value '{value}' at '{where}' failed to satisfy constraint: {what}")


def read_converse(incoming: Incoming, stream: bool) -> ChatRequest:
    """Read a Converse request (model id from the path) into the neutral `ChatRequest`."""
    body = incoming.json
    if not isinstance(body, dict):
        raise malformed(incoming.json_error or "the body is not a JSON object")
    system = _system(body.get("system"))
    tools, choice = _tools(body.get("toolConfig"))
    scenario = body.get("mock_scenario")
    return ChatRequest(
        model=incoming.match_info["modelId"],
        stream=stream,
        scenario=scenario if isinstance(scenario, str) else None,
        body=body,
        system=system,
        tools=tools,
        **choice,
        **_conversation(body.get("messages"), system),
    )


def _system(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, list) or not all(isinstance(block, dict) for block in value):
        raise malformed("system must be a list of content blocks")
    return "\n".join(block["text"] for block in value if isinstance(block.get("text"), str))


def _content(message: Any, i: int) -> list[dict[str, Any]]:
    if not isinstance(message, dict):
        raise malformed(f"messages[{i}] must be an object with role and content")
    role = message.get("role")
    if role not in ROLES:
        raise _constraint(role, f"messages.{i + 1}.member.role", "Member must satisfy enum value set: [user, assistant]")
    content = message.get("content")
    if not isinstance(content, list) or not all(isinstance(block, dict) for block in content):
        raise _constraint(content, f"messages.{i + 1}.member.content", "Member must not be null")
    return content


def _conversation(value: Any, system: str) -> dict[str, Any]:
    """The neutral conversation of `messages`: text, tool uses (for the names of results) and tool results."""
    if not isinstance(value, list) or not value:
        raise invalid("A conversation must start with a user message. Try again with a conversation that starts with a user message.")
    pairs: list[tuple[str, str]] = [("system", system)] if system else []
    names: dict[str, str] = {}
    results: list[ToolResult] = []
    turns = 0
    for i, message in enumerate(value):
        blocks = _content(message, i)
        text = "".join(block["text"] for block in blocks if isinstance(block.get("text"), str))
        if message["role"] == "assistant":
            turns += 1
            names.update((use["toolUseId"], use["name"]) for use in _blocks(blocks, "toolUse") if _strings(use, "toolUseId", "name"))
            pairs.append(("assistant", text))
            continue
        answered = [_tool_result(result, names) for result in _blocks(blocks, "toolResult")]
        results = results + answered if answered else []
        pairs += [("tool", result.content) for result in answered]
        if text or not answered:
            pairs.append(("user", text))
    return {"messages": tuple(pairs), "tool_results": tuple(results), "assistant_turns": turns}


def _blocks(blocks: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [block[kind] for block in blocks if isinstance(block.get(kind), dict)]


def _strings(block: dict[str, Any], *keys: str) -> bool:
    return all(isinstance(block.get(key), str) for key in keys)


def _tool_result(result: dict[str, Any], names: dict[str, str]) -> ToolResult:
    content = result.get("content")
    parts: list[Any] = content if isinstance(content, list) else []
    text = "".join(
        part["text"] if isinstance(part.get("text"), str) else compact_json(part["json"])
        for part in parts
        if isinstance(part, dict) and ("text" in part or "json" in part)
    )
    call_id = result.get("toolUseId") if isinstance(result.get("toolUseId"), str) else None
    return ToolResult(text, names.get(call_id) if call_id else None, call_id)


def _tools(config: Any) -> tuple[tuple[Tool, ...], dict[str, Any]]:
    none = {"tool_choice": None, "forced_tool": None}
    if config is None:
        return (), none
    entries = config.get("tools") if isinstance(config, dict) else None
    if not isinstance(entries, list) or not entries:
        raise _constraint(entries, "toolConfig.tools", "Member must have length greater than or equal to 1")
    tools = []
    for i, entry in enumerate(entries):
        spec = entry.get("toolSpec") if isinstance(entry, dict) else None
        if spec is None and isinstance(entry, dict) and ("cachePoint" in entry or "systemTool" in entry):
            continue
        if not isinstance(spec, dict) or not isinstance(spec.get("name"), str) or not spec["name"]:
            raise _constraint(None, f"toolConfig.tools.{i + 1}.member.toolSpec.name", "Member must not be null")
        schema = spec.get("inputSchema")
        schema = schema.get("json") if isinstance(schema, dict) else None
        if not isinstance(schema, dict):
            raise _constraint(None, f"toolConfig.tools.{i + 1}.member.toolSpec.inputSchema", "Member must not be null")
        description = spec.get("description")
        tools.append(Tool(spec["name"], description if isinstance(description, str) else "", schema))
    return tuple(tools), _tool_choice(config.get("toolChoice"), tools) if config.get("toolChoice") is not None else none


def _tool_choice(choice: Any, tools: list[Tool]) -> dict[str, Any]:
    kind = next(iter(choice), None) if isinstance(choice, dict) and len(choice) == 1 else None
    if kind not in TOOL_CHOICES:
        raise malformed("toolChoice must name exactly one of auto, any or tool")
    if kind != "tool":
        return {"tool_choice": TOOL_CHOICES[kind], "forced_tool": None}
    name = choice["tool"].get("name") if isinstance(choice["tool"], dict) else None
    if not any(tool.name == name for tool in tools):
        raise invalid(f"The tool {name} named in toolChoice is not one of the tools in toolConfig.")
    return {"tool_choice": "required", "forced_tool": name}


# ---------------------------------------------------------------- Converse: answers


@dataclass
class _Answer:
    """What a Converse answer has said: output tokens, finish reason, usage overrides and the planned time it took."""

    call: Call
    output: int = 0
    finish: str = "stop"
    usage: Usage = field(default_factory=Usage)
    latency_ms: float = 0.0

    def take(self, event: Event) -> None:
        if isinstance(event, (Text, Think, ToolArgs)):
            self.output += tokens.count(event.text)
        elif isinstance(event, Finish):
            self.finish = event.reason
        elif isinstance(event, Usage):
            self.usage = event
        elif isinstance(event, Delay):
            self.latency_ms += event.ms

    def usage_json(self) -> dict[str, int]:
        prompt = self.usage.prompt_tokens if self.usage.prompt_tokens is not None else self.call.chat.prompt_tokens
        output = self.usage.completion_tokens if self.usage.completion_tokens is not None else self.output
        return {"inputTokens": prompt, "outputTokens": output, "totalTokens": prompt + output}

    @property
    def stop_reason(self) -> str:
        return STOP_REASONS.get(self.finish, "end_turn")


_DELTA_HEADERS = eventstream.event_headers("contentBlockDelta")


class _Events:
    """ConverseStream events, each an event-stream message whose JSON payload (keys sorted) has Bedrock's `p` padding."""

    def __init__(self, call: Call) -> None:
        self._rng = random.Random(f"padding:{call.seed}")
        self._call = call
        self.index = -1
        self.kind: str | None = None  # the open block's: text, reasoning or toolUse
        self._reasoning = Said()

    def event(self, name: str, payload: dict[str, Any]) -> bytes:
        payload = {**payload, "p": _padding(self._rng)}
        return eventstream.event(name, compact_json({key: payload[key] for key in sorted(payload)}).encode())

    def delta(self, delta: dict[str, Any]) -> bytes:
        return self.event("contentBlockDelta", {"contentBlockIndex": self.index, "delta": delta})

    def text(self, text: str) -> bytes:
        """A text delta, the common case: the payload `event` would write, written from a template."""
        payload = '{"contentBlockIndex":' + str(self.index) + ',"delta":{"text":' + compact_json(text) + '},"p":"' + _padding(self._rng) + '"}'
        return eventstream.framed(_DELTA_HEADERS, payload.encode())

    def open(self, kind: str) -> Iterator[bytes]:
        """Close the open block and count a new one (only a tool use block announces its start)."""
        yield from self.close()
        self.index += 1
        self.kind = kind

    def close(self) -> Iterator[bytes]:
        if self.kind is None:
            return
        if self.kind == "reasoning":
            yield self.delta({"reasoningContent": {"signature": signature(self._call, self._reasoning.text)}})
            self._reasoning = Said()
        yield self.event("contentBlockStop", {"contentBlockIndex": self.index})
        self.kind = None

    def output(self, event: Event) -> Iterator[bytes]:
        if isinstance(event, Text):
            if self.kind != "text":
                yield from self.open("text")
            yield self.text(event.text)
        elif isinstance(event, Think):
            if self.kind != "reasoning":
                yield from self.open("reasoning")
            self._reasoning.append(event.text)
            yield self.delta({"reasoningContent": {"text": event.text}})
        elif isinstance(event, ToolCall):
            yield from self.open("toolUse")
            start = {"toolUse": {"name": event.name, "toolUseId": tool_use_id(event, self._call)}}
            yield self.event("contentBlockStart", {"contentBlockIndex": self.index, "start": start})
        elif isinstance(event, ToolArgs):
            yield self.delta({"toolUse": {"input": event.text}})

    def end(self, answer: _Answer) -> Iterator[bytes]:
        yield from self.close()
        yield self.event("messageStop", {"stopReason": answer.stop_reason})
        yield self.event("metadata", {"metrics": {"latencyMs": round(answer.latency_ms)}, "usage": answer.usage_json()})


def tool_use_id(event: ToolCall, call: Call) -> str:
    """A tool use's id: the scenario's, else `tooluse_…` from the seed."""
    return event.id or call.tool_call_id(event.index, "tooluse_")[:30]


class _Content:
    """The content blocks of a whole Converse message."""

    def __init__(self, call: Call) -> None:
        self._call = call
        self.blocks: list[dict[str, Any]] = []
        self._arguments: dict[int, list[str]] = {}

    def add(self, event: Event) -> None:
        last = self.blocks[-1] if self.blocks else {}
        if isinstance(event, Text):
            if "text" not in last:
                self.blocks.append(last := {"text": ""})
            last["text"] += event.text
        elif isinstance(event, Think):
            if "reasoningContent" not in last:
                self.blocks.append(last := {"reasoningContent": {"reasoningText": {"text": ""}}})
            last["reasoningContent"]["reasoningText"]["text"] += event.text
        elif isinstance(event, ToolCall):
            self.blocks.append({"toolUse": {"input": {}, "name": event.name, "toolUseId": tool_use_id(event, self._call)}})
            self._arguments[len(self.blocks) - 1] = []
        elif isinstance(event, ToolArgs):
            self._arguments[max(self._arguments)].append(event.text)

    def json(self) -> list[dict[str, Any]]:
        for index, pieces in self._arguments.items():
            text = "".join(pieces)
            self.blocks[index]["toolUse"]["input"] = json.loads(text) if text else {}
        for block in self.blocks:
            if "reasoningContent" in block:
                reasoning = block["reasoningContent"]["reasoningText"]
                block["reasoningContent"]["reasoningText"] = {"signature": signature(self._call, reasoning["text"]), "text": reasoning["text"]}
        return self.blocks


@register
class BedrockConverse(_Bedrock):
    """Bedrock `Converse` (whole) and `ConverseStream` (event-stream framed events)."""

    name = "bedrock"
    routes: ClassVar[tuple[str, ...]] = ("POST /model/{modelId}/converse", "POST /model/{modelId}/converse-stream")

    def parse(self, incoming: Incoming) -> ChatRequest:
        return read_converse(incoming, stream=incoming.path.endswith("/converse-stream"))

    def stream(self, events: Iterable[Event], call: Call) -> Iterator[WireItem]:
        frames = _Events(call)
        answer = _Answer(call)
        started = False
        for event in events:
            answer.take(event)
            if isinstance(event, Delay):
                yield event
            elif isinstance(event, Error):
                yield error_response(event, call) if error_as_response(event, started) else exception_message(event, STREAM_EXCEPTIONS)
                return
            elif isinstance(event, (Text, Think, ToolCall, ToolArgs)):
                if not started:
                    started = True
                    yield frames.event("messageStart", {"role": "assistant"})
                yield from frames.output(event)
        if not started:
            yield frames.event("messageStart", {"role": "assistant"})
        yield from frames.end(answer)

    def whole(self, events: Iterable[Event], call: Call) -> Iterator[WireItem]:
        answer = _Answer(call)
        content = _Content(call)
        for event in events:
            if isinstance(event, Error):
                yield error_response(event, call)
                return
            answer.take(event)
            content.add(event)
            if isinstance(event, Delay):
                yield event
        usage = answer.usage_json()
        usage.update(cacheReadInputTokenCount=0, cacheReadInputTokens=0, cacheWriteInputTokenCount=0, cacheWriteInputTokens=0)
        body = {
            "metrics": {"latencyMs": round(answer.latency_ms)},
            "output": {"message": {"content": content.json(), "role": "assistant"}},
            "stopReason": answer.stop_reason,
            "usage": {key: usage[key] for key in sorted(usage)},
        }
        yield Respond(200, compact_json(body).encode(), content_type=JSON_TYPE)

    def stream_content_type(self, call: Call) -> str:
        return eventstream.CONTENT_TYPE


# ---------------------------------------------------------------- InvokeModel: Anthropic Messages inside


#: The Anthropic dialect that reads invoke bodies and writes their answers.
_MESSAGES = AnthropicMessages()
#: Bedrock's Anthropic message ids start `msg_bdrk_`.
_ID_FROM, _ID_TO = b'"id":"msg_01', b'"id":"msg_bdrk_01'


def read_invoke(incoming: Incoming, stream: bool) -> ChatRequest:
    """An invoke body as Anthropic Messages: `anthropic_version` required, the model from the path, `stream` from the route."""
    body = incoming.json
    if not isinstance(body, dict):
        raise malformed(incoming.json_error or "the body is not a JSON object")
    if not isinstance(body.get("anthropic_version"), str):
        raise malformed("#: required key [anthropic_version] not found")
    body = {**body, "model": incoming.match_info["modelId"], "stream": stream}
    return read_request(replace(incoming, json=body))


@dataclass
class _Seen:
    """The last Error the answer's events carried, so the Anthropic dialect's error output can be re-shaped."""

    error: Error | None = None

    def watch(self, events: Iterable[Event]) -> Iterator[Event]:
        for event in events:
            if isinstance(event, Error):
                self.error = event
            yield event


@register
class BedrockInvoke(_Bedrock):
    """Bedrock `InvokeModel` and `InvokeModelWithResponseStream` for Anthropic models: Anthropic Messages in Bedrock's envelope."""

    name = "bedrock-invoke"
    routes: ClassVar[tuple[str, ...]] = ("POST /model/{modelId}/invoke", "POST /model/{modelId}/invoke-with-response-stream")

    def parse(self, incoming: Incoming) -> ChatRequest:
        return read_invoke(incoming, stream=incoming.path.endswith("/invoke-with-response-stream"))

    def stream(self, events: Iterable[Event], call: Call) -> Iterator[WireItem]:
        seen = _Seen()
        rng = random.Random(f"padding:{call.seed}")
        latency = 0.0
        usage: dict[str, Any] = {}
        for item in _MESSAGES.stream(seen.watch(events), call):
            if isinstance(item, Delay):
                latency += item.ms
                yield item
            elif isinstance(item, Respond):
                yield error_response(seen.error, call) if seen.error is not None else item
            elif isinstance(item, bytes):
                name, data = _sse_event(item)
                if name == "ping":
                    continue
                if name == "error" and seen.error is not None:
                    yield exception_message(seen.error, INVOKE_STREAM_EXCEPTIONS)
                    return
                if name == "message_start":
                    data = data.replace(_ID_FROM, _ID_TO, 1)
                    usage["inputTokenCount"] = json.loads(data)["message"]["usage"]["input_tokens"]
                elif name == "message_delta":
                    usage["outputTokenCount"] = json.loads(data)["usage"]["output_tokens"]
                elif name == "message_stop":
                    metrics = {**usage, "invocationLatency": round(latency), "firstByteLatency": round(latency)}
                    data = data[:-1] + b',"amazon-bedrock-invocationMetrics":' + compact_json(metrics).encode() + b"}"
                yield _chunk(data, rng)
            else:
                yield item

    def whole(self, events: Iterable[Event], call: Call) -> Iterator[WireItem]:
        seen = _Seen()
        latency = 0.0
        for item in _MESSAGES.whole(seen.watch(events), call):
            if isinstance(item, Delay):
                latency += item.ms
                yield item
            elif isinstance(item, Respond) and item.status >= 400 and seen.error is not None:
                yield error_response(seen.error, call)
            elif isinstance(item, Respond):
                body = item.body.replace(_ID_FROM, _ID_TO, 1)
                usage = json.loads(body)["usage"]
                headers = (
                    ("x-amzn-bedrock-invocation-latency", str(round(latency))),
                    ("x-amzn-bedrock-output-token-count", str(usage["output_tokens"])),
                    ("x-amzn-bedrock-input-token-count", str(usage["input_tokens"])),
                )
                yield Respond(item.status, body, content_type=JSON_TYPE, headers=headers)
            else:
                yield item

    def stream_content_type(self, call: Call) -> str:
        return eventstream.CONTENT_TYPE

    def headers(self, call: Call) -> dict[str, str]:
        headers = super().headers(call)
        if call.chat.stream:
            headers["X-Amzn-Bedrock-Content-Type"] = JSON_TYPE
        return headers


def _sse_event(frame: bytes) -> tuple[str, bytes]:
    """An Anthropic SSE event's name and its JSON data without the padding before its last brace."""
    head, _, data = frame.partition(b"\ndata: ")
    return head.removeprefix(b"event: ").decode(), data.rstrip(b"\n")[:-1].rstrip(b" ") + b"}"


def _chunk(data: bytes, rng: random.Random) -> bytes:
    """A `chunk` event carrying one Anthropic event: its JSON base64 in `bytes`, then Bedrock's padding."""
    payload = b'{"bytes":"' + base64.b64encode(data) + b'","p":"' + _padding(rng).encode() + b'"}'
    return eventstream.event("chunk", payload)
