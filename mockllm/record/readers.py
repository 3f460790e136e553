"""The dialects whose answers are recorded, how each one's answers are read, and which one serves a request."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from mockllm.core.request import ChatRequest
from mockllm.dialects import DIALECTS
from mockllm.record import anthropic, bedrock, gemini, ollama, openai
from mockllm.record.answer import Answer
from mockllm.record.frames import Reads


def every_request(chat: ChatRequest) -> bool:
    """Record every request of the route."""
    return True


@dataclass(frozen=True)
class Reader:
    """How one dialect's answers are read for recording (its requests are parsed by the dialect itself)."""

    stream: Callable[[Reads], Answer]
    whole: Callable[[int, bytes, float], Answer]
    #: What starts a stream's last frames: the read holding it, and any after it, are relayed only once the turn is written.
    ends: tuple[bytes, ...]
    #: Whether a request (as the dialect parsed it) asks for an answer worth recording.
    records: Callable[[ChatRequest], bool] = every_request

    def ends_in(self, data: bytes) -> bool:
        """Whether `data` holds the start of the stream's last frames."""
        return any(end in data for end in self.ends)


_CHAT = Reader(openai.read_chat_stream, openai.read_chat_whole, openai.CHAT_ENDS)
_MESSAGES = Reader(anthropic.read_stream, anthropic.read_whole, anthropic.ENDS)
_GEMINI = Reader(gemini.read_stream, gemini.read_whole, gemini.ENDS, gemini.records)
#: Dialects whose answers are recorded, by name.
READERS: dict[str, Reader] = {
    "openai": _CHAT,
    "azure-openai": _CHAT,
    "openai_responses": Reader(openai.read_responses_stream, openai.read_responses_whole, openai.RESPONSES_ENDS),
    "anthropic": _MESSAGES,
    "vertex-anthropic": _MESSAGES,
    "gemini": _GEMINI,
    "vertex-gemini": _GEMINI,
    "ollama": Reader(ollama.read_stream, ollama.read_whole, ollama.ENDS, ollama.records),
    "bedrock": Reader(bedrock.read_converse_stream, bedrock.read_converse_whole, bedrock.ENDS),
    "bedrock-invoke": Reader(bedrock.read_invoke_stream, bedrock.read_invoke_whole, bedrock.INVOKE_ENDS),
}
#: The longest end marker, for finding one split across two reads.
LONGEST_END = max(len(end) for reader in READERS.values() for end in reader.ends)


def find_reader(method: str, path: str) -> tuple[str, Reader, dict[str, str]] | None:
    """The recorded dialect serving `method path`, its reader, and the path's parameters (Azure's deployment, Gemini's model)."""
    for name, reader in READERS.items():
        for route in DIALECTS[name].routes:
            verb, pattern = route.split(" ", 1)
            found = re.fullmatch(_route_regex(pattern), path) if verb == method else None
            if found:
                return name, reader, found.groupdict()
    return None


def _route_regex(pattern: str) -> str:
    """An aiohttp route path (`/x/{name}/y`) as a regex with a named group per parameter."""
    parts = re.split(r"\{(\w+)\}", pattern)
    return "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>[^/]+)" for i, part in enumerate(parts))
