"""Google Gemini `generateContent`: streamed as SSE or as a JSON array, and whole, under `/v1beta` and `/v1`.

google-genai for Python posts to `/v1/models/...`, the Node SDK and the AI SDK
to `/v1beta/models/...`; both are served. The model in the path is the
request's model (it selects a scenario by name). The JSON is written as
Google's servers write it: `": "` after keys, `<`, `>` and `&` escaped; an SSE
event ends in `\\r\\n\\r\\n`; without `?alt=sse` the stream is one
pretty-printed JSON array sent element by element.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any, ClassVar, Iterable, Iterator, Mapping, Sequence

from mockllm.core import tokens
from mockllm.core.errors import RequestError
from mockllm.core.events import Delay, Error, Event, Finish, Respond, Text, Think, ToolCall, Usage, WireItem
from mockllm.core.incoming import Incoming
from mockllm.core.request import ChatRequest, Tool, ToolResult
from mockllm.dialects.base import Dialect, Listing, call_arguments, error_as_response, html_safe, register, whole_answer, whole_tool_calls
from mockllm.scenarios.presets import GEMINI_QUOTA_HELP
from mockllm.stream.call import Call

VERSIONS = ("v1beta", "v1")
METHODS = ("streamGenerateContent", "generateContent", "countTokens")
JSON_TYPE = "application/json; charset=UTF-8"
SSE_TYPE = "text/event-stream"
SSE_END = "\r\n\r\n"
ARRAY_SEPARATOR = "\n,\r\n"
ARRAY_END = "\n]"
ROLES = ("user", "model", "function", "tool")
FINISH_REASONS = {"stop": "STOP", "length": "MAX_TOKENS", "content_filter": "SAFETY", "tool_calls": "STOP"}
CALLING_MODES = {"AUTO": "auto", "ANY": "required", "NONE": "none", "VALIDATED": "auto", "MODE_UNSPECIFIED": None}
#: HTTP status → Google's canonical status name.
STATUSES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    402: "FAILED_PRECONDITION",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    408: "DEADLINE_EXCEEDED",
    409: "ABORTED",
    413: "INVALID_ARGUMENT",
    422: "INVALID_ARGUMENT",
    429: "RESOURCE_EXHAUSTED",
    499: "CANCELLED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
    529: "UNAVAILABLE",
}
_SHAPED = ("code", "message", "status")
_INT_KEYWORDS = ("minItems", "maxItems", "minLength", "maxLength", "minProperties", "maxProperties")
_LINE_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ": "))
_PRETTY_ENCODER = json.JSONEncoder(ensure_ascii=False, indent=2)
MODEL_LIMITS = {"inputTokenLimit": 1048576, "outputTokenLimit": 65536}
#: Models that think (their answers end in a signed part) and models that require the signatures back
THINKING_MODELS = re.compile(r"gemini-(2\.5|[3-9])")
SIGNING_MODELS = re.compile(r"gemini-[3-9]")


@dataclass(frozen=True)
class GeminiRequest(ChatRequest):
    """A Gemini request: the neutral fields, and how this route answers (SSE or array, thoughts, token count)."""

    sse: bool = False
    include_thoughts: bool = False
    count_tokens: bool = False


def line_json(value: Any) -> str:
    """One-line JSON as Gemini streams it: `{"key": value,"next": …}`."""
    return html_safe(_LINE_ENCODER.encode(value))


def pretty_json(value: Any) -> str:
    """Indented JSON as Gemini sends whole bodies and array elements (no final newline)."""
    return html_safe(_PRETTY_ENCODER.encode(value))


def status_name(status: int) -> str:
    """Google's status name for an HTTP status (`RESOURCE_EXHAUSTED` for 429)."""
    return STATUSES.get(status) or ("INTERNAL" if status >= 500 else "FAILED_PRECONDITION")


def invalid(message: str, status: int = 400) -> RequestError:
    """A RequestError for a request Gemini would reject."""
    return RequestError(Error(message, status=status))


