"""Text sources for `say` and `think` steps: literal templates, faker, echo.

A literal string may hold `{{message}}` (the last user message), `{{model}}`,
`{{scenario}}`, `{{tool_result}}` (the content of the last tool result the
request carries) and `{{tool}}` (that result's tool name). `{faker: …}` makes seeded fake text in one or more locales;
`{echo: true}` repeats the last user message.
"""

from __future__ import annotations

import importlib.util
import random
import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Iterable, Literal, Union

from pydantic import BaseModel, Discriminator, Field, Tag, field_validator

from mockllm.scenarios.strict_model import Strict

if TYPE_CHECKING:
    from faker import Faker

    from mockllm.stream.call import Call

FAKER_KINDS = ("text", "paragraph", "paragraphs", "sentence", "sentences", "words")
_PLACEHOLDER = re.compile(r"\{\{\s*(message|model|scenario|tool_result|tool)\s*\}\}")
_CJK_LOCALES = ("zh_", "ja_")


class FakerText(Strict):
    """Seeded fake text: `{faker: paragraph, locale: [zh_CN, en_US], count: 3}`."""

    faker: Literal["text", "paragraph", "paragraphs", "sentence", "sentences", "words"]
    locale: list[str] = Field(default_factory=lambda: ["en_US"])
    count: int = Field(3, ge=1, le=10_000, description="sentences, paragraphs, words, or characters for `text`")

    @field_validator("locale", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value

    @field_validator("locale")
    @classmethod
    def _known_locales(cls, value: list[str]) -> list[str]:
        for locale in value:
            if locale not in available_locales():
                raise ValueError(f"unknown locale {locale!r}; e.g. zh_CN, en_US, zh_TW, ja_JP")
        if not value:
            raise ValueError("needs at least one locale")
        return value


class EchoText(Strict):
    """The last user message, as sent: `{echo: true}`."""

    echo: Literal[True]


def _text_kind(value: object) -> str | None:
    if isinstance(value, str):
        return "Str"
    if isinstance(value, dict):
        return "Faker" if "faker" in value else "Echo" if "echo" in value else None
    return "Faker" if isinstance(value, FakerText) else "Echo" if isinstance(value, EchoText) else None


TextSource = Annotated[
    Union[Annotated[str, Tag("Str")], Annotated[FakerText, Tag("Faker")], Annotated[EchoText, Tag("Echo")]],
    Discriminator(
        _text_kind,
        custom_error_type="text_source",
        custom_error_message="text must be a string, {faker: …} or {echo: true}",
    ),
]


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


@lru_cache(maxsize=1)
def available_locales() -> frozenset[str]:
    """Faker's locales, read from its providers' folders: importing faker would take a large share of start-up."""
    spec = importlib.util.find_spec("faker")
    assert spec is not None and spec.origin is not None
    providers = Path(spec.origin).parent / "providers"
    return frozenset(
        locale.name for provider in providers.iterdir() if provider.is_dir() for locale in provider.iterdir() if locale.is_dir() and not locale.name.startswith("_")
    )


def _localize(text: str, locale: str) -> str:
    if locale.startswith(_CJK_LOCALES):
        return text.replace(".", "。").replace(" ", "")
    return text


@lru_cache(maxsize=None)
def _faker(locale: str) -> Faker:
    from faker import Faker

    return Faker(locale)


def warm_up(locales: Iterable[str]) -> None:
    """Build the faker instances ahead of the first request (they take ~0.2 s each)."""
    for locale in locales:
        _faker(locale)


def faker_locales(value: Any) -> set[str]:
    """The locales of every fake-text source inside `value` (scenarios, steps, lists of them, at any depth)."""
    found: set[str] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, FakerText):
            found.update(item.locale)
        elif isinstance(item, BaseModel):
            stack.extend(getattr(item, name) for name in type(item).model_fields)
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
    return found
