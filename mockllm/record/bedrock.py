"""Read Bedrock answers: ConverseStream's event-stream messages, a whole Converse body, and InvokeModel's Anthropic events in `chunk`s."""

from __future__ import annotations

import base64
import json
from typing import Any, Iterator

from mockllm.core import eventstream
from mockllm.dialects.base import compact_json
from mockllm.dialects.bedrock import STOP_REASONS
from mockllm.record import anthropic
from mockllm.record.answer import Answer
from mockllm.record.frames import Reads, Timeline

#: A stream's last messages: `messageStop` (its `:event-type` header), an exception, or the chunk of `message_stop` (base64 of its start).
ENDS = (b"messageStop", b"exception")
INVOKE_ENDS = (base64.b64encode(b'{"type":"message_stop"')[:24], b"exception")
#: A stop reason as the scenario's finish reason.
FINISHES: dict[str | None, str] = {stop: finish for finish, stop in STOP_REASONS.items()}


def _messages(reads: Reads) -> Iterator[tuple[float, eventstream.Message]]:
    """Each event-stream message with when it had arrived."""
    timeline = Timeline(reads)
    for message in eventstream.messages(timeline.body):
        yield timeline.at(message.end), message


def read_converse_stream(reads: Reads) -> Answer:
    """A ConverseStream answer: text, reasoning and tool use blocks by index, the stop reason, an exception that ended it."""
    return Answer.of_frames(_messages(reads), _converse_event)


def _converse_event(answer: Answer, message: eventstream.Message) -> None:
    headers, payload = message.headers, json.loads(message.payload)
    if _failed(answer, headers, payload):
        return
    kind = headers.get(":event-type")
    if kind == "contentBlockStart":
        use = (payload.get("start") or {}).get("toolUse")
        if use:
            answer.tool_fragment(payload["contentBlockIndex"], id=use.get("toolUseId"), name=use.get("name"))
    elif kind == "contentBlockDelta":
        delta = payload.get("delta") or {}
        answer.say(delta.get("text") or "")
        answer.think((delta.get("reasoningContent") or {}).get("text") or "")
        if "toolUse" in delta:
            answer.tool_fragment(payload["contentBlockIndex"], arguments=delta["toolUse"].get("input") or "")
    elif kind == "messageStop":
        answer.finish = FINISHES.get(payload.get("stopReason"), answer.finish)


def _failed(answer: Answer, headers: dict[str, str], payload: dict[str, Any]) -> bool:
    """Note an exception message as the error the stream ended with (`throttlingException` → type `ThrottlingException`)."""
    if headers.get(":message-type") != "exception":
        return False
    name = headers.get(":exception-type", "")
    answer.fail({"type": name[:1].upper() + name[1:], "message": payload.get("message")}, in_stream=True)
    return True


def read_converse_whole(status: int, body: bytes, at: float) -> Answer:
    """A whole Converse answer (or an error body, `{"message": …}`) as an Answer."""
    data = json.loads(body)
    answer = Answer(arrivals=[at])
    if status >= 400:
        answer.fail({"status": status, "message": data.get("message") or data.get("Message")})
        return answer
    for block in ((data.get("output") or {}).get("message") or {}).get("content") or ():
        answer.say(block.get("text") or "")
        answer.think(((block.get("reasoningContent") or {}).get("reasoningText") or {}).get("text") or "")
        use = block.get("toolUse")
        if use:
            answer.tool_call(use["name"], compact_json(use.get("input") or {}), use.get("toolUseId"))
    answer.finish = FINISHES.get(data.get("stopReason"))
    return answer


def read_invoke_stream(reads: Reads) -> Answer:
    """An InvokeModelWithResponseStream answer: the Anthropic events inside its `chunk`s, read as Anthropic's stream is."""
    return Answer.of_frames(_messages(reads), _invoke_event)


def _invoke_event(answer: Answer, message: eventstream.Message) -> None:
    headers, payload = message.headers, json.loads(message.payload)
    if not _failed(answer, headers, payload) and headers.get(":event-type") == "chunk":
        anthropic.read_event(answer, json.loads(base64.b64decode(payload["bytes"])))


def read_invoke_whole(status: int, body: bytes, at: float) -> Answer:
    """A whole InvokeModel answer: an Anthropic message, or Bedrock's error body."""
    if status >= 400:
        return read_converse_whole(status, body, at)
    return anthropic.read_whole(status, body, at)
