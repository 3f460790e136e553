"""Outcomes by attempt ("429, 429, then the answer"): the `attempts:` key of a scenario file.

A scenario's `attempts:` lists what attempt 1, 2, … of one session gets: its
own steps, or another scenario played as it is. After the last, `after_attempts`
says what follows: `repeat_last` (the default) or `cycle` (start over). The
counting is `mockllm.stream.attempts`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, model_validator

from mockllm.scenarios.steps import Step
from mockllm.scenarios.strict_model import NAME_PATTERN, Strict

if TYPE_CHECKING:
    pass

AfterAttempts = Literal["repeat_last", "cycle"]


class AttemptOutcome(Strict):
    """What one attempt gets: a list of steps, or `{scenario: NAME}`."""

    steps: list[Step] | None = Field(None, min_length=1)
    scenario: str | None = Field(None, pattern=NAME_PATTERN, description="another scenario, played as it is")

    @model_validator(mode="before")
    @classmethod
    def _steps_alone(cls, data: Any) -> Any:
        return {"steps": data} if isinstance(data, list) else data

    @model_validator(mode="after")
    def _exactly_one(self) -> AttemptOutcome:
        if (self.steps is None) == (self.scenario is None):
            raise ValueError("an attempt is a list of steps or {scenario: NAME}")
        return self


def outcome_index(attempt: int, count: int, after: AfterAttempts) -> int:
    """The 0-based outcome of 1-based `attempt` among `count` outcomes."""
    if attempt <= count:
        return attempt - 1
    return count - 1 if after == "repeat_last" else (attempt - 1) % count


