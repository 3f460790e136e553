"""Output-token limits: an answer longer than the request allows is cut there and finishes with `length`.

The limit is the request's `max_tokens` / `max_completion_tokens` (Chat,
Azure, Anthropic), `max_output_tokens` (Responses),
`generationConfig.maxOutputTokens` (Gemini), `options.num_predict`
(Ollama) or `maxOutputTokens` (the AI SDK UI route). Tokens are counted as
`usage` counts them (`core.tokens`): answer text, reasoning the answer shows,
and tool-call arguments. The cut falls on a token boundary; nothing after it
is said but the scenario's `usage`; a tool call cut short keeps its arguments
up to the cut, invalid JSON, as the services stream them. Each dialect maps
the `length` finish to its own reason (Chat `length`, Responses
`incomplete`, Anthropic `max_tokens`, Gemini `MAX_TOKENS`, Ollama
`done_reason: length`, AI SDK `length`).

Runs before chunking, while each event holds a whole step.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Iterable, Iterator

from mockllm.core import tokens
from mockllm.core.events import Event, Finish, Text, Think, ToolCall, Usage

if TYPE_CHECKING:
    from mockllm.stream.call import Call


def limit(events: Iterable[Event], call: Call) -> Iterable[Event]:
    """The events cut at the request's output-token limit (unchanged without one)."""
    if call.chat.max_tokens is None:
        return events
    return _cut(events, call.chat.max_tokens, counts_thinking=not call.chat.hides_thinking)


def _cut(events: Iterable[Event], budget: int, counts_thinking: bool) -> Iterator[Event]:
    left = budget
    stream = iter(events)
    for event in stream:
        if isinstance(event, Think) and not counts_thinking:
            yield event
            continue
        if not isinstance(event, (Text, Think, ToolCall)):
            yield event
            continue
        said = event.arguments if isinstance(event, ToolCall) else event.text
        pieces = list(tokens.tokens(said))
        if len(pieces) <= left:
            left -= len(pieces)
            yield event
            continue
        kept = "".join(pieces[:left])
        if kept:
            yield replace(event, arguments=kept) if isinstance(event, ToolCall) else replace(event, text=kept)
        yield Finish("length")
        yield from (rest for rest in stream if isinstance(rest, Usage))
        return
