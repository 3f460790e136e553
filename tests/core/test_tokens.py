"""Token, word and character splitting: lossless, CJK-aware, and the counts usage reports."""

from __future__ import annotations

import random

import pytest

from mockllm.core import tokens

ALPHABET = [*"ab Z9_\n\t\r,.!'你好。，😀é-\u00a0\u3000ｱ한", "  ", "word", "internationalization", "12345"]


def corpus(n: int = 2000) -> list[str]:
    """Seeded random strings mixing scripts, digits, symbols and whitespace."""
    rng = random.Random(7)
    return ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 30))) for _ in range(n)]


@pytest.mark.parametrize("unit", sorted(tokens.SPLITTERS))
def test_pieces_join_back_to_the_input(unit: str) -> None:
    split = tokens.SPLITTERS[unit]
    for text in corpus():
        pieces = list(split(text))
        assert "".join(pieces) == text
        assert all(pieces), f"empty piece in {pieces!r}"


@pytest.mark.parametrize(
    "text, expected",
    [
        pytest.param("你好，世界。", ["你", "好", "，", "世", "界", "。"], id="cjk-one-per-char"),
        pytest.param("Hello, world!", ["Hello", ",", " world", "!"], id="words-keep-leading-space"),
        pytest.param("12345", ["123", "45"], id="digits-in-threes"),
        pytest.param("internationalization", ["inte", "rnat", "iona", "liza", "tion"], id="long-word-in-fours"),
        pytest.param(" abcdefghi", [" abcd", "efgh", "i"], id="long-word-keeps-space-on-first-piece"),
        pytest.param("abcdefgh", ["abcdefgh"], id="eight-letters-one-token"),
        pytest.param("a\n\nb", ["a", "\n\n", "b"], id="newlines-one-token"),
        pytest.param("用Python写", ["用", "Python", "写"], id="cjk-meets-latin"),
        pytest.param("ｱ한", ["ｱ", "한"], id="halfwidth-kana-and-hangul"),
    ],
)
def test_token_pieces(text: str, expected: list[str]) -> None:
    assert list(tokens.tokens(text)) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        pytest.param("Hello, big world", ["Hello,", " big", " world"], id="latin-with-punctuation"),
        pytest.param("我爱Python", ["我", "爱", "Python"], id="cjk-chars-alone"),
        pytest.param("a  b\n", ["a", "  b", "\n"], id="whitespace-leads"),
    ],
)
def test_word_pieces(text: str, expected: list[str]) -> None:
    assert list(tokens.words(text)) == expected


FAMILY = "\U0001F468\u200d\U0001F469\u200d\U0001F467\u200d\U0001F466"  # 👨‍👩‍👧‍👦: 7 code points, one glyph
CLUSTERS = ["你", FAMILY, "\U0001F1E8\U0001F1F3", "\U0001F44D\U0001F3FD", "e\u0301", "1\ufe0f\u20e3", "\r\n"]


def test_chars_are_grapheme_clusters() -> None:
    assert list(tokens.chars("".join(CLUSTERS))) == CLUSTERS


def test_codepoints_cut_inside_a_cluster() -> None:
    assert list(tokens.codepoints(FAMILY)) == ["\U0001F468", "\u200d", "\U0001F469", "\u200d", "\U0001F467", "\u200d", "\U0001F466"]
    assert list(tokens.codepoints("".join(CLUSTERS))) == [*"".join(CLUSTERS)]


@pytest.mark.parametrize(
    "text, expected",
    [
        pytest.param("", 0, id="empty"),
        pytest.param("你好，世界。", 6, id="chinese"),
        pytest.param("Hello, world!", 4, id="english"),
        pytest.param("你好！我是 mockllm，一个用于测试的模拟大模型。", 20, id="mixed"),
    ],
)
def test_count(text: str, expected: int) -> None:
    assert tokens.count(text) == expected


def test_count_messages_adds_three_per_message_and_three_to_prime() -> None:
    assert tokens.count_messages([]) == 3
    assert tokens.count_messages(["你好", "Hello"]) == (2 + 3) + (1 + 3) + 3