def get(mapping: Mapping[str, Any], name: str) -> Any:
    """A field by its JSON name (`responseMimeType`) or its proto name (`response_mime_type`): Google accepts both."""
    if name in mapping:
        return mapping[name]
    return mapping.get(re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower())


def json_schema(schema: Any) -> Any:
    """A Gemini `Schema` (OpenAPI subset: `type: OBJECT`, `nullable`) as the JSON Schema it means."""
    if isinstance(schema, list):
        return [json_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "type" and isinstance(value, str):
            out[key] = value.lower()
        elif key in ("properties", "$defs", "definitions") and isinstance(value, dict):
            out[key] = {name: json_schema(sub) for name, sub in value.items()}
        elif key in ("items", "anyOf", "oneOf", "allOf", "additionalProperties"):
            out[key] = json_schema(value)
        elif key in _INT_KEYWORDS and isinstance(value, str) and value.isdigit():
            out[key] = int(value)
        elif key not in ("nullable", "propertyOrdering"):
            out[key] = value
    if schema.get("nullable") is True and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    return out


def _parts(content: dict[str, Any], where: str) -> list[dict[str, Any]]:
    parts = content.get("parts")
    if not isinstance(parts, list) or not parts or not all(isinstance(part, dict) for part in parts):
        raise invalid(f"* GenerateContentRequest.{where}.parts: contents.parts must not be empty.")
    return parts


def _text(parts: list[dict[str, Any]]) -> str:
    return "".join(part["text"] for part in parts if isinstance(part.get("text"), str) and not part.get("thought"))


def _result(part: dict[str, Any]) -> ToolResult | None:
    response = get(part, "functionResponse")
    if not isinstance(response, dict):
        return None
    content = response.get("response")
    text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False, separators=(",", ":"))
    name, call_id = response.get("name"), response.get("id")
    return ToolResult(text, name if isinstance(name, str) else None, call_id if isinstance(call_id, str) else None)


def read_conversation(body: Mapping[str, Any]) -> dict[str, Any]:
    """The neutral conversation of `contents` and `systemInstruction` (see `ChatRequest`)."""
    system = _system(get(body, "systemInstruction"))
    contents = body.get("contents")
    if not isinstance(contents, list) or not contents:
        raise invalid("* GenerateContentRequest.contents: contents is not specified")
    messages = [("system", system)] if system else []
    results: list[ToolResult] = []
    turns = 0
    for i, content in enumerate(contents):
        if not isinstance(content, dict):
            raise invalid(f"* GenerateContentRequest.contents[{i}]: must be an object with 'role' and 'parts'.")
        role = content.get("role") or "user"
        if role not in ROLES:
            raise invalid(f"Please use a valid role: user, model. (contents[{i}].role is {role!r})")
        parts = _parts(content, f"contents[{i}]")
        if role == "model":
            turns += 1
            messages.append(("assistant", _text(parts)))
            continue
        answered = [result for result in map(_result, parts) if result is not None]
        if _text(parts) or not answered:
            messages.append(("user", _text(parts)))
            results = []
        results += answered
        messages += [("tool", result.content) for result in answered]
    return {"messages": tuple(messages), "system": system, "tool_results": tuple(results), "assistant_turns": turns}


