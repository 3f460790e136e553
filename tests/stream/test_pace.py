"""Pacing: a Delay before every delta; first-token wait, then delay_ms with seeded, bounded jitter."""

from __future__ import annotations

import random

import pytest

from mockllm.core.events import Delay, Error, Event, Finish, Text, Think
from mockllm.stream.transforms.pace import pace

DELTAS: list[Event] = [Think("a"), Text("b"), Text("c"), Delay(500), Text("d"), Finish(), Error("x")]


def delays(events: list[Event]) -> list[float]:
    """The waits before deltas (not the wait before the end)."""
    return [e.ms for e in events if isinstance(e, Delay) and not e.own_write]


def paced(seed: int = 0, **settings: float) -> list[Event]:
    return list(pace(DELTAS, random.Random(seed), **{"delay_ms": 30, "first_token_ms": 200, **settings}))


def test_first_token_wait_then_delay_before_each_delta() -> None:
    assert paced() == [
        Delay(200),
        Think("a"),
        Delay(30),
        Text("b"),
        Delay(30),
        Text("c"),
        Delay(500),
        Delay(30),
        Text("d"),
        Finish(),
        Delay(30, own_write=True),
        Error("x"),
        Delay(30, own_write=True),
    ]


def test_closing_frames_are_due_one_delta_interval_after_the_last_delta() -> None:
    events = list(pace([Text("a"), Text("b"), Finish()], random.Random(0), delay_ms=30, first_token_ms=0))
    assert events == [Text("a"), Delay(30), Text("b"), Finish(), Delay(30, own_write=True)]


def test_end_ms_sets_the_wait_before_the_end_and_zero_still_marks_it() -> None:
    assert list(pace([Text("a")], random.Random(0), delay_ms=30, first_token_ms=0, end_ms=120))[-1] == Delay(120, own_write=True)
    assert list(pace([Text("a")], random.Random(0), delay_ms=30, first_token_ms=0, end_ms=0))[-1] == Delay(0, own_write=True)


def test_an_early_error_is_followed_by_the_end_wait_and_nothing_else_waits_without_deltas() -> None:
    """The wait comes after the error: a dialect that answers it with an HTTP error has sent it by then."""
    assert list(pace([Error("x")], random.Random(0), delay_ms=30, first_token_ms=0)) == [Error("x"), Delay(30, own_write=True)]
    assert list(pace([Finish()], random.Random(0), delay_ms=30, first_token_ms=0)) == [Finish()]


def test_zero_waits_add_no_delay() -> None:
    assert delays(paced(first_token_ms=0, delay_ms=0)) == [500]


def test_events_and_their_order_are_unchanged() -> None:
    assert [e for e in paced(jitter_ms=10) if not isinstance(e, Delay) or e.ms == 500] == [
        e for e in DELTAS
    ]


def test_jitter_is_bounded_and_seeded() -> None:
    many = [Text(str(i)) for i in range(500)]
    first = list(pace(many, random.Random(3), delay_ms=30, first_token_ms=0, jitter_ms=10))
    waits = delays(first)
    assert len(waits) == 499
    assert all(20 <= w <= 40 for w in waits)
    assert len(set(waits)) > 400, "jitter should vary"
    assert first == list(pace(many, random.Random(3), delay_ms=30, first_token_ms=0, jitter_ms=10))
    assert first != list(pace(many, random.Random(4), delay_ms=30, first_token_ms=0, jitter_ms=10))


@pytest.mark.parametrize("seed", range(5))
def test_jitter_larger_than_delay_never_goes_negative(seed: int) -> None:
    many = [Text(str(i)) for i in range(200)]
    waits = delays(list(pace(many, random.Random(seed), delay_ms=5, first_token_ms=0, jitter_ms=50)))
    assert waits and all(0 < w <= 55 for w in waits)


def test_first_token_wait_has_no_jitter() -> None:
    assert delays(paced(seed=9, jitter_ms=10))[0] == 200
