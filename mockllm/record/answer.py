"""What an upstream answered, as a scenario needs it: its output in order, how it finished, and when each piece came."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Hashable, Iterable, Literal, Union


@dataclass
class Said:
    """A run of text or of reasoning (`say` or `think`)."""

    kind: Literal["say", "think"]
    text: str


@dataclass
class ToolCallDraft:
    """A tool call as it arrives: its id and name once, its arguments (JSON text) whole or in pieces."""

    id: str = ""
    name: str = ""
    arguments: str = ""


Output = Union[Said, ToolCallDraft]


@dataclass
class Answer:
    """An answer read from the wire, the same for every dialect.

    `arrivals` are the times (ms after the request) of the frames that carried
    output; a whole answer has one, when its body came. `error` holds the
    error's fields (`status`, `message`, `type`, `code`, `param`;
    `delivery: in_band` for one that came inside a stream).
    """

    output: list[Output] = field(default_factory=list)
    finish: str | None = None
    error: dict[str, Any] | None = None
    arrivals: list[float] = field(default_factory=list)
    _calls: dict[Hashable, ToolCallDraft] = field(default_factory=dict, repr=False)
    _pieces: int = field(default=0, repr=False)  # output pieces added so far

    @classmethod
    def of_frames(cls, frames: Iterable[tuple[float, Any]], take: Callable[[Answer, Any], None]) -> Answer:
        """The answer a stream's frames make: `take` reads each into it; a frame that adds output is an arrival."""
        answer = cls()
        for at, frame in frames:
            before = answer._pieces
            take(answer, frame)
            if answer._pieces != before:
                answer.arrivals.append(at)
        return answer

    def say(self, text: str) -> None:
        """Add answer text."""
        self._add("say", text)

    def think(self, text: str) -> None:
        """Add reasoning text."""
        self._add("think", text)

    def _add(self, kind: Literal["say", "think"], text: str) -> None:
        if not text:
            return
        last = self.output[-1] if self.output else None
        if isinstance(last, Said) and last.kind == kind:
            last.text += text
        else:
            self.output.append(Said(kind, text))
        self._pieces += 1

    def tool_fragment(self, key: Hashable, *, id: str | None = None, name: str | None = None, arguments: str | None = None) -> None:
        """Merge one piece of the streamed tool call `key` (its index): id and name once, arguments in pieces."""
        call = self._calls.get(key)
        if call is None:
            call = self._calls[key] = ToolCallDraft()
            self.output.append(call)
        call.id = id or call.id
        call.name += name or ""
        call.arguments += arguments or ""
        self._pieces += bool(id or name or arguments)

    def tool_call(self, name: str, arguments: str, id: str | None = None) -> None:
        """Add a tool call that came whole."""
        self.output.append(ToolCallDraft(id or "", name, arguments))
        self._pieces += 1

    def fail(self, fields: dict[str, Any], in_stream: bool = False) -> None:
        """Note the error the answer ended with (its fields; `in_stream` when it came inside a stream)."""
        self.error = {**fields, "delivery": "in_band"} if in_stream else fields

    @property
    def texts(self) -> list[str]:
        """Every text the answer streams: its runs of text and reasoning, and its tool calls' arguments."""
        return [part.text if isinstance(part, Said) else part.arguments for part in self.output]