def _system(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if not isinstance(value, dict):
        raise invalid("* GenerateContentRequest.system_instruction: must be a Content object with 'parts'.")
    return _text(_parts(value, "system_instruction"))


def read_tools(body: Mapping[str, Any]) -> dict[str, Any]:
    """`tools[].functionDeclarations` and `toolConfig.functionCallingConfig` as neutral tools and tool choice."""
    raw = body.get("tools")
    if raw is None:
        raw = []
    if not isinstance(raw, list) or not all(isinstance(entry, dict) for entry in raw):
        raise invalid("* GenerateContentRequest.tools: must be an array of Tool objects.")
    tools = []
    for i, entry in enumerate(raw):
        declarations = get(entry, "functionDeclarations") or []
        if not isinstance(declarations, list):
            raise invalid(f"* GenerateContentRequest.tools[{i}].function_declarations: must be an array.")
        tools += [_declaration(declaration, f"tools[{i}].function_declarations[{j}]") for j, declaration in enumerate(declarations)]
    return {"tools": tuple(tools), **_tool_choice(get(body, "toolConfig"), tools)}


def _declaration(declaration: Any, where: str) -> Tool:
    if not isinstance(declaration, dict) or not isinstance(declaration.get("name"), str) or not declaration["name"]:
        raise invalid(f"* GenerateContentRequest.{where}.name: Function name cannot be empty.")
    schema = get(declaration, "parametersJsonSchema")
    if schema is None:
        schema = json_schema(declaration.get("parameters") or {})
    if not isinstance(schema, dict):
        raise invalid(f"* GenerateContentRequest.{where}.parameters: must be a Schema object.")
    description = declaration.get("description")
    return Tool(declaration["name"], description if isinstance(description, str) else "", schema)


def _tool_choice(config: Any, tools: list[Tool]) -> dict[str, Any]:
    calling = get(config, "functionCallingConfig") if isinstance(config, dict) else None
    if not isinstance(calling, dict):
        return {"tool_choice": None, "forced_tool": None}
    mode = calling.get("mode", "MODE_UNSPECIFIED")
    if mode not in CALLING_MODES:
        raise invalid(f"* GenerateContentRequest.tool_config.function_calling_config.mode: must be one of {', '.join(CALLING_MODES)}; got {mode!r}.")
    allowed = get(calling, "allowedFunctionNames") or []
    if not isinstance(allowed, list) or not all(isinstance(name, str) for name in allowed):
        raise invalid("* GenerateContentRequest.tool_config.function_calling_config.allowed_function_names: must be an array of names.")
    unknown = [name for name in allowed if not any(tool.name == name for tool in tools)]
    if unknown:
        offered = ", ".join(tool.name for tool in tools) or "none"
        raise invalid(f"Function {unknown[0]!r} in allowed_function_names is not declared in tools (declared: {offered}).")
    forced = allowed[0] if allowed and mode == "ANY" else None
    return {"tool_choice": CALLING_MODES[mode], "forced_tool": forced}


def read_generation(config: Any) -> dict[str, Any]:
    """`generationConfig`: the response format it asks for and whether thoughts are included."""
    if config is None:
        config = {}
    if not isinstance(config, dict):
        raise invalid("* GenerateContentRequest.generation_config: must be an object.")
    schema = get(config, "responseJsonSchema")
    if schema is None and get(config, "responseSchema") is not None:
        schema = json_schema(get(config, "responseSchema"))
    response_format = None
    if get(config, "responseMimeType") == "application/json":
        response_format = {"type": "json_schema", "schema": schema} if isinstance(schema, dict) else {"type": "json_object"}
    thinking = get(config, "thinkingConfig")
    limit = get(config, "maxOutputTokens")
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 1):
        raise invalid(f"* GenerateContentRequest.generation_config.max_output_tokens: must be a positive integer; got {limit!r}.")
    return {
        "response_format": response_format,
        "include_thoughts": isinstance(thinking, dict) and get(thinking, "includeThoughts") is True,
        "max_tokens": limit,
    }


def _body(incoming: Incoming) -> dict[str, Any]:
    body = incoming.json
    if not isinstance(body, dict):
        detail = incoming.json_error or "the body is not a JSON object"
        raise invalid(f"Invalid JSON payload received. {detail[0].upper() + detail[1:]}.")
    return body


