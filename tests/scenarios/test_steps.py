"""Steps: their YAML shape, what each compiles to, and that nothing follows an Error."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from mockllm.core.events import Delay, Error, Finish, Text, Think, Usage
from mockllm.scenarios.steps import ErrorStep, Step
from mockllm.stream.compile import COMPILERS, compile_scenario


def compiled(make_call: Any, steps: list[Any]) -> list[Any]:
    call = make_call(steps, messages=(("user", "ping"),))
    return list(compile_scenario(call.scenario, call))


def test_every_step_kind_has_a_compiler() -> None:
    assert set(COMPILERS) == set(Step.valid_keys())
    assert {"say", "think", "pause", "finish", "usage", "error"} <= set(Step.valid_keys())


@pytest.mark.parametrize(
    "step, events",
    [
        pytest.param({"say": "hi {{message}}"}, [Text("hi ping")], id="say"),
        pytest.param({"say": {"echo": True}}, [Text("ping")], id="say-echo"),
        pytest.param({"think": "hmm"}, [Think("hmm")], id="think"),
        pytest.param({"pause": 250}, [Delay(250)], id="pause"),
        pytest.param({"finish": "length"}, [Finish("length")], id="finish"),
        pytest.param({"usage": {"prompt_tokens": 5}}, [Usage(5, None)], id="usage"),
        pytest.param(
            {"error": {"msg": "余额不足", "code": 101, "status": 402, "headers": {"Retry-After": "1"}, "delivery": "in_band"}},
            [Error("余额不足", 402, 101, headers=(("Retry-After", "1"),), delivery="in_band")],
            id="error-with-msg-alias",
        ),
    ],
)
def test_step_compiles_to(make_call: Any, step: dict[str, Any], events: list[Any]) -> None:
    assert compiled(make_call, [step]) == events


def test_error_ends_the_stream(make_call: Any) -> None:
    steps = [{"say": "a"}, {"error": {"message": "boom"}}, {"say": "never"}, {"finish": "length"}]
    assert compiled(make_call, steps) == [Text("a"), Error("boom")]


def test_error_defaults_to_500_auto(make_call: Any) -> None:
    (error,) = compiled(make_call, [{"error": {"message": "boom"}}])
    assert (error.status, error.code, error.delivery) == (500, None, "auto")


@pytest.mark.parametrize(
    "data, message",
    [
        pytest.param({"say": "a", "pause": 1}, f"a step needs exactly one of: {', '.join(Step.valid_keys())}; got say, pause", id="two-kinds"),
        pytest.param({}, "got none", id="no-kind"),
        pytest.param({"shout": "a"}, f"unknown key 'shout'; valid keys: {', '.join(sorted(Step.valid_keys()))}", id="unknown-kind"),
        pytest.param({"error": {"message": "m", "status": 200}}, "greater than or equal to 400", id="error-status-not-an-error"),
        pytest.param({"error": {"message": "m", "oops": 1}}, f"valid keys: {', '.join(sorted(ErrorStep.valid_keys()))}", id="error-unknown-key"),
        pytest.param({"say": 5}, "text must be a string, {faker: …} or {echo: true}", id="say-not-text"),
    ],
)
def test_bad_steps(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError) as info:
        Step.model_validate(data)
    assert message in str(info.value)


def test_step_kind() -> None:
    assert Step.model_validate({"pause": 3}).kind == "pause"
