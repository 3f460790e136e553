"""Read Anthropic Messages answers: the typed SSE events of a stream, and a whole message's content blocks."""

from __future__ import annotations

import json
from typing import Any

from mockllm.dialects.anthropic import ERROR_TYPES, STOP_REASONS
from mockllm.dialects.base import compact_json
from mockllm.record.answer import Answer
from mockllm.record.frames import Reads, sse_data

ENDS = (b"event: message_stop", b"event: error")
#: A stop reason as the scenario's finish reason.
FINISHES: dict[str | None, str] = {stop: finish for finish, stop in STOP_REASONS.items()}
#: An error type as its HTTP status, for an error event (which has none).
STATUSES: dict[str | None, int] = {kind: status for status, kind in ERROR_TYPES.items() if kind != "invalid_request_error"}


def read_stream(reads: Reads) -> Answer:
    """A Messages stream as an Answer: text, thinking and `tool_use` blocks by index, the stop reason, an error event."""
    return Answer.of_frames(sse_data(reads), read_event)


def read_event(answer: Answer, event: Any) -> None:
    """Read one Messages stream event into the answer."""
    kind = event.get("type")
    if kind == "content_block_start":
        block = event["content_block"]
        if block.get("type") == "tool_use":
            answer.tool_fragment(event["index"], id=block.get("id"), name=block.get("name"))
        else:
            _text_block(answer, block)
    elif kind == "content_block_delta":
        delta = event["delta"]
        if delta.get("type") == "text_delta":
            answer.say(delta["text"])
        elif delta.get("type") == "thinking_delta":
            answer.think(delta["thinking"])
        elif delta.get("type") == "input_json_delta":
            answer.tool_fragment(event["index"], arguments=delta["partial_json"])
    elif kind == "message_delta":
        answer.finish = FINISHES.get((event.get("delta") or {}).get("stop_reason"), answer.finish)
    elif kind == "error":
        error = event.get("error") or {}
        answer.fail(_error_fields(error, STATUSES.get(error.get("type"))), in_stream=True)


def _text_block(answer: Answer, block: dict[str, Any]) -> None:
    """The text of a text or thinking block (a streamed one starts empty); other blocks say nothing."""
    if block.get("type") == "text":
        answer.say(block.get("text") or "")
    elif block.get("type") == "thinking":
        answer.think(block.get("thinking") or "")


def read_whole(status: int, body: bytes, at: float) -> Answer:
    """A whole message (or an error body) as an Answer."""
    data = json.loads(body)
    answer = Answer(arrivals=[at])
    if status >= 400 or data.get("type") == "error":
        answer.fail(_error_fields(data.get("error") or {}, status))
        return answer
    for block in data.get("content") or ():
        if block.get("type") == "tool_use":
            answer.tool_call(block["name"], compact_json(block.get("input") or {}), block.get("id"))
        else:
            _text_block(answer, block)
    answer.finish = FINISHES.get(data.get("stop_reason"))
    return answer


def _error_fields(error: dict[str, Any], status: int | None) -> dict[str, Any]:
    return {"status": status, "type": error.get("type"), "message": error.get("message")}
