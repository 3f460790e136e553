"""The scenario file format (schema 1): pacing, match rules and steps."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from mockllm.scenarios.attempts import AfterAttempts, AttemptOutcome
from mockllm.scenarios.faults import FaultEntry
from mockllm.scenarios.framings import FramingOptions
from mockllm.scenarios.linear_regex import LinearRegex
from mockllm.scenarios.steps import Step
from mockllm.scenarios.strict_model import NAME_PATTERN, Strict
from mockllm.scenarios.wire import WireConfig


class StreamConfig(Strict):
    """How text is cut into deltas and paced."""

    unit: Literal["char", "codepoint", "word", "token"] = Field(
        "token", description="char: a visible character (grapheme cluster); codepoint: one code point; word; token"
    )
    per_delta: int = Field(1, ge=1, description="units per delta")
    delay_ms: float = Field(30, ge=0, description="between deltas")
    jitter_ms: float = Field(0, ge=0, description="uniform +/- around delay_ms, from the seeded RNG")
    first_token_ms: float = Field(200, ge=0, description="before the first delta")
    end_ms: float | None = Field(None, ge=0, description="after the last delta, before the closing frames; default delay_ms")


class ToolResultMatch(Strict):
    """Which tool result the request must carry: by the tool's name and/or a regex on its content."""

    name: str | None = None
    content: LinearRegex | None = Field(None, description="searched in the result's content")


class Match(Strict):
    """What a request must satisfy to pick this scenario; every given rule must hold.

    Regexes are searched (not anchored) by RE2, in linear time, over the
    first 64 Ki characters (`mockllm.scenarios.linear_regex`). `tool_result` is `true` (the request
    carries tool results since its last user message), a tool name, or
    `{name, content}`; `turn` counts the assistant turns so far (0 on the first
    request); `has_tools` / `tool` test the tools offered.
    """

    message: LinearRegex | None = Field(None, description="searched in the last user message")
    model: LinearRegex | None = Field(None, description="searched in the requested model name")
    path: LinearRegex | None = Field(None, description="searched in the request path")
    system: LinearRegex | None = Field(None, description="searched in the system prompt")
    tool_result: bool | ToolResultMatch | None = None
    turn: int | None = Field(None, ge=0, description="assistant turns so far")
    has_tools: bool | None = None
    tool: str | None = Field(None, description="the request offers a tool of this name")

    @field_validator("tool_result", mode="before")
    @classmethod
    def _name_alone(cls, value: object) -> object:
        return {"name": value} if isinstance(value, str) else value


class Scenario(Strict):
    """One named scenario."""

    schema_version: Literal[1] = Field(alias="schema")
    kind: Literal["scenario"] = "scenario"
    name: str = Field(pattern=NAME_PATTERN, max_length=64)
    description: str
    match: Match | None = None
    stream: StreamConfig = Field(default_factory=StreamConfig)
    wire: WireConfig = Field(default_factory=WireConfig)
    framing: FramingOptions | None = Field(None, description="changes to the app framing it is served in")
    steps: list[Step] = Field(default_factory=list, min_length=1)
    attempts: list[AttemptOutcome] | None = Field(None, min_length=1, description="outcomes of attempt 1, 2, … of a session")
    after_attempts: AfterAttempts = Field("repeat_last", description="after the last attempt: repeat_last or cycle")
    faults: list[FaultEntry] = Field(default_factory=list, description="transport faults (see mockllm.scenarios.faults)")
    structured: Literal["conform", "as_is"] = Field(
        "conform", description="with a JSON response_format: conform = a non-conforming text becomes a generated document"
    )
    tool_choice: Literal["obey", "as_is"] = Field(
        "obey", description="with a forced or `none` tool_choice: obey = answer as a model must (see stream.transforms.tool_choice)"
    )

    @model_validator(mode="after")
    def _steps_or_attempts(self) -> Scenario:
        if bool(self.steps) == bool(self.attempts):
            raise ValueError("a scenario has steps or attempts (one of them)")
        return self
