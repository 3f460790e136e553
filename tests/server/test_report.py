"""The report card's rules over synthetic journal entries: one case per outcome of each verdict."""

from __future__ import annotations

import re
from typing import Any

import pytest

from mockllm.server.report import Rules, read_rules, report

T0 = 1_800_000_000.0  # a wall-clock second; entries are placed in milliseconds after it


def entry(id: int, at_ms: float, took_ms: float | None = 10, **fields: Any) -> dict[str, Any]:
    """A finished journal entry (open when `took_ms` is None), 200 and not streamed unless told."""
    base = {"id": id, "time": T0 + at_ms / 1000, "method": "POST", "path": "/v1/chat/completions", "status": 200, "stream": False}
    base["body"] = {"n": id}
    if took_ms is not None:
        base.update(duration_ms=took_ms, ended="complete", write_log=[[took_ms, 100]])
    return {**base, **fields}


def limited(id: int, at_ms: float, asked_ms: float | None = 120, status: int = 429) -> dict[str, Any]:
    return entry(id, at_ms, 2, status=status, retry_after_ms=asked_ms, body={"same": True})


def card(*entries: dict[str, Any], now_ms: float = 60_000, **rules: Any) -> dict[str, Any]:
    return report(list(entries), T0 + now_ms / 1000, Rules(**rules))["verdicts"]


def verdict(name: str, *entries: dict[str, Any], **rules: Any) -> str:
    return card(*entries, **rules)[name]["verdict"]


def test_an_empty_session_is_all_not_applicable():
    whole = report([], T0)
    assert whole["requests"] == 0 and whole["overall"] == "n/a"
    assert {v["verdict"] for v in whole["verdicts"].values()} == {"n/a"}


def test_a_retry_after_the_asked_wait_is_honoured():
    found = card(limited(1, 0), limited(2, 2 + 125), entry(3, 127 + 2 + 130, body={"same": True}))["retries"]
    assert found["verdict"] == "pass"
    assert [e["outcome"] for e in found["evidence"]] == ["honoured", "honoured"]
    assert found["evidence"][0] == {"request": 1, "status": 429, "asked_ms": 120, "retry": 2, "waited_ms": 125.0, "outcome": "honoured"}


def test_a_retry_sooner_than_asked_is_too_early():
    found = card(limited(1, 0), entry(2, 2 + 30))["retries"]
    assert found["verdict"] == "fail"
    assert found["evidence"][0]["outcome"] == "too early" and found["evidence"][0]["waited_ms"] == 30.0


def test_a_retry_within_rounding_of_the_asked_wait_is_honoured():
    assert verdict("retries", limited(1, 0), entry(2, 2 + 116)) == "pass"  # 120 asked, 4 ms short: clock rounding
    assert verdict("retries", limited(1, 0), entry(2, 2 + 100)) == "fail"


def test_a_failure_never_retried_warns_and_one_asking_nothing_is_not_judged():
    assert card(limited(1, 0))["retries"]["evidence"][0]["outcome"] == "never retried"
    assert verdict("retries", limited(1, 0)) == "warn"
    assert verdict("retries", limited(1, 0, asked_ms=None), entry(2, 5)) == "n/a"


def test_a_503_is_judged_like_a_429():
    assert verdict("retries", limited(1, 0, status=503, asked_ms=1000), entry(2, 2 + 200)) == "fail"


@pytest.mark.parametrize(
    ("starts", "asked", "expected"),
    [
        pytest.param([0, 102, 302, 702], None, "pass", id="gaps-grow"),
        pytest.param([0, 152, 304, 456], None, "warn", id="fixed-interval"),
        pytest.param([0, 5, 10, 15], None, "fail", id="hammering"),
        pytest.param([0, 130, 260, 390], 120, "pass", id="follows-retry-after"),
    ],
)
def test_backoff_reads_the_gaps_between_attempts(starts, asked, expected):
    failures = [limited(i + 1, at, asked_ms=asked) for i, at in enumerate(starts[:-1])]
    assert verdict("backoff", *failures, entry(len(starts), starts[-1])) == expected


def test_backoff_needs_two_retries_in_a_row():
    assert verdict("backoff", limited(1, 0, asked_ms=None), entry(2, 500)) == "n/a"


