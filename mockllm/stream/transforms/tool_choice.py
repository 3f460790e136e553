"""Tool choice: an answer obeys the request's `tool_choice` as a provider's model must.

A forced choice (`required` or a named function on OpenAI's routes,
Anthropic's `any` / `tool`, Gemini's `ANY`) turns an answer that calls no
tool into a call of the forced tool: the named one, else (`required` alone)
the last tool offered, which is where agent frameworks put their output
tool. Its arguments are generated from the tool's schema with the call's
seeded RNG, as `arguments: {from_schema: true}` does; the scenario's text
is dropped (its reasoning stays) and the answer finishes with `tool_calls`.
An answer that already calls a tool, or ends in an error, is left as it is.

`tool_choice: none` (Anthropic `none`, Gemini `NONE`) drops the scenario's
tool calls: the text it says around them stays, and an answer that was
only tool calls becomes an empty answer finishing with `stop`.

A scenario with `tool_choice: as_is` is answered as written, to test how a
client copes with a model that ignores the choice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Iterator

from mockllm.core.events import Error, Event, Finish, Text, ToolArgs, ToolCall
from mockllm.stream.compile import schema_arguments

if TYPE_CHECKING:
    from mockllm.stream.call import Call


def obey_tool_choice(events: Iterable[Event], call: Call) -> Iterable[Event]:
    """The events as a model obeying the request's tool choice would answer (unchanged without one)."""
    chat = call.chat
    if call.scenario.tool_choice == "as_is" or not chat.tools:
        return events
    if chat.tool_choice == "none":
        return _without_calls(events)
    if chat.tool_choice == "required":
        return _forced(list(events), call)
    return events


def _without_calls(events: Iterable[Event]) -> Iterator[Event]:
    """The events with every tool call and its arguments dropped, a `tool_calls` finish made `stop`."""
    for event in events:
        if isinstance(event, (ToolCall, ToolArgs)):
            continue
        yield Finish("stop") if isinstance(event, Finish) and event.reason == "tool_calls" else event


def _forced(held: list[Event], call: Call) -> Iterator[Event]:
    """The held answer with its text replaced by a call of the forced tool, unless it calls a tool or fails."""
    if any(isinstance(event, (ToolCall, Error)) for event in held):
        yield from held
        return
    chat = call.chat
    tool = chat.tool(chat.forced_tool) if chat.forced_tool else chat.tools[-1]
    assert tool is not None  # a dialect accepts a forced name only among the offered tools
    arguments = schema_arguments(tool, call)
    if isinstance(arguments, Error):
        call.errors.append(arguments)
        yield arguments
        return
    forced = ToolCall(call.next_tool_index(), None, tool.name, arguments)
    placed = False
    for event in held:
        if isinstance(event, Text):
            if not placed:
                placed = True
                yield forced
        elif not isinstance(event, Finish):
            yield event
    if not placed:
        yield forced
    yield Finish("tool_calls")
