"""`ndjson`: one OpenAI chat-completion chunk object per line, no SSE envelope and no `[DONE]`.

The chunks are the OpenAI dialect's, byte for byte, with `data: ` and the blank
line taken off and no `obfuscation` padding (a backend that builds its own
lines has none); a non-streamed request gets OpenAI's `chat.completion` body.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace

from mockllm.core.events import Error, Event, Respond, WireItem
from mockllm.dialects.apps.base import AppFraming, app_errors
from mockllm.dialects.base import register
from mockllm.dialects.openai import DONE, ChunkFramer, OpenAIChat
from mockllm.stream.call import Call

SSE_PREFIX = b"data: "
SSE_END = b"\n\n"


@register
class NDJson(AppFraming, OpenAIChat):
    """OpenAI chunks as newline-delimited JSON."""

    name = "ndjson"
    content_type = "application/x-ndjson"
    #: no keep-alive filler: every line must be a JSON chunk
    heartbeat = None

    def framer(self, call: Call) -> ChunkFramer:
        return ChunkFramer(call, padded=False)

    def stream(self, events: Iterable[Event], call: Call) -> Iterator[WireItem]:
        for item in OpenAIChat.stream(self, app_errors(events, call.chat), call):
            if item == DONE:
                continue
            yield unwrap_sse(item) if isinstance(item, bytes) else item

    def whole(self, events: Iterable[Event], call: Call) -> Iterator[WireItem]:
        return OpenAIChat.whole(self, app_errors(events, call.chat), call)

    def error_response(self, error: Error) -> Respond:
        """OpenAI's error body; status 200 for an in-band error in a non-streamed answer."""
        respond = OpenAIChat.error_response(self, error)
        return replace(respond, status=200) if error.delivery == "in_band" else respond


def unwrap_sse(frame: bytes) -> bytes:
    """`data: {json}\\n\\n` → `{json}\\n`."""
    if frame.startswith(SSE_PREFIX) and frame.endswith(SSE_END):
        return frame[len(SSE_PREFIX) : -len(SSE_END)] + b"\n"
    return frame
