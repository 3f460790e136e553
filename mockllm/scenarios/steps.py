"""Scenario steps: their YAML shape (`mockllm.stream.compile` turns them into events).

A step is a one-key mapping (`- say: "你好"`).
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import AliasChoices, Field, field_validator, model_validator

from mockllm.scenarios.faults import DisconnectEntry
from mockllm.scenarios.presets import find_preset, preset_names
from mockllm.scenarios.strict_model import Strict
from mockllm.scenarios.text import TextSource

FinishReason = Literal["stop", "length", "content_filter", "tool_calls"]


class UsageStep(Strict):
    """Token counts to report instead of the counted ones."""

    prompt_tokens: int | None = Field(None, ge=0)
    completion_tokens: int | None = Field(None, ge=0)


class ErrorStep(Strict):
    """A failure: an HTTP error before the first byte, an in-stream error frame after (see `Error`).

    `preset` names a provider error (see `mockllm.scenarios.presets`); the other keys
    override its fields, `headers` and `extra` merge into its own. A bare
    string (`error: rate_limited`) is a preset name.
    """

    preset: str | None = Field(None, description="a provider error by symptom, e.g. rate_limited")
    message: str | None = Field(None, validation_alias=AliasChoices("message", "msg"))
    status: int | None = Field(None, ge=400, le=599, description="default: the preset's, else 500")
    code: int | str | None = None
    type: str | None = None
    param: str | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    extra: dict[str, Any] = Field(default_factory=dict, description="more fields of the error object (override the shaped ones)")
    retry: bool | None = Field(None, description="sends `x-should-retry: true|false`, which the official SDKs obey")
    rate: float | None = Field(None, ge=0, le=1, description="chance it strikes (else it is skipped), from the seeded fault RNG")
    delivery: Literal["auto", "in_band", "chunked", "length"] = "auto"

    @model_validator(mode="before")
    @classmethod
    def _preset_name_alone(cls, data: Any) -> Any:
        return {"preset": data} if isinstance(data, str) else data

    @field_validator("preset")
    @classmethod
    def _known_preset(cls, name: str | None) -> str | None:
        if name is not None:
            find_preset(name)
        return name

    @model_validator(mode="after")
    def _has_message(self) -> ErrorStep:
        if self.preset is None and self.message is None:
            raise ValueError(f"an error needs a message (or a preset: {', '.join(preset_names())})")
        return self

    @classmethod
    def valid_keys(cls) -> set[str]:
        """`message` and its alias `msg`, and the other fields."""
        return {*cls.model_fields, "msg"}


class FromSchema(Strict):
    """Arguments generated (seeded) from the JSON Schema of the request's tool: `{from_schema: true}`."""

    from_schema: Literal[True]
    all_properties: bool = Field(False, description="also fill every optional property")


class ToolCallStep(Strict):
    """A call of a tool: `tool_call: {name: get_weather, arguments: {city: 北京}}`.

    `name: auto` calls the tool the request forces with `tool_choice`, else its
    first tool. `arguments` is a mapping, a JSON text, or `{from_schema: true}`.
    `id` replaces the seeded call id; `output` is the tool's result for UI
    streams that show one (the AI SDK's `tool-output-available`).
    """

    name: str = Field(min_length=1, max_length=64)
    arguments: FromSchema | dict[str, Any] | str = Field(default_factory=dict)
    id: str | None = Field(None, min_length=1, max_length=128)
    output: Any = None

    @field_validator("arguments")
    @classmethod
    def _json_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                json.loads(value)
            except ValueError as exc:
                raise ValueError(f"arguments given as text must be JSON: {exc}") from None
        return value


class Step(Strict):
    """One step of a scenario; exactly one key is set."""

    say: TextSource | None = None
    think: TextSource | None = None
    pause: float | None = Field(None, ge=0, description="milliseconds")
    finish: FinishReason | None = None
    usage: UsageStep | None = None
    error: ErrorStep | None = None
    tool_call: ToolCallStep | None = None
    disconnect: DisconnectEntry | None = None

    @model_validator(mode="before")
    @classmethod
    def _a_mapping(cls, data: Any) -> Any:
        if not isinstance(data, (dict, Step)):
            raise ValueError(f'a step is a one-key mapping such as `- say: "hi"`; got {data!r}')
        return data

    @model_validator(mode="after")
    def _exactly_one(self) -> Step:
        chosen = [k for k in type(self).model_fields if getattr(self, k) is not None]
        if len(chosen) != 1:
            valid = ", ".join(self.valid_keys())
            raise ValueError(f"a step needs exactly one of: {valid}; got {', '.join(chosen) or 'none'}")
        return self

    @property
    def kind(self) -> str:
        """The step's key, e.g. `say`."""
        return next(k for k in type(self).model_fields if getattr(self, k) is not None)

    @classmethod
    def valid_keys(cls) -> list[str]:  # type: ignore[override]
        """Step kinds in declaration order."""
        return list(cls.model_fields)


