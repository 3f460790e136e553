"""Reading faults: names, attributes, placement, and problems reported at their file and line."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from mockllm.scenarios.faults import FAULTS, Point, parse_fault
from mockllm.scenarios.loading import load_catalog
from mockllm.scenarios.problems import ProblemsError
from mockllm.scenarios.scenario import Scenario

VALID = "reset, close, hang, no_response, malformed, duplicate, missing_separator, slow_first_token, trickle, keepalive"
HEAD = "schema: 1\nname: s\ndescription: d\nsteps:\n  - say: hi\n"


def problems(tmp_path: Path, text: str) -> list[str]:
    (tmp_path / "s.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ProblemsError) as caught:
        load_catalog(tmp_path)
    return [str(p).replace(str(tmp_path) + "/", "") for p in caught.value.problems]


def test_every_fault_of_the_issue_is_registered():
    assert set(FAULTS) == {
        "reset",
        "close",
        "hang",
        "no_response",
        "slow_first_token",
        "trickle",
        "malformed",
        "duplicate",
        "missing_separator",
        "keepalive",
    }


@pytest.mark.parametrize(
    ("value", "point"),
    [
        pytest.param("reset", Point("end"), id="name-only"),
        pytest.param({"fault": "reset", "after_deltas": 5}, Point("deltas", 5), id="after-deltas"),
        pytest.param({"fault": "hang", "after_ms": 2000, "ms": 10000}, Point("ms", 2000), id="after-ms"),
        pytest.param({"fault": "close", "before_headers": True}, Point("start"), id="before-headers"),
        pytest.param("no_response", Point("start"), id="no-response-is-before-headers"),
        pytest.param("missing_separator", Point("last_frame"), id="missing-separator-last-frame"),
        pytest.param({"fault": "trickle", "bytes_per_s": 20}, Point("start"), id="trickle-from-the-start"),
    ],
)
def test_parse_fault_and_its_point(value, point):
    assert parse_fault(value).point() == point


def test_a_scenario_reads_its_faults(tmp_path: Path):
    (tmp_path / "s.yaml").write_text(
        HEAD + "faults:\n  - {fault: reset, after_deltas: 5, rate: 0.2}\n  - missing_separator\n", encoding="utf-8"
    )
    scenario = load_catalog(tmp_path).scenarios["s"]
    assert [(f.name, f.rate) for f in scenario.faults] == [("reset", 0.2), ("missing_separator", 1.0)]


def test_a_disconnect_step_reads_a_name_or_a_mapping(tmp_path: Path):
    (tmp_path / "s.yaml").write_text(HEAD + "  - disconnect: reset\n  - disconnect: {fault: hang, ms: 50}\n", encoding="utf-8")
    steps = load_catalog(tmp_path).scenarios["s"].steps
    assert [(s.disconnect.name, getattr(s.disconnect, "ms", None)) for s in steps[1:]] == [("reset", None), ("hang", 50)]


@pytest.mark.parametrize(
    ("tail", "expected"),
    [
        pytest.param(
            "faults:\n  - {fault: explode}\n",
            f"s.yaml:7: faults[0]: unknown fault 'explode'; valid faults: {VALID}",
            id="unknown-name",
        ),
        pytest.param(
            "faults:\n  - {after_deltas: 2}\n",
            f"s.yaml:7: faults[0]: unknown fault (no `fault:` key); valid faults: {VALID}",
            id="no-name",
        ),
        pytest.param(
            "faults:\n  - fault: reset\n    after_deltas: -1\n",
            "s.yaml:8: faults[0].after_deltas: input should be greater than or equal to 0",
            id="negative-deltas",
        ),
        pytest.param(
            "faults:\n  - fault: hang\n    seconds: 3\n",
            "s.yaml:8: faults[0].seconds: unknown key 'seconds'; valid keys: after_deltas, after_ms, before_headers, fault, ms, rate",
            id="unknown-key-lists-valid-ones",
        ),
        pytest.param(
            "faults:\n  - {fault: reset, after_deltas: 1, after_ms: 5}\n",
            "s.yaml:7: faults[0]: a fault has one placement; got after_deltas, after_ms",
            id="two-placements",
        ),
        pytest.param(
            "faults:\n  - {fault: close, rate: 1.5}\n",
            "s.yaml:7: faults[0].rate: input should be less than or equal to 1",
            id="rate-above-1",
        ),
        pytest.param(
            "faults:\n  - {fault: trickle}\n",
            "s.yaml:7: faults[0].bytes_per_s: field required",
            id="trickle-needs-a-rate",
        ),
        pytest.param(
            "  - disconnect: malformed\n",
            "s.yaml:6: steps[1].disconnect: unknown fault 'malformed'; valid faults: reset, close, hang",
            id="disconnect-only-ends",
        ),
        pytest.param(
            "  - disconnect: {fault: reset, after_deltas: 3}\n",
            "s.yaml:6: steps[1].disconnect: a disconnect step strikes where it stands; remove `after_deltas`",
            id="disconnect-has-no-placement",
        ),
    ],
)
def test_problems_are_placed(tmp_path: Path, tail: str, expected: str):
    assert problems(tmp_path, HEAD + tail) == [expected]


def test_a_fault_is_a_name_or_a_mapping():
    with pytest.raises(ValidationError, match="a fault is a name or a mapping with `fault: NAME`"):
        Scenario.model_validate({"schema": 1, "name": "s", "description": "d", "steps": [{"say": "x"}], "faults": [3]})


def test_the_docs_example_loads():
    page = (Path(__file__).resolve().parents[2] / "docs" / "reference" / "faults.md").read_text(encoding="utf-8")
    example = yaml.safe_load(page.split("```yaml\n", 1)[1].split("```", 1)[0])
    scenario = Scenario.model_validate({"schema": 1, "name": "s", "description": "d", **example})
    assert [f.name for f in scenario.faults] == ["reset", "hang", "missing_separator"]
    assert scenario.steps[1].disconnect.name == "reset"
