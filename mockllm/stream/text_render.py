"""Render a step's text for one call: placeholders filled, `{echo: true}` answered, fake text drawn from the call's RNG."""

from __future__ import annotations

import random
import re
from functools import cache
from typing import TYPE_CHECKING, Iterable

from mockllm.scenarios.text import EchoText, FakerText, TextSource

if TYPE_CHECKING:
    from faker import Faker

    from mockllm.stream.call import Call


_PLACEHOLDER = re.compile(r"\{\{\s*(message|model|scenario|tool_result|tool)\s*\}\}")


def render(source: TextSource, call: Call, rng: random.Random | None = None) -> str:
    """Produce the text of one source for one call; fake text draws from `rng`, by default the call's."""
    if isinstance(source, str):
        return _PLACEHOLDER.sub(lambda m: _placeholder(m.group(1), call), source) if "{{" in source else source
    if isinstance(source, EchoText):
        return call.chat.last_user_message
    return _fake(source, rng or call.rng)


def _placeholder(name: str, call: Call) -> str:
    if name == "message":
        return call.chat.last_user_message
    if name == "model":
        return call.model
    if name in ("tool_result", "tool"):
        results = call.chat.tool_results
        last = results[-1] if results else None
        return "" if last is None else last.content if name == "tool_result" else last.name or ""
    return call.scenario.name


def _fake(source: FakerText, rng: random.Random) -> str:
    if source.faker == "text":
        locale = rng.choice(source.locale)
        return _fake_piece(locale, "text", source.count, rng)
    unit = {"paragraphs": "paragraph", "sentences": "sentence"}.get(source.faker, source.faker)
    joiner = "\n\n" if unit == "paragraph" else ""
    pieces = [_fake_piece(rng.choice(source.locale), unit, 1, rng) for _ in range(source.count)]
    if unit != "paragraph":
        return "".join(_space_between(pieces))
    return joiner.join(pieces)


def _fake_piece(locale: str, unit: str, count: int, rng: random.Random) -> str:
    fake = _faker(locale)
    fake.seed_instance(rng.getrandbits(32))
    if unit == "text":
        text = fake.text(max_nb_chars=max(count, 5))
    elif unit == "paragraph":
        text = fake.paragraph(nb_sentences=rng.randint(4, 8))
    elif unit == "sentence":
        text = fake.sentence()
    else:
        text = fake.word()
    return _localize(text, locale)


def _space_between(pieces: list[str]) -> list[str]:
    """Put a space between Latin pieces, none where a CJK piece meets another."""
    out: list[str] = []
    for i, piece in enumerate(pieces):
        if i and piece[:1].isascii() and out[-1][-1:].isascii():
            piece = " " + piece
        out.append(piece)
    return out


def _localize(text: str, locale: str) -> str:
    if locale.startswith(_CJK_LOCALES):
        return text.replace(".", "。").replace(" ", "")
    return text


@cache
def _faker(locale: str) -> Faker:
    from faker import Faker

    return Faker(locale)


def warm_up(locales: Iterable[str]) -> None:
    """Build the faker instances ahead of the first request (they take ~0.2 s each)."""
    for locale in locales:
        _faker(locale)


_CJK_LOCALES = ("zh_", "ja_")
