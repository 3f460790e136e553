"""Compile a scenario's steps into events: each step kind registers its compiler with `@compiles("kind")`."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Callable, Iterator

from mockllm.core.events import Delay, Error, Event, Fault, Finish, Text, Think, ToolCall, Usage
from mockllm.core.schema_data import SchemaError, generate
from mockllm.scenarios.faults import FaultSpec
from mockllm.scenarios.presets import NO_PRESET, Preset, find_preset, variants
from mockllm.scenarios.steps import ErrorStep, FromSchema, ToolCallStep, UsageStep
from mockllm.scenarios.text import TextSource
from mockllm.stream.faults import draw
from mockllm.stream.text_render import render

if TYPE_CHECKING:
    from mockllm.core.request import Tool
    from mockllm.scenarios.scenario import Scenario
    from mockllm.stream.call import Call


def filled(value: Any, call: Call) -> Any:
    """A preset's `extra` value with `{{model}}` (and the other placeholders) filled in its strings, at any depth."""
    if isinstance(value, str):
        return render(value, call)
    if isinstance(value, Mapping):
        return {key: filled(item, call) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [filled(item, call) for item in value]
    return value


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _step_error(message: str, param: str | None = None) -> Error:
    return Error(message, status=400, type="invalid_request_error", param=param)


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
        yield error_event(error, call)


@compiles("tool_call")
def _tool_call(step: ToolCallStep, call: Call) -> Iterator[Event]:
    yield tool_call_event(step, call.next_tool_index(), call)


@compiles("disconnect")
def _disconnect(fault: FaultSpec, call: Call) -> Iterator[Event]:
    for struck in draw([fault], call.fault_rng):
        yield Fault(struck)


def error_event(step: ErrorStep, call: Call) -> Error:
    """The `Error` an error step sends: its own fields over its preset's (and over each provider's variant of it)."""
    base = find_preset(step.preset) if step.preset else NO_PRESET
    message = None if step.message is None else render(step.message, call)
    sent_by = variants(step.preset) if step.preset else {}
    return replace(_error_over(step, base, message, call), variants=tuple((p, _error_over(step, v, message, call)) for p, v in sent_by.items()))

def _error_over(step: ErrorStep, base: Preset, message: str | None, call: Call) -> Error:
    """The step's fields over `base`; `{{model}}` filled in the preset's message."""
    headers = {**base.headers, **step.headers}
    if step.retry is not None:
        headers["x-should-retry"] = "true" if step.retry else "false"
    return Error(
        render(base.message, call) if message is None else message,
        step.status or base.status,
        base.code if step.code is None else step.code,
        step.type or base.type,
        base.param if step.param is None else step.param,
        headers=tuple(headers.items()),
        delivery=step.delivery,
        extra=tuple({**filled(base.extra, call), **step.extra}.items()),
    )


def tool_call_event(step: ToolCallStep, index: int, call: Call) -> ToolCall | Error:
    """The `ToolCall` a tool_call step makes as call number `index`, or an Error when the request cannot support it."""
    chat = call.chat
    name = step.name
    if name == "auto":
        tool = chat.tool(chat.forced_tool) if chat.forced_tool else (chat.tools[0] if chat.tools else None)
        if tool is None:
            return _step_error("The scenario calls a tool with `name: auto`, but the request offers no tools.")
        name = tool.name
    if isinstance(step.arguments, FromSchema):
        tool = chat.tool(name)
        if tool is None:
            offered = ", ".join(t.name for t in chat.tools) or "none"
            return _step_error(f"The scenario generates arguments for tool {name!r} from its schema, but the request offers no such tool (offered: {offered}).")
        generated = schema_arguments(tool, call, step.arguments.all_properties)
        if isinstance(generated, Error):
            return generated
        arguments = generated
    elif isinstance(step.arguments, str):
        arguments = step.arguments
    else:
        arguments = _compact(step.arguments)
    return ToolCall(index, step.id, name, arguments, step.output)


def schema_arguments(tool: Tool, call: Call, all_properties: bool = False) -> str | Error:
    """Arguments for `tool` generated from its parameters schema with the call's seeded RNG, or an Error when it cannot be used."""
    try:
        value = generate(tool.parameters, call.rng, all_properties=all_properties)
    except SchemaError as exc:
        return _step_error(f"The parameters schema of tool {tool.name!r} cannot be used: {exc}.", param="tools")
    return _compact(value)