def test_a_stream_left_open_after_a_newer_request_is_abandoned():
    first = entry(1, 0, 5000, stream=True)  # the server finished it, 4 s after the second request began
    found = card(first, entry(2, 1000, 800, stream=True))["abandoned"]
    assert found["verdict"] == "fail"
    assert found["evidence"] == [{"request": 1, "newer": 2, "open_after_newer_ms": 4000.0, "ended": "complete"}]


def test_a_stream_still_open_counts_until_now():
    found = card(entry(1, 0, None, stream=True, status=None), entry(2, 1000, 500, stream=True), now_ms=3000)["abandoned"]
    assert found["evidence"][0]["ended"] == "still open" and found["evidence"][0]["open_after_newer_ms"] == 2000.0


def test_a_stream_aborted_as_the_next_request_starts_is_not_abandoned():
    aborted = entry(1, 0, 1003, stream=True, ended="client went away")
    assert verdict("abandoned", aborted, entry(2, 1000, 800, stream=True)) == "pass"
    assert verdict("abandoned", aborted, entry(2, 1000, 800), abandon_grace_ms=1) == "fail"
    assert verdict("abandoned", entry(1, 0, 10)) == "n/a"


def test_the_same_body_twice_within_the_window_is_a_duplicate():
    found = card(entry(1, 0, body={"q": "hi"}), entry(2, 180, body={"q": "hi"}))["duplicates"]
    assert found["verdict"] == "fail" and found["evidence"] == [{"request": 1, "again": 2, "after_ms": 180.0}]
    assert verdict("duplicates", entry(1, 0, body={"q": "hi"}), entry(2, 1500, body={"q": "hi"})) == "pass"
    assert verdict("duplicates", entry(1, 0, body={"q": "hi"}), entry(2, 100, body={"q": "other"})) == "pass"


def test_a_retry_after_a_failure_is_not_a_duplicate():
    assert verdict("duplicates", limited(1, 0), entry(2, 200, body={"same": True})) == "pass"


def eventsource(id: int, at_ms: float, ended: str = "complete", **headers: str) -> dict[str, Any]:
    return entry(id, at_ms, 50, method="GET", stream=True, ended=ended, headers={"Accept": "text/event-stream", **headers})


def test_an_eventsource_reconnecting_with_last_event_id_resumes():
    cut = eventsource(1, 0, ended="closed mid-body (fault)")
    found = card(cut, eventsource(2, 100, **{"Last-Event-ID": "3"}))["resume"]
    assert found["verdict"] == "pass" and found["evidence"][0]["last_event_id"] == "3"
    assert verdict("resume", cut, eventsource(2, 100)) == "fail"
    assert verdict("resume", cut) == "warn"
    assert verdict("resume", eventsource(1, 0, ended="client went away"), eventsource(2, 100)) == "n/a"


def test_stall_is_how_long_the_client_waited_on_silence():
    hung = dict(faults=["hang"], stream=True, write_log=[[200, 50], [300, 50]])
    found = card(entry(1, 0, 2300, ended="client went away", **hung))["stall"]
    assert found["verdict"] == "pass" and found["evidence"][0]["silent_ms"] == 2000.0
    assert verdict("stall", entry(1, 0, 2300, ended="client went away", **hung), stall_limit_ms=1000) == "warn"
    assert verdict("stall", entry(1, 0, 300_000, ended="hung until the maximum stream duration, then closed (fault)", **hung)) == "fail"
    assert verdict("stall", entry(1, 0, None, **hung)) == "warn"
    assert verdict("stall", entry(1, 0)) == "n/a"


def test_overall_is_the_worst_verdict():
    assert report([limited(1, 0), entry(2, 3)], T0 + 1)["overall"] == "fail"


def test_rules_come_from_the_query_over_the_defaults():
    assert read_rules({"session": "s", "stall_limit_ms": "500", "early_ratio": "1"}) == Rules(stall_limit_ms=500, early_ratio=1)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        pytest.param({"bogus": "1"}, "unknown parameter 'bogus'; valid: session, early_ratio,", id="unknown"),
        pytest.param({"stall_limit_ms": "soon"}, "stall_limit_ms must be a number >= 0; got 'soon'", id="not-a-number"),
        pytest.param({"abandon_grace_ms": "nan"}, "abandon_grace_ms must be a number >= 0", id="nan"),
        pytest.param({"immediate_ms": "-1"}, "immediate_ms must be a number >= 0", id="negative"),
        pytest.param({"early_ratio": "0"}, "early_ratio must be a number in (0, 1]", id="ratio-zero"),
    ],
)
def test_a_bad_rule_is_named(query, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        read_rules(query)
