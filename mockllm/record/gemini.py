"""Read Gemini answers: `GenerateContentResponse` chunks streamed as SSE or as a JSON array, and whole."""

from __future__ import annotations

import json
from typing import Any

from mockllm.core.request import ChatRequest
from mockllm.dialects.base import compact_json
from mockllm.dialects.gemini import GeminiRequest
from mockllm.record.answer import Answer
from mockllm.record.frames import Reads, json_values, sse_data

#: The last chunk has the finish reason (an error, if any, ends the stream too).
ENDS = (b'"finishReason"', b'"error"')
FILTERED = ("SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY")
#: A finish reason as the scenario's, for the ones a scenario sets.
FINISHES = {"MAX_TOKENS": "length", **dict.fromkeys(FILTERED, "content_filter")}


def records(chat: ChatRequest) -> bool:
    """Whether the request asks for an answer (`countTokens` counts, and is not recorded)."""
    return not (isinstance(chat, GeminiRequest) and chat.count_tokens)


def read_stream(reads: Reads) -> Answer:
    """A streamed answer as an Answer: SSE events (`?alt=sse`), or the elements of one JSON array."""
    first = next((data.lstrip()[:1] for _, data in reads if data.strip()), b"")
    return Answer.of_frames(json_values(reads) if first == b"[" else sse_data(reads), _chunk)


def _chunk(answer: Answer, chunk: Any) -> None:
    if "error" in chunk:
        answer.fail(_error_fields(chunk["error"], None), in_stream=True)
        return
    for candidate in (chunk.get("candidates") or ())[:1]:
        for part in (candidate.get("content") or {}).get("parts") or ():
            call = part.get("functionCall")
            if call:
                answer.tool_call(call["name"], compact_json(call.get("args") or {}), call.get("id"))
            elif part.get("thought"):
                answer.think(part.get("text") or "")
            else:
                answer.say(part.get("text") or "")
        answer.finish = FINISHES.get(candidate.get("finishReason"), answer.finish)


def read_whole(status: int, body: bytes, at: float) -> Answer:
    """A whole answer (or an error body) as an Answer."""
    data = json.loads(body)
    answer = Answer(arrivals=[at])
    if status >= 400 or "error" in data:
        answer.fail(_error_fields(data.get("error") or {}, status))
    else:
        _chunk(answer, data)
    return answer


def _error_fields(error: dict[str, Any], status: int | None) -> dict[str, Any]:
    """A Google error's fields: its numeric `code` is the HTTP status (the status name follows from it on replay)."""
    return {"status": error.get("code") or status, "message": error.get("message")}