@dataclass
class _Answer:
    """What the answer has said: its parts (merged for a whole answer), token counts and finish reason."""

    call: Call
    include_thoughts: bool
    whole: bool = False  # keep the parts, for a whole answer (a stream sends each as it comes)
    parts: list[dict[str, Any]] = field(default_factory=list)
    candidates: int = 0
    thoughts: int = 0
    finish: str = "stop"
    usage: Usage = field(default_factory=Usage)
    signed: bool = False
    prompt: int = field(init=False)

    def __post_init__(self) -> None:
        self.prompt = self.call.chat.prompt_tokens  # counted once: every chunk reports it

    def take(self, event: Event) -> dict[str, Any] | None:
        """Count an event; return the part it streams as (None: nothing to stream)."""
        part: dict[str, Any] | None = None
        if isinstance(event, Text):
            self.candidates += tokens.count(event.text)
            part = {"text": event.text}
        elif isinstance(event, Think):
            self.thoughts += tokens.count(event.text)
            part = {"text": event.text, "thought": True} if self.include_thoughts else None
        elif isinstance(event, ToolCall):
            self.candidates += tokens.count(event.arguments)
            arguments = call_arguments(event)
            part = None if arguments is None else {"functionCall": _function_call(event, arguments), **self._signature()}
        elif isinstance(event, Finish):
            self.finish = event.reason
        elif isinstance(event, Usage):
            self.usage = event
        if part is not None and self.whole:
            self.parts.append(part)
        return part

    def _signature(self) -> dict[str, str]:
        """The `thoughtSignature` of this answer's first function call (parallel calls after it carry none), as the service signs."""
        if self.signed:
            return {}
        self.signed = True
        return {"thoughtSignature": thought_signature(self.call)}

    def _thought(self) -> bool:
        """Whether the answer comes from a model that thinks: one named so, or a scenario that thinks."""
        return thinks(self.call.model) or self.thoughts > 0

    def closing_parts(self) -> list[dict[str, Any]]:
        """The parts of a stream's last chunk: an empty text, signed when a thinking answer has no signed call."""
        signed = self._thought() and not self.signed
        return [{"text": "", **self._signature()} if signed else {"text": ""}]

    def whole_parts(self) -> list[dict[str, Any]]:
        """The parts of a whole answer: merged, the last signed when a thinking answer has no signed call."""
        parts = self.merged_parts()
        if self._thought() and not self.signed:
            parts = [*parts[:-1], {**parts[-1], **self._signature()}] if parts else [{"text": "", **self._signature()}]
        return parts

    def merged_parts(self) -> list[dict[str, Any]]:
        """The parts of the whole answer: consecutive text parts (thoughts apart) joined into one."""
        merged: list[dict[str, Any]] = []
        texts: list[str] = []
        for part, after in zip(self.parts, [*self.parts[1:], None]):
            if "text" not in part:
                merged.append(part)
                continue
            texts.append(part["text"])
            if after is None or "text" not in after or after.get("thought") != part.get("thought"):
                merged.append({**part, "text": "".join(texts)})
                texts = []
        return merged

    def response(self, parts: list[dict[str, Any]], finished: bool, reason: str | None = None) -> dict[str, Any]:
        """A `GenerateContentResponse` with these parts, finished (for `reason`, else the answer's finish) or not."""
        candidate: dict[str, Any] = {"content": {"parts": parts, "role": "model"} if parts else {"role": "model"}}
        if finished:
            candidate["finishReason"] = reason or FINISH_REASONS.get(self.finish, "STOP")
        candidate["index"] = 0
        return {"candidates": [candidate], "usageMetadata": self.usage_json(), **self.origin()}

    def blocked(self, error: Error) -> dict[str, Any]:
        """The response to a blocked prompt: no candidates, the error's fields (`promptFeedback`), the prompt's usage."""
        return {**dict(error.extra), "usageMetadata": self.usage_json(), **self.origin()}

    def origin(self) -> dict[str, str]:
        """The fields that end every response: the model version and the response id."""
        return {"modelVersion": self.call.model, "responseId": self.call.id[:23]}

    def usage_json(self) -> dict[str, Any]:
        prompt = self.usage.prompt_tokens if self.usage.prompt_tokens is not None else self.prompt
        candidates = self.usage.completion_tokens if self.usage.completion_tokens is not None else self.candidates
        usage: dict[str, Any] = {"promptTokenCount": prompt}
        if candidates:
            usage["candidatesTokenCount"] = candidates
        usage["totalTokenCount"] = prompt + candidates + self.thoughts
        usage["promptTokensDetails"] = [{"modality": "TEXT", "tokenCount": prompt}]
        if self.thoughts:
            usage["thoughtsTokenCount"] = self.thoughts
        return usage


