"""What one request asked for, and everything one run of a scenario needs."""

from __future__ import annotations

import random
import string
import time
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Mapping

from mockllm.core import tokens
from mockllm.scenarios.wire import WireConfig

if TYPE_CHECKING:
    from mockllm.scenarios.attempts import Attempt
    from mockllm.core.events import Error
    from mockllm.scenarios.scenario import Scenario, StreamConfig

FIXED_CREATED = 1_735_689_600  # 2025-01-01T00:00:00Z, used when a seed fixes the run
_ID_ALPHABET = string.ascii_letters + string.digits


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


@dataclass
class Call:
    """One run of a scenario for one request: its seed, RNG, speed and ids."""

    chat: ChatRequest
    scenario: Scenario
    seed: int
    seeded: bool
    speed: float
    stream_config: StreamConfig
    wire: WireConfig = field(default_factory=WireConfig)
    attempt: Attempt | None = None
    last_event_id: int | None = None
    id: str = field(init=False)
    created: int = field(init=False)
    fingerprint: str = field(init=False)
    tool_calls_made: int = field(init=False, default=0)
    errors: list[Error] = field(init=False, default_factory=list)  # the errors its scenario sent, for the log and journal
    faults_struck: list[str] = field(init=False, default_factory=list)  # names, as the faults strike

    def __post_init__(self) -> None:
        ids = random.Random(f"ids:{self.seed}")
        self.id = "".join(ids.choices(_ID_ALPHABET, k=29))
        self.fingerprint = "fp_" + "".join(ids.choices("0123456789abcdef", k=10))
        self.created = FIXED_CREATED if self.seeded else int(time.time())

    @cached_property
    def rng(self) -> random.Random:
        """The RNG the answer draws from (templates, jitter, generated arguments): made when first needed, from the seed."""
        return random.Random(self.seed)

    @cached_property
    def fault_rng(self) -> random.Random:
        """The RNG fault `rate`s draw from: seeded from the seed, apart from `rng` so faults never change the text."""
        return random.Random(f"faults:{self.seed}")

    def next_tool_index(self) -> int:
        """Number the next tool call of this answer (0, 1, …)."""
        self.tool_calls_made += 1
        return self.tool_calls_made - 1

    def tool_call_id(self, index: int, prefix: str = "call_") -> str:
        """The id of this answer's tool call number `index`: 24 characters derived from the seed."""
        ids = random.Random(f"tool:{self.seed}:{index}")
        return prefix + "".join(ids.choices(_ID_ALPHABET, k=24))

    @property
    def model(self) -> str:
        """The model name to report: the one asked for, else the scenario's name."""
        return self.chat.model or self.scenario.name
