"""The Provider errors table of the docs (docs/reference/provider-errors.md) is what each provider dialect makes of each preset."""

from __future__ import annotations

import difflib

import pytest
from regen_failure_table import replace_table
from regen_provider_errors import BEGIN, END, PAGE, preset_error, provider_dialects, table

from mockllm.dialects import DIALECTS
from mockllm.scenarios.presets import BASE_PROVIDER, PRESETS, PROVIDER_PRESETS


def test_the_docs_table_is_up_to_date() -> None:
    page = PAGE.read_text(encoding="utf-8")
    expected = replace_table(page, table(), BEGIN, END)
    if page != expected:
        diff = "".join(difflib.unified_diff(page.splitlines(True), expected.splitlines(True), PAGE.name, "regenerated", n=0))
        pytest.fail(f"the provider errors table in {PAGE.name} is out of date:\n{diff}\nRegenerate it: python scripts/regen.py tables", pytrace=False)


def test_every_provider_dialect_has_a_column_and_the_presets_own_comes_first() -> None:
    providers = {d.provider for d in DIALECTS.values() if d.provider is not None}
    assert list(provider_dialects())[0] == BASE_PROVIDER and set(provider_dialects()) == providers
    header = table().splitlines()[0]
    assert all(f"| {provider} (" in header for provider in providers)


@pytest.mark.parametrize("provider", list(PROVIDER_PRESETS))
def test_provider_presets_are_of_a_registered_provider_and_of_known_presets(provider: str) -> None:
    assert provider in provider_dialects() and provider != BASE_PROVIDER, f"no dialect declares provider {provider!r}"
    unknown = set(PROVIDER_PRESETS[provider]) - set(PRESETS)
    assert not unknown, f"{provider}: versions of presets that do not exist: {', '.join(sorted(unknown))}"


def test_the_step_error_carries_each_providers_variant() -> None:
    error = preset_error("rate_limited")
    assert error.sent_by("OpenAI") is error and error.status == 429 and error.type == "requests"
    anthropic = error.sent_by("Anthropic")
    assert (anthropic.status, anthropic.type, dict(anthropic.headers)["retry-after"]) == (429, "rate_limit_error", "1")
    assert error.sent_by("Nobody") is error


def test_gemini_and_ollama_variants_fill_the_model_and_send_no_retry_headers() -> None:
    error = preset_error("rate_limited")
    gemini, ollama = error.sent_by("Gemini"), error.sent_by("Ollama")
    [violation] = dict(gemini.extra)["details"][1]["violations"]
    assert (gemini.status, violation["quotaDimensions"]["model"], "model: MODEL\n" in gemini.message) == (429, "MODEL", True)
    assert (ollama.status, ollama.message.startswith("you (mockllm) have reached your session usage limit")) == (429, True)
    assert gemini.headers == ollama.headers == ()
