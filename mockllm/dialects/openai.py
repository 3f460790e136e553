"""OpenAI Chat Completions: `POST /v1/chat/completions`, streamed and whole."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

from .. import tokens
from ..call import Call, ChatRequest
from ..events import Delay, Error, Event, Finish, Respond, Text, Think, Usage, WireItem
from .base import Dialect, Incoming, bad_request, compact_json, error_as_response, pretty_json, register

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
        out.append((role, _content_text(message.get("content"), f"{where}.content")))
    return tuple(out)


def _content_text(content: Any, where: str) -> str:
    if content is None or isinstance(content, str):
        return content or ""
    if isinstance(content, list) and all(isinstance(part, dict) for part in content):
        return "".join(p["text"] for p in content if p.get("type") == "text" and isinstance(p.get("text"), str))
    raise bad_request(f"'{where}' must be a string or an array of content parts.", where)


def _optional(body: dict[str, Any], key: str, kind: type | tuple[type, ...], what: str) -> Any:
    value = body.get(key)
    if value is not None and (not isinstance(value, kind) or (kind is int and isinstance(value, bool))):
        raise bad_request(f"'{key}' must be {what}; got {type(value).__name__}.", key)
    return value


@dataclass
class _Answer:
    """What has been said so far, for usage counts and the whole answer."""

    content: list[str] = field(default_factory=list)
    reasoning: list[str] = field(default_factory=list)
    finish: str = "stop"
    usage: Usage = field(default_factory=Usage)

    def take(self, event: Event) -> None:
        if isinstance(event, Text):
            self.content.append(event.text)
        elif isinstance(event, Think):
            self.reasoning.append(event.text)
        elif isinstance(event, Finish):
            self.finish = event.reason
        elif isinstance(event, Usage):
            self.usage = event

    def usage_json(self, call: Call) -> dict[str, Any]:
        prompt = self.usage.prompt_tokens if self.usage.prompt_tokens is not None else call.chat.prompt_tokens
        reasoning = sum(map(tokens.count, self.reasoning))  # counted per delta, and only when asked for
        completion = self.usage.completion_tokens
        if completion is None:
            completion = sum(map(tokens.count, self.content)) + reasoning
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


@register
class OpenAIChat(Dialect):
    """OpenAI Chat Completions chunks, byte for byte."""

    name = "openai"

    def parse(self, incoming: Incoming) -> ChatRequest:
        body = incoming.json
        if not isinstance(body, dict):
            detail = incoming.json_error or "the body is not a JSON object"
            raise bad_request(
                f"We could not parse the JSON body of your request ({detail}). "
                "Send a JSON object with Content-Type: application/json."
            )
        stream = _optional(body, "stream", bool, "a boolean") or False
        options = _optional(body, "stream_options", dict, "an object")
        if options is not None and not stream:
            raise bad_request("The 'stream_options' parameter is only allowed when 'stream' is enabled.", "stream_options")
        include_usage = _optional(options or {}, "include_usage", bool, "a boolean") or False
        n = _optional(body, "n", int, "an integer")
        if n not in (None, 1):
            raise bad_request("mockllm answers with one choice; 'n' must be 1.", "n")
        return ChatRequest(
            messages=read_messages(body.get("messages")),
            model=_optional(body, "model", str, "a string"),
            stream=stream,
            include_usage=include_usage,
            scenario=_optional(body, "mock_scenario", str, "a string"),
            body=body,
        )

    def stream(self, events: Iterable[Event], call: Call) -> Iterator[WireItem]:
        frame = _ChunkFramer(call)
        answer = _Answer()
        started = False
        for event in events:
            if isinstance(event, Delay):
                yield event
                continue
            if isinstance(event, Error):
                yield self.error_response(event) if error_as_response(event, started) else frame.error(event)
                return
            answer.take(event)
            if isinstance(event, (Text, Think)):
                if not started:
                    started = True
                    yield frame.delta('{"role":"assistant","content":"","refusal":null}')
                yield frame.delta(_delta_json(event))
        if not started:
            yield frame.delta('{"role":"assistant","content":"","refusal":null}')
        yield frame.finish(answer.finish)
        if call.chat.include_usage:
            yield frame.usage(answer.usage_json(call))
        yield DONE

    def whole(self, events: Iterable[Event], call: Call) -> Iterator[WireItem]:
        answer = _Answer()
        for event in events:
            if isinstance(event, Delay):
                yield event
            elif isinstance(event, Error):
                yield self.error_response(event)
                return
            else:
                answer.take(event)
        message: dict[str, Any] = {"role": "assistant", "content": "".join(answer.content), "refusal": None}
        if answer.reasoning:
            message["reasoning_content"] = "".join(answer.reasoning)
        message["annotations"] = []
        body = {
            "id": f"chatcmpl-{call.id}",
            "object": "chat.completion",
            "created": call.created,
            "model": call.model,
            "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": answer.finish}],
            "usage": answer.usage_json(call),
            "service_tier": "default",
            "system_fingerprint": call.fingerprint,
        }
        yield Respond(200, pretty_json(body))

    def error_response(self, error: Error) -> Respond:
        body = pretty_json({"error": _error_json(error)}, indent=4)
        return Respond(error.status, body, headers=error.headers, chunked=error.delivery == "chunked")

    def headers(self, call: Call) -> dict[str, str]:
        return {"x-request-id": f"req_{call.id[:24].lower()}", "openai-version": "2020-10-01"}


def _delta_json(event: Text | Think) -> str:
    if isinstance(event, Text):
        return '{"content":' + compact_json(event.text) + "}"
    return '{"content":null,"reasoning_content":' + compact_json(event.text) + "}"


def _error_json(error: Error) -> dict[str, Any]:
    kind = error.type or ERROR_TYPES.get(error.status, "server_error" if error.status >= 500 else "invalid_request_error")
    return {"message": error.message, "type": kind, "param": error.param, "code": error.code, **dict(error.extra)}


class _ChunkFramer:
    """Builds `data: {chunk}\\n\\n` frames from a per-stream prefix, so each delta costs one string join."""

    def __init__(self, call: Call) -> None:
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

    def delta(self, delta_json: str) -> bytes:
        return (self._prefix + delta_json + ',"logprobs":null,"finish_reason":null}]' + self._usage_null + "}\n\n").encode()

    def finish(self, reason: str) -> bytes:
        return (self._prefix + '{},"logprobs":null,"finish_reason":' + compact_json(reason) + "}]" + self._usage_null + "}\n\n").encode()

    def usage(self, usage: dict[str, Any]) -> bytes:
        return ("data: " + self._head + ',"choices":[],"usage":' + compact_json(usage) + "}\n\n").encode()

    def error(self, error: Error) -> bytes:
        return ("data: " + compact_json({"error": _error_json(error)}) + "\n\n").encode()
