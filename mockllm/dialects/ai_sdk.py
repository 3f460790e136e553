"""`ai-sdk`: the Vercel AI SDK UI message stream that `useChat` reads, at `/ai-sdk/{any/path}` and through routes maps.

    data: {"type":"start"}
    data: {"type":"start-step"}
    data: {"type":"text-start","id":"txt-0"}
    data: {"type":"text-delta","id":"txt-0","delta":"你好"}
    data: {"type":"text-end","id":"txt-0"}
    data: {"type":"tool-input-start","toolCallId":"call_…","toolName":"get_weather"}
    data: {"type":"tool-input-delta","toolCallId":"call_…","inputTextDelta":"{\\"city\\""}
    data: {"type":"tool-input-available","toolCallId":"call_…","toolName":"get_weather","input":{…}}
    data: {"type":"finish-step"}
    data: {"type":"finish","finishReason":"tool-calls"}
    data: [DONE]

The parts, their order and the headers are those `streamText(...).toUIMessageStreamResponse()`
sends. Requests are read as `useChat`'s `DefaultChatTransport` posts them: `{id,
messages: [{id, role, parts}], trigger, messageId}`; tool parts whose output is
available are the conversation's tool results.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Any

from mockllm.core.errors import bad_request
from mockllm.core.events import Delay, Error, Event, Finish, Respond, Text, Think, ToolArgs, ToolCall, WireItem
from mockllm.core.incoming import Incoming
from mockllm.core.request import ChatRequest, ToolResult
from mockllm.dialects.apps.base import AppFraming, app_errors, read_app_request
from mockllm.dialects.base import call_arguments, compact_json, register, whole_answer
from mockllm.stream.call import Call

HEADERS = {"x-vercel-ai-ui-message-stream": "v1"}
FINISH_REASONS = {"stop": "stop", "length": "length", "content_filter": "content-filter", "tool_calls": "tool-calls"}
DONE = b"data: [DONE]\n\n"
_ROLES = ("system", "user", "assistant")


@register
class AISdkUI(AppFraming):
    """The AI SDK UI message stream (protocol v1)."""

    name = "ai-sdk"
    content_type = "text/event-stream"
    heartbeat = b": keep-alive\n\n"

    def parse(self, incoming: Incoming) -> ChatRequest:
        body = incoming.json
        messages = body.get("messages") if isinstance(body, dict) else None
        limit = _max_output_tokens(body)
        if not (isinstance(messages, list) and any(isinstance(m, dict) and "parts" in m for m in messages)):
            return replace(read_app_request(incoming, self.route_scenario), max_tokens=limit)  # curl, or an older client posting `content`
        plain = read_app_request(_without_messages(incoming), self.route_scenario)
        return replace(plain, body=body, max_tokens=limit, **_ui_conversation(messages))

    def stream(self, events: Iterable[Event], call: Call) -> Iterator[WireItem]:
        writer = _PartWriter(call)
        for event in app_errors(events, call.chat):
            if isinstance(event, Delay):
                yield event
            elif isinstance(event, Error) and event.delivery != "in_band" and not writer.started:
                yield self.error_response(event)
                return
            elif isinstance(event, Error):
                yield from writer.error(event)
                return
            else:
                yield from writer.take(event)
        yield from writer.finish()

    def whole(self, events: Iterable[Event], call: Call) -> Iterator[WireItem]:
        parts: list[dict[str, Any]] = []
        if not (yield from whole_answer(app_errors(events, call.chat), lambda event: _add_whole_part(parts, event, call), self.error_response)):
            return
        message = {"id": f"msg-{call.id[:16]}", "role": "assistant", "parts": parts}
        yield Respond(200, (compact_json(message) + "\n").encode())

    def error_response(self, error: Error) -> Respond:
        """The message as plain text: `DefaultChatTransport` makes a non-2xx body the hook's error message."""
        chunked = error.delivery == "chunked"
        return Respond(error.status, error.message.encode(), "text/plain; charset=utf-8", headers=error.headers, chunked=chunked)

    def headers(self, call: Call) -> dict[str, str]:
        return dict(HEADERS)


def _max_output_tokens(body: Any) -> int | None:
    """The body's `maxOutputTokens` (what an app passes on to `streamText`), when it gives a positive integer."""
    value = body.get("maxOutputTokens") if isinstance(body, dict) else None
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise bad_request(f"'maxOutputTokens' must be a positive integer; got {value!r}.", "maxOutputTokens")
    return value


