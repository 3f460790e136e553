"""The scenario model (schema 1): defaults, names, match rules, and the shipped scenarios."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import SCENARIOS
from pydantic import ValidationError

from mockllm.scenarios.loading import load_catalog
from mockllm.scenarios.scenario import Match, Scenario, StreamConfig

MINIMAL: dict[str, Any] = {"schema": 1, "name": "ok", "description": "d", "steps": [{"say": "hi"}]}


def test_stream_defaults() -> None:
    assert StreamConfig() == StreamConfig(unit="token", per_delta=1, delay_ms=30, jitter_ms=0, first_token_ms=200)
    assert Scenario.model_validate(MINIMAL).stream == StreamConfig()


def test_match_rules_are_compiled_regexes() -> None:
    match = Match.model_validate({"message": "充值|余额", "model": "^gpt-4"})
    assert match.message is not None and match.message.search("请帮我充值")
    assert match.model is not None and not match.model.search("claude")
    assert match.path is None


@pytest.mark.parametrize(
    "changes, message",
    [
        pytest.param({"schema": 2}, "schema\n  Input should be 1", id="schema-2"),
        pytest.param({"schema": None}, "schema\n  Input should be 1", id="schema-missing-value"),
        pytest.param({"name": "Has Space"}, "should match pattern", id="name-pattern"),
        pytest.param({"name": "x" * 65}, "at most 64 characters", id="name-too-long"),
        pytest.param({"steps": []}, "at least 1 item", id="no-steps"),
        pytest.param({"description": None}, "description\n  Input should be a valid string", id="description-null"),
        pytest.param({"match": {"message": "(["}}, "invalid regular expression", id="bad-regex"),
        pytest.param({"match": {"body": "x"}}, "unknown key 'body'; valid keys: has_tools, message, model, path, system, tool, tool_result, turn", id="match-unknown-key"),
        pytest.param({"stream": {"unit": "syllable"}}, "'char', 'codepoint', 'word' or 'token'", id="bad-unit"),
        pytest.param({"stream": {"delay_ms": -1}}, "greater than or equal to 0", id="negative-delay"),
        pytest.param({"stream": {"delay_ms": "fast"}}, "valid number", id="delay-not-a-number"),
        pytest.param({"extra": 1}, f"unknown key 'extra'; valid keys: {', '.join(sorted(Scenario.valid_keys()))}", id="unknown-key"),
    ],
)
def test_invalid_scenarios(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError) as info:
        Scenario.model_validate({**MINIMAL, **changes})
    assert message in str(info.value)


def test_scenarios_are_frozen() -> None:
    scenario = Scenario.model_validate(MINIMAL)
    with pytest.raises(ValidationError):
        scenario.name = "other"  # type: ignore[misc]


def test_shipped_scenarios_load() -> None:
    catalog = load_catalog(SCENARIOS)
    assert "default" in catalog.names
    assert all(s.description.strip() for s in catalog.scenarios.values())