def thinks(model: str) -> bool:
    """Whether a model thinks (Gemini 2.5 and later), so its answers end in a signed part."""
    return THINKING_MODELS.match(model) is not None


def thought_signature(call: Call) -> str:
    """An opaque `thoughtSignature`: base64 derived from the seed, as long as the service's short ones."""
    digest = hashlib.sha512(f"thought:{call.seed}".encode()).digest() + hashlib.sha512(f"signature:{call.seed}".encode()).digest()
    return base64.b64encode(b"\n\x80\x01" + digest).decode()


def check_signatures(contents: list[Any], model: str) -> None:
    """Gemini 3's rule: in the current turn, each model step's first function call must carry the signature it came with.

    The current turn starts at the last user content with text (a function
    response does not start one); earlier turns are not checked. Position
    counts the contents from 1.
    """
    if not SIGNING_MODELS.match(model):
        return
    start = max((i for i, content in enumerate(contents) if content.get("role", "user") == "user" and _text(content["parts"])), default=0)
    for i, content in enumerate(contents[start:], start):
        if content.get("role") != "model":
            continue
        calls = [part for part in content["parts"] if isinstance(get(part, "functionCall"), dict)]
        if calls and not get(calls[0], "thoughtSignature"):
            name = get(calls[0], "functionCall").get("name")
            raise invalid(
                "Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly, "
                f"and missing thought_signature may lead to degraded model performance. Additional data, function call `default_api:{name}` , "
                f"position {i + 1}. Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more details."
            )


def _function_call(event: ToolCall, arguments: Any) -> dict[str, Any]:
    function: dict[str, Any] = {"name": event.name, "args": arguments}
    if event.id is not None:
        function["id"] = event.id
    return function


class _Frames:
    """Frames streamed responses as SSE events (`?alt=sse`) or as the elements of one JSON array."""

    def __init__(self, sse: bool, answer: _Answer) -> None:
        self.sse = sse
        self.sent = 0
        self.answer = answer
        # An SSE delta is `response([part])` written from a per-stream template: only the part and usage are encoded.
        tail = line_json(answer.origin())
        self._head = 'data: {"candidates": [{"content": {"parts": ['
        self._middle = '],"role": "model"},"index": 0}],"usageMetadata": '
        self._tail = "," + tail[1:] + SSE_END

    def delta(self, part: dict[str, Any]) -> bytes:
        """The chunk of one streamed part."""
        if not self.sse:
            return self.next(self.answer.response([part], finished=False))
        self.sent += 1
        return (self._head + line_json(part) + self._middle + line_json(self.answer.usage_json()) + self._tail).encode()

    def next(self, value: Mapping[str, Any]) -> bytes:
        self.sent += 1
        if self.sse:
            return ("data: " + line_json(value) + SSE_END).encode()
        return (("[" if self.sent == 1 else ARRAY_SEPARATOR) + pretty_json(value)).encode()

    def last(self, value: Mapping[str, Any]) -> bytes:
        frame = self.next(value)
        return frame if self.sse else frame + ARRAY_END.encode()


_DEFAULT_OPTIONS = GeminiRequest(messages=())


def _options(chat: ChatRequest) -> GeminiRequest:
    """The Gemini options of a request (the defaults for a request another dialect read)."""
    return chat if isinstance(chat, GeminiRequest) else _DEFAULT_OPTIONS


