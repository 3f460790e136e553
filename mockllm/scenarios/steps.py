"""Scenario steps: their YAML shape, and how each compiles to events.

A step is a one-key mapping (`- say: "你好"`). Each kind registers its compiler
beside its definition with `@compiles("kind")`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Callable, Iterator, Literal

from pydantic import AliasChoices, Field, field_validator, model_validator

from mockllm.core.events import Delay, Error, Event, Fault, Finish, Text, Think, ToolCall, Usage
from mockllm.scenarios.faults import DisconnectEntry, FaultSpec
from mockllm.stream.faults import draw
from mockllm.scenarios.presets import NO_PRESET, Preset, find_preset, preset_names, variants
from mockllm.core.schema_data import SchemaError, generate
from mockllm.scenarios.strict_model import Strict
from mockllm.scenarios.text import TextSource, render

if TYPE_CHECKING:
    from mockllm.stream.call import Call
    from mockllm.scenarios.scenario import Scenario

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

    def event(self, call: Call) -> Error:
        """The `Error` this step sends: its own fields over its preset's (and over each provider's variant of it)."""
        base = find_preset(self.preset) if self.preset else NO_PRESET
        message = None if self.message is None else render(self.message, call)
        sent_by = variants(self.preset) if self.preset else {}
        return replace(self._over(base, message, call), variants=tuple((p, self._over(v, message, call)) for p, v in sent_by.items()))

    def _over(self, base: Preset, message: str | None, call: Call) -> Error:
        """This step's fields over `base`; `{{model}}` filled in the preset's message."""
        headers = {**base.headers, **self.headers}
        if self.retry is not None:
            headers["x-should-retry"] = "true" if self.retry else "false"
        return Error(
            render(base.message, call) if message is None else message,
            self.status or base.status,
            base.code if self.code is None else self.code,
            self.type or base.type,
            base.param if self.param is None else self.param,
            headers=tuple(headers.items()),
            delivery=self.delivery,
            extra=tuple({**filled(base.extra, call), **self.extra}.items()),
        )


def filled(value: Any, call: Call) -> Any:
    """A preset's `extra` value with `{{model}}` (and the other placeholders) filled in its strings, at any depth."""
    if isinstance(value, str):
        return render(value, call)
    if isinstance(value, Mapping):
        return {key: filled(item, call) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [filled(item, call) for item in value]
    return value


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

    def event(self, index: int, call: Call) -> ToolCall | Error:
        """The `ToolCall` this step makes as call number `index`, or an Error when the request cannot support it."""
        chat = call.chat
        name = self.name
        if name == "auto":
            tool = chat.tool(chat.forced_tool) if chat.forced_tool else (chat.tools[0] if chat.tools else None)
            if tool is None:
                return _step_error("The scenario calls a tool with `name: auto`, but the request offers no tools.")
            name = tool.name
        if isinstance(self.arguments, FromSchema):
            tool = chat.tool(name)
            if tool is None:
                offered = ", ".join(t.name for t in chat.tools) or "none"
                return _step_error(f"The scenario generates arguments for tool {name!r} from its schema, but the request offers no such tool (offered: {offered}).")
            try:
                value = generate(tool.parameters, call.rng, all_properties=self.arguments.all_properties)
            except SchemaError as exc:
                return _step_error(f"The parameters schema of tool {name!r} cannot be used: {exc}.", param="tools")
            arguments = _compact(value)
        elif isinstance(self.arguments, str):
            arguments = self.arguments
        else:
            arguments = _compact(self.arguments)
        return ToolCall(index, self.id, name, arguments, self.output)


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _step_error(message: str, param: str | None = None) -> Error:
    return Error(message, status=400, type="invalid_request_error", param=param)


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


Compiler = Callable[[Any, "Call"], Iterator[Event]]
COMPILERS: dict[str, Compiler] = {}


def compiles(kind: str) -> Callable[[Compiler], Compiler]:
    """Register the compiler of one step kind."""

    def register(fn: Compiler) -> Compiler:
        COMPILERS[kind] = fn
        return fn

    return register


def compile_scenario(scenario: Scenario, call: Call) -> Iterator[Event]:
    """Yield the events of a scenario's steps; nothing follows an `Error`.

    Tool calls are numbered in order; an answer whose last output is a tool
    call, and that sets no finish reason, finishes with `tool_calls`.
    """
    last_output: Event | None = None
    finished = False
    for step in scenario.steps:
        for event in COMPILERS[step.kind](getattr(step, step.kind), call):
            if isinstance(event, Error):
                call.errors.append(event)  # noted before it is sent: the consumer may stop at it
                yield event
                return
            yield event
            if isinstance(event, (Text, Think, ToolCall)):
                last_output = event
            finished = finished or isinstance(event, Finish)
    if isinstance(last_output, ToolCall) and not finished:
        yield Finish("tool_calls")


@compiles("say")
def _say(source: TextSource, call: Call) -> Iterator[Event]:
    yield Text(render(source, call))


@compiles("think")
def _think(source: TextSource, call: Call) -> Iterator[Event]:
    yield Think(render(source, call))


@compiles("pause")
def _pause(ms: float, call: Call) -> Iterator[Event]:
    yield Delay(ms)


@compiles("finish")
def _finish(reason: str, call: Call) -> Iterator[Event]:
    yield Finish(reason)


@compiles("usage")
def _usage(usage: UsageStep, call: Call) -> Iterator[Event]:
    yield Usage(usage.prompt_tokens, usage.completion_tokens)


@compiles("error")
def _error(error: ErrorStep, call: Call) -> Iterator[Event]:
    if error.rate is None or call.fault_rng.random() < error.rate:  # one draw, as `faults.draw` does
        yield error.event(call)


@compiles("tool_call")
def _tool_call(step: ToolCallStep, call: Call) -> Iterator[Event]:
    yield step.event(call.next_tool_index(), call)


@compiles("disconnect")
def _disconnect(fault: FaultSpec, call: Call) -> Iterator[Event]:
    for struck in draw([fault], call.fault_rng):
        yield Fault(struck)
