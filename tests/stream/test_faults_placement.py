"""Fault placement: which faults strike (`rate`, seeded) and where their `Fault` events go."""

from __future__ import annotations

import random

import pytest

from mockllm.core.events import Delay, Fault, Finish, Text, Usage
from mockllm.scenarios.faults import parse_fault
from mockllm.scenarios.scenario import Scenario
from mockllm.stream.faults import draw, place, uses_faults


def spec(**fields):
    return parse_fault(fields)


def marks(events):
    """Events with each Fault shown as `!name`."""
    return [f"!{e.spec.name}" if isinstance(e, Fault) else e for e in events]


DELTAS = [Delay(100), Text("a"), Delay(50), Text("b"), Delay(50), Text("c"), Finish("stop")]


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        pytest.param(
            {"fault": "reset", "after_deltas": 2},
            [Delay(100), Text("a"), Delay(50), Text("b"), "!reset", Delay(50), Text("c"), Finish("stop")],
            id="after-2-deltas",
        ),
        pytest.param({"fault": "reset", "after_deltas": 0}, ["!reset", *DELTAS], id="after-0-deltas"),
        pytest.param(
            {"fault": "reset", "after_ms": 125},
            [Delay(100), Text("a"), Delay(25), "!reset", Delay(25), Text("b"), Delay(50), Text("c"), Finish("stop")],
            id="after-ms-splits-a-delay",
        ),
        pytest.param(
            {"fault": "reset", "after_ms": 150},
            [Delay(100), Text("a"), Delay(50), "!reset", Text("b"), Delay(50), Text("c"), Finish("stop")],
            id="after-ms-at-a-delay-end",
        ),
        pytest.param({"fault": "reset"}, [*DELTAS, "!reset"], id="default-after-last-event"),
        pytest.param({"fault": "reset", "after_deltas": 9}, DELTAS, id="point-never-reached"),
        pytest.param({"fault": "reset", "before_headers": True}, DELTAS, id="start-is-the-splice's"),
    ],
)
def test_place_puts_the_fault_at_its_point(fault, expected):
    assert marks(place(DELTAS, [spec(**fault)])) == expected


def test_place_keeps_several_faults_in_order_and_passes_unknown_items_through():
    stranger = object()
    events = [Text("a"), stranger, Usage(1, 2), Text("b")]
    faults = [spec(fault="duplicate", after_deltas=1), spec(fault="malformed", after_deltas=1), spec(fault="close")]
    assert marks(place(events, faults)) == [Text("a"), "!duplicate", "!malformed", stranger, Usage(1, 2), Text("b"), "!close"]


def test_a_placed_fault_event_passes_through_unchanged():
    step_fault = Fault(spec(fault="reset"))
    assert list(place([Text("a"), step_fault, Text("b")], [])) == [Text("a"), step_fault, Text("b")]


def test_draw_is_one_seeded_draw_per_fault_in_order():
    faults = [spec(fault="reset", rate=0.5), spec(fault="close", rate=0.5), spec(fault="hang", rate=0.5)]
    picks = {tuple(f.name for f in draw(faults, random.Random(seed))) for seed in range(40)}
    assert len(picks) > 3  # the rates really draw
    for seed in range(40):
        assert draw(faults, random.Random(seed)) == draw(faults, random.Random(seed))


@pytest.mark.parametrize(("rate", "struck"), [(0.0, 0), (1.0, 50)], ids=["rate-0-never", "rate-1-always"])
def test_draw_extremes(rate, struck):
    fault = spec(fault="reset", rate=rate)
    assert sum(len(draw([fault], random.Random(seed))) for seed in range(50)) == struck


def scenario(**extra):
    return Scenario.model_validate({"schema": 1, "name": "s", "description": "d", "steps": [{"say": "hi"}], **extra})


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        pytest.param({}, False, id="none"),
        pytest.param({"faults": ["close"]}, True, id="listed"),
        pytest.param({"steps": [{"say": "hi"}, {"disconnect": "reset"}]}, True, id="as-a-step"),
    ],
)
def test_uses_faults(extra, expected):
    assert uses_faults(scenario(**extra)) is expected
