"""The failure table of the docs (docs/reference/failure-library.md) is what the failure scenarios really do on the wire, to the SDK and to fetch."""

from __future__ import annotations

import difflib
import re

import pytest
from conftest import SCENARIOS
from regen_failure_table import (
    BEGIN,
    END,
    PAGE,
    failure_names,
    is_failure,
    missing_tools,
    replace_table,
    rows,
)

from mockllm.scenarios.loading import load_catalog
from mockllm.scenarios.presets import PRESETS

CATALOG = load_catalog(SCENARIOS)


def test_the_docs_table_is_up_to_date() -> None:
    missing = missing_tools()
    if missing:
        pytest.fail(missing, pytrace=False)
    page = PAGE.read_text(encoding="utf-8")
    expected = replace_table(page, rows())
    if page != expected:
        diff = "".join(difflib.unified_diff(page.splitlines(True), expected.splitlines(True), PAGE.name, "regenerated", n=0))
        pytest.fail(f"the failure table in {PAGE.name} is out of date:\n{diff}\nRegenerate it: python scripts/regen.py tables", pytrace=False)


def test_replace_table_keeps_the_markers_and_the_rest() -> None:
    text = f"before\n{BEGIN}\nold | rows\n{END}\nafter\n"
    assert replace_table(text, "new\n") == f"before\n{BEGIN}\nnew\n{END}\nafter\n"


@pytest.mark.parametrize("preset", list(PRESETS))
def test_each_preset_has_a_library_scenario(preset: str) -> None:
    alone = [s.name for s in CATALOG.scenarios.values() if [(st.kind, st.error and st.error.preset) for st in s.steps] == [("error", preset)]]
    assert alone, f"no shipped scenario is just `error: {preset}`"


@pytest.mark.parametrize("name", ["midstream-error", "fail-twice-then-succeed", "chaos-20"])
def test_the_library_has_the_other_symptoms(name: str) -> None:
    assert name in failure_names()


def test_every_failure_scenario_says_what_a_client_should_do() -> None:
    vague = [name for name in failure_names() if not re.search(r"\bclient\b", CATALOG.scenarios[name].description, re.IGNORECASE)]
    assert not vague, f"descriptions that do not say what a client should do: {', '.join(vague)}"


def test_answers_are_not_failures() -> None:
    assert not is_failure(CATALOG.scenarios["hello"]) and is_failure(CATALOG.scenarios["fail-twice-then-succeed"])


def test_a_missing_chromium_is_said_plainly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHROMIUM", "/nowhere/chromium")
    assert missing_tools() == (
        "Chromium is missing (/nowhere/chromium does not exist): install it (Debian/Ubuntu: apt-get install chromium) or set CHROMIUM to its path."
    )
