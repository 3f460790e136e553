"""The md-* torture scenarios bite: re-rendered after every streamed delta with markdown-it and marked (Node), as chat UIs do.

tests/browser/render_torture.mjs reads each scenario through openai-node, whole
and streamed, and reports the glitches of every intermediate render against the
prefix-safe render (docs/torture-scenarios.md says what each kind means).
"""

from __future__ import annotations

import functools
from typing import Any

import pytest
from torture_table import CONTROL, harness_results, torture_names

#: Rendering a 100k-character answer after every delta is the slow part: the long answer runs with markdown-it only.
LONG = "md-long-answer"
SHORT = [name for name in torture_names() if name != LONG]

pytestmark = pytest.mark.xdist_group("torture-render")  # one worker runs the harness once for the whole module


@functools.cache
def rendered() -> dict[str, Any]:
    """The harness's findings, computed once per worker process (a module fixture reruns when xdist interleaves modules)."""
    return {**harness_results([*SHORT, CONTROL]), **harness_results([LONG], ["markdown-it"])}


@pytest.fixture
def results() -> dict[str, Any]:
    return rendered()


@pytest.mark.parametrize("name", torture_names())
def test_the_last_render_is_the_render_of_the_whole_answer(results, name):
    found = results[name]
    assert found["streamedEqualsWhole"], "the deltas joined are not the whole answer"
    assert found["deltas"] > 1
    assert {renderer: seen["lastEqualsWhole"] for renderer, seen in found["renderers"].items()} == dict.fromkeys(found["renderers"], True)


@pytest.mark.parametrize("name", torture_names())
def test_some_intermediate_render_is_not_prefix_safe(results, name):
    glitching = [renderer for renderer, seen in results[name]["renderers"].items() if seen["glitches"]]
    assert glitching, f"{name} streams without a glitch in any renderer"


def test_plain_prose_streams_without_a_glitch(results):
    assert {r: (seen["glitches"], seen["leftover"]) for r, seen in results[CONTROL]["renderers"].items()} == dict.fromkeys(
        ("markdown-it", "markdown-it html", "marked"), ({}, [])
    )


def first(results: dict[str, Any], name: str, renderer: str, kind: str) -> str:
    """The text received when `renderer` first showed a glitch of `kind` on `name`."""
    return str(results[name]["renderers"][renderer]["glitches"][kind]["first"]["tail"])


@pytest.mark.parametrize("renderer", ["markdown-it", "marked"])
def test_each_renderer_shows_the_glitch_each_scenario_names(results, renderer):
    assert first(results, "md-code-fences", renderer, "literal").endswith("\n\n`")  # the first backtick, shown as text
    assert first(results, "md-table-rows", renderer, "block").endswith("\n\n|")  # a table row read as a paragraph
    assert first(results, "md-links", renderer, "literal").endswith("See the [")
    assert first(results, "md-emoji-clusters", renderer, "grapheme").endswith("Family: \U0001f468")  # a man, before his family
    assert first(results, "md-unclosed-fence", renderer, "block").endswith("\n\n`")
    assert "**" in results["md-cjk-punctuation"]["renderers"][renderer]["leftover"]  # CommonMark flanking: 」** then a letter


def test_raw_html_glitches_only_where_html_is_rendered(results):
    think = results["md-html-think"]["renderers"]
    assert think["markdown-it"]["glitches"] == {} and think["markdown-it"]["leftover"] == ["<think>"]  # escaped: shown, never cut
    assert first(results, "md-html-think", "markdown-it html", "literal") == "<"
    assert "rewrite" in think["marked"]["glitches"]
