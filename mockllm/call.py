"""What one request asked for, and everything one run of a scenario needs."""

from __future__ import annotations

import random
import string
import time
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Mapping

from . import tokens
from .wire.config import WireConfig

if TYPE_CHECKING:
    from .attempts import Attempt
    from .scenario import Scenario, StreamConfig

FIXED_CREATED = 1_735_689_600  # 2025-01-01T00:00:00Z, used when a seed fixes the run
_ID_ALPHABET = string.ascii_letters + string.digits


@dataclass(frozen=True)
class ChatRequest:
    """A chat request in dialect-neutral form."""

    messages: tuple[tuple[str, str], ...]
    model: str | None = None
    stream: bool = True
    include_usage: bool = False
    scenario: str | None = None
    body: Mapping[str, Any] = field(default_factory=dict)

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
    rng: random.Random = field(init=False)
    id: str = field(init=False)
    created: int = field(init=False)
    fingerprint: str = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        ids = random.Random(f"ids:{self.seed}")
        self.id = "".join(ids.choices(_ID_ALPHABET, k=29))
        self.fingerprint = "fp_" + "".join(ids.choices("0123456789abcdef", k=10))
        self.created = FIXED_CREATED if self.seeded else int(time.time())

    @cached_property
    def fault_rng(self) -> random.Random:
        """The RNG fault `rate`s draw from: seeded from the seed, apart from `rng` so faults never change the text."""
        return random.Random(f"faults:{self.seed}")

    @property
    def model(self) -> str:
        """The model name to report: the one asked for, else the scenario's name."""
        return self.chat.model or self.scenario.name
