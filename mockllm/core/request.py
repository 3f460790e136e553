"""A chat request in dialect-neutral form: the conversation, the tools offered, and what the client asks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from mockllm.core import tokens


@dataclass(frozen=True)
class Tool:
    """A tool the request offers: its name, description and JSON Schema of its arguments."""

    name: str
    description: str = ""
    parameters: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ToolResult:
    """A tool's result the request carries back (`name` resolved from the call it answers, when known)."""

    content: str
    name: str | None = None
    call_id: str | None = None


@dataclass(frozen=True)
class ChatRequest:
    """A chat request in dialect-neutral form: the conversation, and what the client offers and asks.

    `messages` are (role, text) pairs with roles `system`, `user`, `assistant`
    and `tool`. `tool_results` are the results since the last user message (an
    agent loop's continuation). `tool_choice` is `auto`, `none` or `required`,
    and `forced_tool` the one tool the client forces. `response_format` is
    `{"type": "json_object"}` or `{"type": "json_schema", "schema": {...}}`.
    `max_tokens` is the request's output-token limit (None: none), and
    `hides_thinking` says the dialect neither shows nor counts reasoning
    (Anthropic without `thinking`).
    """

    messages: tuple[tuple[str, str], ...]
    model: str | None = None
    stream: bool = True
    include_usage: bool = False
    scenario: str | None = None
    body: Mapping[str, Any] = field(default_factory=dict)
    system: str = ""
    tools: tuple[Tool, ...] = ()
    tool_choice: str | None = None
    forced_tool: str | None = None
    tool_results: tuple[ToolResult, ...] = ()
    assistant_turns: int = 0
    response_format: Mapping[str, Any] | None = None
    max_tokens: int | None = None
    hides_thinking: bool = False

    def tool(self, name: str) -> Tool | None:
        """The offered tool called `name`, if any."""
        return next((tool for tool in self.tools if tool.name == name), None)

    @property
    def last_user_message(self) -> str:
        """The text of the last `user` message, or of the last message of any role."""
        for role, text in reversed(self.messages):
            if role == "user":
                return text
        return self.messages[-1][1] if self.messages else ""

    @property
    def prompt_tokens(self) -> int:
        """Approximate prompt tokens (see `tokens.count_messages`)."""
        return tokens.count_messages([text for _, text in self.messages])
