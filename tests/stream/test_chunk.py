"""Chunking text events into deltas of a unit, `per_delta` units at a time."""

from __future__ import annotations

import pytest

from mockllm.core.events import Delay, Error, Finish, Text, Think
from mockllm.stream.transforms.chunk import chunk

MIXED = "你好！Hello, world 123"


@pytest.mark.parametrize(
    "unit, per_delta, expected",
    [
        pytest.param("char", 1, [*MIXED], id="char"),
        pytest.param("word", 1, ["你", "好", "！", "Hello,", " world", " 123"], id="word"),
        pytest.param("token", 1, ["你", "好", "！", "Hello", ",", " world", " 123"], id="token"),
        pytest.param("token", 3, ["你好！", "Hello, world", " 123"], id="token-per-3"),
        pytest.param("char", 100, [MIXED], id="per-delta-beyond-length"),
        pytest.param("codepoint", 1, [*MIXED], id="codepoint"),
    ],
)
def test_text_becomes_deltas(unit: str, per_delta: int, expected: list[str]) -> None:
    assert list(chunk([Text(MIXED)], unit, per_delta)) == [Text(piece) for piece in expected]


def test_think_keeps_its_kind_and_other_events_pass_through_in_order() -> None:
    events = [Think("嗯好"), Delay(5), Text("ok"), Finish("length"), Error("boom")]
    assert list(chunk(events, "char")) == [
        Think("嗯"),
        Think("好"),
        Delay(5),
        Text("o"),
        Text("k"),
        Finish("length"),
        Error("boom"),
    ]


def test_codepoint_cuts_a_cluster_that_char_keeps_whole() -> None:
    flag_and_mark = "\U0001F1EF\U0001F1F5e\u0301"  # 🇯🇵 é
    assert list(chunk([Text(flag_and_mark)], "char")) == [Text("\U0001F1EF\U0001F1F5"), Text("e\u0301")]
    assert list(chunk([Text(flag_and_mark)], "codepoint")) == [Text(c) for c in flag_and_mark]


def test_empty_text_yields_no_delta() -> None:
    assert list(chunk([Text(""), Finish()], "token")) == [Finish()]


def test_chunk_is_lazy() -> None:
    """A transform pulls one event at a time, so an Error upstream stops it at once."""

    def events():
        yield Text("ab")
        raise AssertionError("pulled too far")

    deltas = chunk(events(), "char")
    assert next(deltas) == Text("a")
    assert next(deltas) == Text("b")
