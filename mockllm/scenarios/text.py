"""Text sources for `say` and `think` steps: literal templates, faker, echo.

A literal string may hold `{{message}}` (the last user message), `{{model}}`,
`{{scenario}}`, `{{tool_result}}` (the content of the last tool result the
request carries) and `{{tool}}` (that result's tool name). `{faker: …}` makes seeded fake text in one or more locales;
`{echo: true}` repeats the last user message.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union

from pydantic import BaseModel, Discriminator, Field, Tag, field_validator

from mockllm.scenarios.strict_model import Strict

if TYPE_CHECKING:

    pass

FAKER_KINDS = ("text", "paragraph", "paragraphs", "sentence", "sentences", "words")


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


@lru_cache(maxsize=1)
def available_locales() -> frozenset[str]:
    """Faker's locales, read from its providers' folders: importing faker would take a large share of start-up."""
    spec = importlib.util.find_spec("faker")
    assert spec is not None and spec.origin is not None
    providers = Path(spec.origin).parent / "providers"
    return frozenset(
        locale.name for provider in providers.iterdir() if provider.is_dir() for locale in provider.iterdir() if locale.is_dir() and not locale.name.startswith("_")
    )


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