@register
class Gemini(Dialect):
    """Gemini `GenerateContentResponse` chunks, errors and model listings, byte for byte."""

    name = "gemini"
    provider = "Gemini"
    routes = tuple(f"POST /{version}/models/{{model}}:{method}" for version in VERSIONS for method in METHODS)
    error_prefixes: ClassVar[tuple[str, ...]] = ("/v1beta",)
    #: google-genai for Python calls `/v1/models/...`, which OpenAI's model list shares
    shared_error_prefixes: ClassVar[tuple[str, ...]] = ("/v1",)
    content_type = SSE_TYPE
    #: the service sends no keep-alive bytes, and google-genai would fail on a comment line
    heartbeat = None

    def parse(self, incoming: Incoming) -> ChatRequest:
        method = incoming.path.rsplit(":", 1)[-1]
        body = _body(incoming)
        if method == "countTokens" and isinstance(get(body, "generateContentRequest"), dict):
            body = get(body, "generateContentRequest")
        scenario = body.get("mock_scenario")
        generation = read_generation(get(body, "generationConfig"))
        conversation = read_conversation(body)
        check_signatures(body["contents"], incoming.match_info["model"])
        return GeminiRequest(
            model=incoming.match_info["model"],
            stream=method == "streamGenerateContent",
            scenario=scenario if isinstance(scenario, str) else None,
            body=body,
            sse=incoming.query.get("alt") == "sse",
            count_tokens=method == "countTokens",
            **conversation,
            **read_tools(body),
            **generation,
        )

    def stream(self, events: Iterable[Event], call: Call) -> Iterator[WireItem]:
        answer = _Answer(call, _options(call.chat).include_thoughts)
        frames = _Frames(_options(call.chat).sse, answer)
        for event in whole_tool_calls(events):
            if isinstance(event, Delay):
                yield event
            elif isinstance(event, Error):
                yield self._stream_error(event.sent_by(self.provider), frames, answer)
                return
            elif (part := answer.take(event)) is not None:
                yield frames.delta(part)
        yield frames.last(answer.response(answer.closing_parts(), finished=True))

    def whole(self, events: Iterable[Event], call: Call) -> Iterator[WireItem]:
        chat = _options(call.chat)
        if chat.count_tokens:
            yield _respond(200, {"totalTokens": chat.prompt_tokens, "promptTokensDetails": [{"modality": "TEXT", "tokenCount": chat.prompt_tokens}]})
            return
        answer = _Answer(call, chat.include_thoughts, whole=True)
        if (yield from whole_answer(events, answer.take, lambda error: self._whole_error(error, answer))):
            yield _respond(200, answer.response(answer.whole_parts(), finished=True))

    def _stream_error(self, error: Error, frames: _Frames, answer: _Answer) -> WireItem:
        """How a stream ends on `error`: a blocked prompt or output, an HTTP error, or the error as the last element."""
        if blocks(error):
            return frames.last(answer.blocked(error) if frames.sent == 0 else answer.response([], finished=True, reason=block_reason(error)))
        if error_as_response(error, frames.sent > 0):
            return self.error_response(error)
        return frames.last({"error": error_json(error)})

    def _whole_error(self, error: Error, answer: _Answer) -> Respond:
        error = error.sent_by(self.provider)
        return _respond(200, answer.blocked(error)) if blocks(error) else self.error_response(error)

    def error_response(self, error: Error) -> Respond:
        error = error.sent_by(self.provider)
        if blocks(error):
            return _respond(200, dict(error.extra))
        return _respond(error.status, {"error": error_json(error)}, headers=error.headers, chunked=error.delivery == "chunked")

    def stream_content_type(self, call: Call) -> str:
        return SSE_TYPE if _options(call.chat).sse else JSON_TYPE

    def listings(self) -> Mapping[str, Listing]:
        return {f"/{version}/models{tail}": listing for version in VERSIONS for tail, listing in _listings(version).items()}

    def recognizes(self, headers: Mapping[str, str], query: Mapping[str, str]) -> bool:
        """A Google client: it sends its key as `x-goog-api-key` or `?key=` (`GET /v1/models` is OpenAI's otherwise)."""
        return "x-goog-api-key" in headers or "key" in query


