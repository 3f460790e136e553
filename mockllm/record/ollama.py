"""Read Ollama answers of `/api/chat` and `/api/generate`: NDJSON objects streamed, or one object whole."""

from __future__ import annotations

import json
from typing import Any

from mockllm.core.request import ChatRequest
from mockllm.dialects.base import compact_json
from mockllm.dialects.ollama import OllamaRequest
from mockllm.record.answer import Answer
from mockllm.record.frames import Reads, json_values

ENDS = (b'"done":true', b'"error":')
#: A `done_reason` as the scenario's finish reason, for the ones a scenario sets.
FINISHES = {"length": "length"}


def records(chat: ChatRequest) -> bool:
    """Whether the request asks for an answer (one without messages or prompt only loads or unloads the model)."""
    return not (isinstance(chat, OllamaRequest) and chat.loading is not None)


def read_stream(reads: Reads) -> Answer:
    """A streamed answer, one JSON object a line, as an Answer."""
    return Answer.of_frames(json_values(reads), _object)


def _object(answer: Answer, line: Any) -> None:
    """One object: a chat `message` (content, thinking, whole tool calls) or generate's `response` and `thinking`."""
    if "error" in line:
        answer.fail({"message": line["error"]}, in_stream=True)
        return
    message = line.get("message") or {}
    answer.think(message.get("thinking") or line.get("thinking") or "")
    answer.say(message.get("content") or line.get("response") or "")
    for call in message.get("tool_calls") or ():
        function = call.get("function") or {}
        answer.tool_call(function["name"], compact_json(function.get("arguments") or {}), call.get("id"))
    if line.get("done"):
        answer.finish = FINISHES.get(line.get("done_reason"))


def read_whole(status: int, body: bytes, at: float) -> Answer:
    """A whole answer (or an error body, `{"error": "…"}`) as an Answer."""
    data = json.loads(body)
    answer = Answer(arrivals=[at])
    if status >= 400 or "error" in data:
        answer.fail({"status": status, "message": data.get("error")})
    else:
        _object(answer, data)
    return answer
