"""Read OpenAI answers: Chat Completions (`data: {chunk}` events, `[DONE]`) and Responses (typed events), streamed and whole."""

from __future__ import annotations

import json
from typing import Any

from mockllm.record.answer import Answer
from mockllm.record.frames import Reads, sse_data

#: What starts a stream's last frames: `[DONE]`, or an error chunk (nothing follows it).
CHAT_ENDS = (b"data: [DONE]", b'{"error"')
RESPONSES_ENDS = (b"event: response.completed", b"event: response.failed", b"event: response.incomplete", b"event: error")


def read_chat_stream(reads: Reads) -> Answer:
    """A Chat Completions stream as an Answer."""
    return Answer.of_frames(sse_data(reads), _chat_chunk)


def _chat_chunk(answer: Answer, chunk: Any) -> None:
    if "error" in chunk:
        answer.fail(chunk["error"], in_stream=True)
        return
    for choice in chunk.get("choices") or ():
        delta = choice.get("delta") or {}
        answer.think(delta.get("reasoning_content") or "")
        answer.say(delta.get("content") or "")
        for fragment in delta.get("tool_calls") or ():
            function = fragment.get("function") or {}
            answer.tool_fragment(int(fragment.get("index", 0)), id=fragment.get("id"), name=function.get("name"), arguments=function.get("arguments"))
        answer.finish = choice.get("finish_reason") or answer.finish


def read_chat_whole(status: int, body: bytes, at: float) -> Answer:
    """A whole Chat Completions answer (or an error body) as an Answer."""
    data = json.loads(body)
    answer = Answer(arrivals=[at])
    if status >= 400 or "error" in data:
        answer.fail({**(data.get("error") or {}), "status": status})
        return answer
    choice = (data.get("choices") or [{}])[0]
    message = choice.get("message") or {}
    answer.think(message.get("reasoning_content") or "")
    answer.say(message.get("content") or "")
    for call in message.get("tool_calls") or ():
        answer.tool_call(call["function"]["name"], call["function"].get("arguments", ""), call.get("id"))
    answer.finish = choice.get("finish_reason")
    return answer


def read_responses_stream(reads: Reads) -> Answer:
    """A Responses stream as an Answer."""
    return Answer.of_frames(sse_data(reads), _responses_event)


def _responses_event(answer: Answer, event: Any) -> None:
    kind, item = event.get("type"), event.get("item") or {}
    if kind == "response.output_text.delta":
        answer.say(event["delta"])
    elif kind == "response.reasoning_summary_text.delta":
        answer.think(event["delta"])
    elif kind == "response.output_item.added" and item.get("type") == "function_call":
        answer.tool_fragment(event["output_index"], id=item.get("call_id"), name=item.get("name"))
    elif kind == "response.function_call_arguments.delta":
        answer.tool_fragment(event["output_index"], arguments=event["delta"])
    elif kind == "error":
        answer.fail({k: event.get(k) for k in ("message", "code", "param")}, in_stream=True)
    elif kind == "response.incomplete":
        reason = (event["response"].get("incomplete_details") or {}).get("reason")
        answer.finish = "length" if reason == "max_output_tokens" else "content_filter"


def read_responses_whole(status: int, body: bytes, at: float) -> Answer:
    """A whole Responses answer (or an error body) as an Answer."""
    data = json.loads(body)
    answer = Answer(arrivals=[at])
    if status >= 400 or data.get("error"):
        answer.fail({**(data.get("error") or {}), "status": status})
        return answer
    for item in data.get("output") or ():
        if item.get("type") == "message":
            answer.say("".join(part.get("text", "") for part in item.get("content") or () if part.get("type") == "output_text"))
        elif item.get("type") == "reasoning":
            answer.think("".join(part.get("text", "") for part in item.get("summary") or ()))
        elif item.get("type") == "function_call":
            answer.tool_call(item["name"], item.get("arguments", ""), item.get("call_id"))
    return answer
