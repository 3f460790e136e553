"""What one request asked for, and everything one run of a scenario needs."""

from __future__ import annotations

import random
import string
import time
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from mockllm.core.request import ChatRequest
from mockllm.scenarios.wire import WireConfig

if TYPE_CHECKING:
    from mockllm.core.events import Error
    from mockllm.scenarios.scenario import Scenario, StreamConfig
    from mockllm.stream.attempts import Attempt

FIXED_CREATED = 1_735_689_600  # 2025-01-01T00:00:00Z, used when a seed fixes the run
_ID_ALPHABET = string.ascii_letters + string.digits


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
