"""Text sources: templates, seeded faker text in Chinese and English, echo."""

from __future__ import annotations

import random
import re
from typing import Any

import pytest

from mockllm.scenarios.scenario import Scenario
from mockllm.scenarios.text import FAKER_KINDS, EchoText, FakerText, faker_locales
from mockllm.stream.text_render import render

MESSAGES = (("system", "be brief"), ("user", "第一个问题"), ("assistant", "好的"), ("user", "tell me {{model}}"))
CJK = re.compile(r"[\u4e00-\u9fff]")


def fake(make_call: Any, seed: int, **source: Any) -> str:
    call = make_call([{"say": "x"}])
    return render(FakerText(**source), call, random.Random(seed))


@pytest.mark.parametrize(
    "template, expected",
    [
        pytest.param("plain text", "plain text", id="literal"),
        pytest.param("you said: {{message}}", "you said: tell me {{model}}", id="message-is-last-user-and-not-re-expanded"),
        pytest.param("model={{ model }}", "model=gpt-test", id="model-with-spaces"),
        pytest.param("scenario={{scenario}}", "scenario=t", id="scenario"),
        pytest.param("{{unknown}} {single}", "{{unknown}} {single}", id="unknown-left-alone"),
    ],
)
def test_templates(make_call: Any, template: str, expected: str) -> None:
    call = make_call([{"say": template}], messages=MESSAGES, model="gpt-test")
    assert render(template, call, call.rng) == expected


def test_model_placeholder_falls_back_to_scenario_name(make_call: Any) -> None:
    call = make_call([{"say": "x"}])
    assert render("{{model}}", call, call.rng) == "t"


def test_echo_repeats_last_user_message(make_call: Any) -> None:
    call = make_call([{"say": {"echo": True}}], messages=MESSAGES)
    assert render(EchoText(echo=True), call, call.rng) == "tell me {{model}}"


def test_echo_without_user_message_uses_the_last_message(make_call: Any) -> None:
    call = make_call([{"say": {"echo": True}}], messages=(("system", "only system"),))
    assert render(EchoText(echo=True), call, call.rng) == "only system"


@pytest.mark.parametrize("kind", FAKER_KINDS)
@pytest.mark.parametrize("locale", ["zh_CN", "en_US"])
def test_faker_is_seeded(make_call: Any, kind: str, locale: str) -> None:
    first = fake(make_call, 11, faker=kind, locale=locale, count=3)
    assert first == fake(make_call, 11, faker=kind, locale=locale, count=3)
    assert first != fake(make_call, 12, faker=kind, locale=locale, count=3)
    assert first.strip()


@pytest.mark.parametrize("kind", ["paragraph", "sentences", "words"])
def test_chinese_faker_text_is_chinese_without_latin_spacing(make_call: Any, kind: str) -> None:
    text = fake(make_call, 3, faker=kind, locale="zh_CN", count=4)
    assert CJK.search(text)
    assert " " not in text and "." not in text


def test_english_faker_text_is_spaced_words(make_call: Any) -> None:
    text = fake(make_call, 3, faker="words", locale="en_US", count=5)
    assert re.fullmatch(r"[A-Za-z]+( [A-Za-z]+){4}", text), text


def test_paragraphs_count_and_mixed_locales(make_call: Any) -> None:
    text = fake(make_call, 5, faker="paragraphs", locale=["zh_CN", "en_US"], count=6)
    paragraphs = text.split("\n\n")
    assert len(paragraphs) == 6
    assert any(CJK.search(p) for p in paragraphs) and any(p.isascii() for p in paragraphs)


def test_faker_text_is_at_most_count_characters(make_call: Any) -> None:
    assert len(fake(make_call, 1, faker="text", locale="en_US", count=200)) <= 200


def test_same_seed_same_text_across_a_whole_say_step(make_call: Any) -> None:
    """Two calls with one seed render the same faker text through the call's own RNG."""
    source = {"faker": "paragraphs", "locale": ["zh_CN", "en_US"], "count": 3}
    a, b = make_call([{"say": source}], seed=42), make_call([{"say": source}], seed=42)
    assert render(FakerText(**source), a, a.rng) == render(FakerText(**source), b, b.rng)


@pytest.mark.parametrize(
    "source, message",
    [
        pytest.param({"faker": "poem"}, "should be 'text'", id="unknown-kind"),
        pytest.param({"faker": "words", "locale": "xx_XX"}, "unknown locale 'xx_XX'", id="unknown-locale"),
        pytest.param({"faker": "words", "locale": []}, "needs at least one locale", id="no-locale"),
        pytest.param({"faker": "words", "count": 0}, "greater than or equal to 1", id="count-zero"),
    ],
)
def test_bad_faker_sources_are_rejected(source: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError) as info:
        FakerText.model_validate(source)
    assert message in str(info.value)


def test_the_faker_locales_a_catalog_uses_are_found_in_every_kind_of_step() -> None:
    """The server warms up only these at start (none: faker is never imported)."""
    docs = [
        {"name": "a", "steps": [{"say": "plain"}, {"think": {"faker": "sentence", "locale": "ja_JP"}}]},
        {"name": "b", "attempts": [[{"error": "rate_limited"}], [{"say": {"faker": "words", "locale": ["zh_CN", "en_US"]}}]]},
    ]
    found = [faker_locales(Scenario.model_validate({"schema": 1, "description": "d", **doc})) for doc in docs]
    assert found == [{"ja_JP"}, {"zh_CN", "en_US"}]
    assert faker_locales([Scenario.model_validate({"schema": 1, "description": "d", "name": "d", "steps": [{"say": "plain"}]})]) == set()