class _PartWriter:
    """Frames events as UI message parts, opening and closing the message, steps, and text or reasoning blocks."""

    def __init__(self, call: Call) -> None:
        self.call = call
        self.started = False
        self.block: tuple[str, str] | None = None  # (kind, id) of the open text or reasoning block
        self.blocks = 0
        self.step_open = False
        self.after_output = False
        self.pending: dict[int, tuple[ToolCall, int]] = {}  # calls whose input is still streaming: (call, characters sent)
        self.finish_reason = "stop"

    def take(self, event: Event) -> Iterator[bytes]:
        if isinstance(event, (Text, Think)):
            kind = "text" if isinstance(event, Text) else "reasoning"
            yield from self._open(kind)
            yield _part({"type": f"{kind}-delta", "id": self.block[1], "delta": event.text})  # type: ignore[index]
        elif isinstance(event, ToolCall):
            yield from self._step()
            yield from self._close_block()
            self.pending[event.index] = (event, 0)
            yield _part({"type": "tool-input-start", "toolCallId": self._call_id(event), "toolName": event.name})
        elif isinstance(event, ToolArgs):
            call, sent = self.pending[event.index]
            self.pending[event.index] = (call, sent + len(event.text))
            yield _part({"type": "tool-input-delta", "toolCallId": self._call_id(call), "inputTextDelta": event.text})
            if sent + len(event.text) >= len(call.arguments):
                yield from self._input_available(event.index)
        elif isinstance(event, Finish):
            self.finish_reason = event.reason

    def error(self, error: Error) -> Iterator[bytes]:
        yield from self._begin()
        yield _part({"type": "error", "errorText": error.message})
        if self.step_open:
            yield _part({"type": "finish-step"})
            yield _part({"type": "finish", "finishReason": "error"})
        yield DONE

    def finish(self) -> Iterator[bytes]:
        for index in list(self.pending):  # a call with no argument fragments is complete at once
            yield from self._input_available(index)
        yield from self._step()
        yield from self._close_block()
        yield _part({"type": "finish-step"})
        yield _part({"type": "finish", "finishReason": FINISH_REASONS.get(self.finish_reason, "other")})
        yield DONE

    def _begin(self) -> Iterator[bytes]:
        if not self.started:
            self.started = True
            yield _part({"type": "start"})

    def _step(self) -> Iterator[bytes]:
        """Open a step before the first part, and a new one after a tool's output when the answer goes on."""
        yield from self._begin()
        if self.after_output:
            yield from self._close_block()
            yield _part({"type": "finish-step"})
            self.step_open, self.after_output = False, False
        if not self.step_open:
            self.step_open = True
            yield _part({"type": "start-step"})

    def _open(self, kind: str) -> Iterator[bytes]:
        yield from self._step()
        if self.block is not None and self.block[0] == kind:
            return
        yield from self._close_block()
        self.block = (kind, f"{'txt' if kind == 'text' else 'rsn'}-{self.blocks}")
        self.blocks += 1
        yield _part({"type": f"{kind}-start", "id": self.block[1]})

    def _close_block(self) -> Iterator[bytes]:
        if self.block is not None:
            yield _part({"type": f"{self.block[0]}-end", "id": self.block[1]})
            self.block = None

    def _input_available(self, index: int) -> Iterator[bytes]:
        call, _ = self.pending.pop(index)
        call_id = self._call_id(call)
        arguments = call_arguments(call)
        if arguments is None:  # cut short by a length limit: the SDK reports input it cannot parse this way
            error = f"Invalid input for tool {call.name}: the input is not valid JSON."
            yield _part({"type": "tool-input-error", "toolCallId": call_id, "toolName": call.name, "input": call.arguments, "errorText": error})
            return
        yield _part({"type": "tool-input-available", "toolCallId": call_id, "toolName": call.name, "input": arguments})
        if call.output is not None:
            yield _part({"type": "tool-output-available", "toolCallId": call_id, "output": call.output})
            self.after_output = True

    def _call_id(self, call: ToolCall) -> str:
        return call.id or self.call.tool_call_id(call.index)


def _part(value: dict[str, Any]) -> bytes:
    return ("data: " + compact_json(value) + "\n\n").encode()


def _add_whole_part(parts: list[dict[str, Any]], event: Event, call: Call) -> None:
    """Add an event to a whole UIMessage's parts, joining consecutive text or reasoning."""
    if isinstance(event, (Text, Think)):
        kind = "text" if isinstance(event, Text) else "reasoning"
        if parts and parts[-1]["type"] == kind:
            parts[-1]["text"] += event.text
        else:
            parts.append({"type": kind, "text": event.text})
    elif isinstance(event, ToolCall) and call_arguments(event) is not None:  # a call cut short is left out
        part = {"type": f"tool-{event.name}", "toolCallId": event.id or call.tool_call_id(event.index), "input": call_arguments(event)}
        if event.output is not None:
            parts.append({**part, "state": "output-available", "output": event.output})
        else:
            parts.append({**part, "state": "input-available"})


def _without_messages(incoming: Incoming) -> Incoming:
    """The request with `messages` dropped, so the lenient reader takes model, stream and mock_scenario from it."""
    body = {key: value for key, value in incoming.json.items() if key != "messages"}
    return Incoming(incoming.method, incoming.path, incoming.query, incoming.headers, incoming.body, body, None, incoming.match_info)


def _ui_conversation(messages: list[Any]) -> dict[str, Any]:
    """The neutral conversation of UIMessages: text per message, tool parts with output as tool results."""
    turns: list[tuple[str, str]] = []
    results: list[ToolResult] = []
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in _ROLES or not isinstance(message.get("parts"), list):
            raise bad_request(f"'messages[{i}]' must be a UI message with 'role' (system, user or assistant) and 'parts'.", f"messages[{i}]")
        role = message["role"]
        if role == "user":
            results = []
        parts = [p for p in message["parts"] if isinstance(p, dict)]
        turns.append((role, "".join(p["text"] for p in parts if p.get("type") == "text" and isinstance(p.get("text"), str))))
        results += [result for part in parts if (result := _tool_result(part)) is not None]
    return {
        "messages": tuple(turns),
        "system": "\n".join(text for role, text in turns if role == "system"),
        "tool_results": tuple(results),
        "assistant_turns": sum(1 for role, _ in turns if role == "assistant"),
    }


def _tool_result(part: dict[str, Any]) -> ToolResult | None:
    """A tool part's result: its output once available (or its error text)."""
    kind = part.get("type")
    if not isinstance(kind, str) or not (kind.startswith("tool-") or kind == "dynamic-tool"):
        return None
    name = part.get("toolName") if kind == "dynamic-tool" else kind[len("tool-") :]
    call_id = part.get("toolCallId")
    if part.get("state") == "output-available":
        output = part.get("output")
        return ToolResult(output if isinstance(output, str) else compact_json(output), name, call_id)
    if part.get("state") == "output-error":
        return ToolResult(str(part.get("errorText", "")), name, call_id)
    return None