def _respond(status: int, value: Any, headers: tuple[tuple[str, str], ...] = (), chunked: bool = False) -> Respond:
    return Respond(status, (pretty_json(value) + "\n").encode(), content_type=JSON_TYPE, headers=headers, chunked=chunked)


def blocks(error: Error) -> bool:
    """Whether Gemini answers this error as a blocked prompt (a 200 response whose `extra` fields say why), not as an HTTP error."""
    return error.status < 400


def block_reason(error: Error) -> str:
    """The `blockReason` of a blocked prompt, which also ends an answer blocked after it began."""
    feedback = dict(error.extra).get("promptFeedback")
    reason = feedback.get("blockReason") if isinstance(feedback, dict) else None
    return reason if isinstance(reason, str) else "SAFETY"


def error_json(error: Error) -> dict[str, Any]:
    """The `error` object of a Google API error: numeric `code`, `message`, `status` name, `details`.

    `details` in `extra` are the error's own (an empty list: none); otherwise
    they are the ones Google sends with the status.
    """
    extra = dict(error.extra)
    shaped: dict[str, Any] = {"code": error.status, "message": error.message, "status": status_name(error.status)}
    details = extra.pop("details") if "details" in extra else _details(error)
    if details:
        shaped["details"] = details
    return {**shaped, **{key: value for key, value in extra.items() if key not in _SHAPED}}


def _details(error: Error) -> list[dict[str, Any]]:
    """The `details` Google sends with this status: quota and retry info for 429, the field for a 400."""
    if error.status == 400 and error.param:
        return [{"@type": "type.googleapis.com/google.rpc.BadRequest", "fieldViolations": [{"field": error.param, "description": error.message}]}]
    if error.status != 429:
        return []
    quota = {"quotaMetric": "generativelanguage.googleapis.com/generate_content_requests", "quotaId": "GenerateRequestsPerMinutePerProjectPerModel"}
    details = [
        GEMINI_QUOTA_HELP,
        {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [quota]},
    ]
    delay = _retry_delay(dict((key.lower(), value) for key, value in error.headers))
    if delay:
        details.append({"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": delay})
    return details


def _retry_delay(headers: Mapping[str, str]) -> str | None:
    """A `retryDelay` duration ("1s", "0.120s") from `retry-after-ms` or `retry-after`."""
    try:
        if "retry-after-ms" in headers:
            return f"{float(headers['retry-after-ms']) / 1000:g}s"
        if "retry-after" in headers:
            return f"{float(headers['retry-after']):g}s"
    except ValueError:
        return None
    return None


def _listings(version: str) -> dict[str, Listing]:
    def list_models(names: Sequence[str], params: Mapping[str, str]) -> Respond:
        return _respond(200, {"models": [_model(name) for name in names]})

    def get_model(names: Sequence[str], params: Mapping[str, str]) -> Respond:
        name = params["model"]
        if name not in names:
            message = (
                f"models/{name} is not found for API version {version}, or is not supported for generateContent. "
                "Call ListModels to see the list of available models and their supported methods."
            )
            return Gemini().error_response(Error(message, status=404))
        return _respond(200, _model(name))

    return {"": list_models, "/{model}": get_model}


def _model(name: str) -> dict[str, Any]:
    return {
        "name": f"models/{name}",
        "version": "001",
        "displayName": name,
        "description": "A mockllm scenario.",
        **MODEL_LIMITS,
        "supportedGenerationMethods": ["generateContent", "countTokens", "embedContent", "batchEmbedContents"],  # a scenario answers every method
        "temperature": 1,
        "topP": 0.95,
        "topK": 64,
        "maxTemperature": 2,
        "thinking": True,
    }
