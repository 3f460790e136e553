"""The client report card: verdicts on how a client behaved, read from one session's journal entries.

Pure functions over journal entries (the dicts `Journal.entries` gives, oldest
first). Each verdict is `pass`, `warn`, `fail` or `n/a`, with a one-line
summary and the evidence it rests on (request numbers, milliseconds). The rule
of each is in docs/report-card.md.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, fields, replace
from itertools import pairwise
from typing import Any, Callable, Iterable, Mapping, Sequence

PASS, WARN, FAIL, NA = "pass", "warn", "fail", "n/a"
#: The verdicts in the order the card lists them.
VERDICTS = ("retries", "backoff", "abandoned", "duplicates", "resume", "stall")
_RANK = {NA: 0, PASS: 1, WARN: 2, FAIL: 3}
#: Statuses a client should retry (the official SDKs retry these on their own).
RETRYABLE = frozenset({408, 409, 429, 500, 502, 503, 504, 529})


@dataclass(frozen=True)
class Rules:
    """The thresholds of the verdicts (all in milliseconds but `early_ratio`)."""

    early_ratio: float = 0.9  # a retry sooner than this share of the asked wait is too early
    early_slack_ms: float = 5  # ... and than the asked wait minus this much (timer and clock rounding)
    immediate_ms: float = 50  # a retry sooner than this after a failure that asked no wait is hammering
    abandon_grace_ms: float = 500  # an earlier stream may stay open this long after a newer request starts
    duplicate_window_ms: float = 1000  # the same body again within this is a duplicate
    stall_limit_ms: float = 60_000  # giving up on a silent stream later than this is a warning


def read_rules(query: Mapping[str, str], besides: Iterable[str] = ("session", "mock_session")) -> Rules:
    """The thresholds a query asks for over the defaults; ValueError naming a parameter that is unknown or out of range."""
    names = [f.name for f in fields(Rules)]
    changes: dict[str, float] = {}
    for key, text in query.items():
        if key in besides:
            continue
        if key not in names:
            raise ValueError(f"unknown parameter {key!r}; valid: session, {', '.join(names)}")
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or value < 0 or (key == "early_ratio" and not 0 < value <= 1):
            allowed = "a number in (0, 1]" if key == "early_ratio" else "a number >= 0"
            raise ValueError(f"{key} must be {allowed}; got {text!r}")
        changes[key] = value
    return replace(Rules(), **changes)


@dataclass
class Verdict:
    """One line of the card."""

    verdict: str
    summary: str
    evidence: list[dict[str, Any]] = field(default_factory=list)

    def json(self) -> dict[str, Any]:
        """As the report's JSON shows it."""
        return {"verdict": self.verdict, "summary": self.summary, "evidence": self.evidence}


@dataclass(frozen=True)
class Request:
    """What the card needs of one journal entry: its number, its times on one clock (ms), and how it went."""

    id: int
    start_ms: float
    end_ms: float | None  # None: still open
    status: int | None
    ended: str | None
    stream: bool
    method: str
    headers: dict[str, str]
    body: str
    path: str
    retry_after_ms: float | None
    faults: tuple[str, ...]
    last_write_ms: float | None  # since start

    @classmethod
    def of(cls, entry: dict[str, Any]) -> Request:
        """Read one journal entry."""
        start = entry["time"] * 1000
        duration = entry.get("duration_ms")
        log = entry.get("write_log") or []
        return cls(
            id=entry["id"],
            start_ms=start,
            end_ms=None if duration is None else start + duration,
            status=entry.get("status"),
            ended=entry.get("ended"),
            stream=bool(entry.get("stream")),
            method=entry.get("method", ""),
            headers={k.lower(): v for k, v in (entry.get("headers") or {}).items()},
            body=json.dumps(entry.get("body"), sort_keys=True, ensure_ascii=False),
            path=entry.get("path", ""),
            retry_after_ms=entry.get("retry_after_ms"),
            faults=tuple(entry.get("faults") or ()),
            last_write_ms=log[-1][0] if log else None,
        )

    @property
    def failed(self) -> bool:
        """Answered with a status a client should retry."""
        return self.status in RETRYABLE

    @property
    def open(self) -> bool:
        """Still being answered."""
        return self.end_ms is None

    def end(self, now_ms: float) -> float:
        """When it ended, or `now_ms` while it is open."""
        return now_ms if self.end_ms is None else self.end_ms


def report(entries: Iterable[dict[str, Any]], now: float, rules: Rules = Rules()) -> dict[str, Any]:
    """The card for one session's entries (oldest first) at wall-clock time `now` (seconds)."""
    requests = sorted((Request.of(e) for e in entries), key=lambda r: r.id)
    now_ms = now * 1000
    cards = {name: CHECKS[name](requests, now_ms, rules) for name in VERDICTS}
    overall = max((card.verdict for card in cards.values()), key=_RANK.__getitem__, default=NA)
    return {"requests": len(requests), "overall": overall, "verdicts": {name: card.json() for name, card in cards.items()}}


def _worst(verdicts: Sequence[str]) -> str:
    return max(verdicts, key=_RANK.__getitem__)


def retries(requests: list[Request], now_ms: float, rules: Rules) -> Verdict:
    """Each failure that asked for a wait, and when (or whether) the next request of the session came."""
    asked = [r for r in requests if r.failed and r.retry_after_ms is not None and not r.open]
    if not asked:
        return Verdict(NA, "no failure asked for a wait (429/503 with retry-after or retry-after-ms)")
    evidence, verdicts = [], []
    for failure in asked:
        retry = _next(requests, failure)
        wait = failure.retry_after_ms
        assert wait is not None and failure.end_ms is not None
        if retry is None:
            verdicts.append(WARN)
            evidence.append({"request": failure.id, "status": failure.status, "asked_ms": wait, "outcome": "never retried"})
            continue
        gap = retry.start_ms - failure.end_ms
        early = gap < min(wait * rules.early_ratio, wait - rules.early_slack_ms)
        verdicts.append(FAIL if early else PASS)
        outcome = "too early" if early else "honoured"
        evidence.append({"request": failure.id, "status": failure.status, "asked_ms": wait, "retry": retry.id, "waited_ms": round(gap, 1), "outcome": outcome})
    verdict = _worst(verdicts)
    summary = {PASS: "every retry waited as long as asked", FAIL: "a retry came before the asked wait", WARN: "a failure was never retried"}[verdict]
    return Verdict(verdict, summary, evidence)


def backoff(requests: list[Request], now_ms: float, rules: Rules) -> Verdict:
    """Within each run of failures and their retries, whether the gaps grow (or follow what the server asked)."""
    runs = [run for run in _failure_runs(requests) if len(run) >= 3]  # two failures and two retries at least
    if not runs:
        return Verdict(NA, "fewer than two retries in a row")
    evidence, verdicts = [], []
    for run in runs:
        gaps = [round(b.start_ms - a.end(now_ms), 1) for a, b in pairwise(run)]
        asked = [a.retry_after_ms for a in run[:-1]]
        told = all(w is not None and g >= min(w * rules.early_ratio, w - rules.early_slack_ms) for w, g in zip(asked, gaps))
        grows = all(later > earlier for earlier, later in pairwise(gaps))
        if told or grows:
            verdict, why = PASS, "followed the asked waits" if told else "gaps grow"
        elif all(g < rules.immediate_ms for g in gaps):
            verdict, why = FAIL, "retried at once, again and again"
        else:
            verdict, why = WARN, "gaps do not grow"
        verdicts.append(verdict)
        evidence.append({"requests": [r.id for r in run], "gaps_ms": gaps, "asked_ms": asked, "outcome": why})
    verdict = _worst(verdicts)
    summary = {PASS: "retries back off", WARN: "retries come at a fixed or shrinking interval", FAIL: "retries hammer the server"}[verdict]
    return Verdict(verdict, summary, evidence)


def abandoned(requests: list[Request], now_ms: float, rules: Rules) -> Verdict:
    """Streams still open well after a newer request of the session started."""
    streams = [r for r in requests if r.stream and (r.status == 200 or r.open)]  # an open entry has no status yet
    if not streams or len(requests) < 2:
        return Verdict(NA, "fewer than two requests, or no stream")
    evidence = []
    for stream in streams:
        newer = next((r for r in requests if r.id > stream.id and r.start_ms < stream.end(now_ms)), None)
        if newer is None:
            continue
        kept_ms = stream.end(now_ms) - newer.start_ms
        if kept_ms > rules.abandon_grace_ms:
            how = "still open" if stream.open else stream.ended
            evidence.append({"request": stream.id, "newer": newer.id, "open_after_newer_ms": round(kept_ms, 1), "ended": how})
    if evidence:
        return Verdict(FAIL, f"{len(evidence)} stream(s) left open after a newer request", evidence)
    return Verdict(PASS, "every stream was closed or done before the next request")


def duplicates(requests: list[Request], now_ms: float, rules: Rules) -> Verdict:
    """The same request (path and body) sent again within the window, the first not having failed."""
    if len(requests) < 2:
        return Verdict(NA, "fewer than two requests")
    evidence = []
    for i, first in enumerate(requests):
        for again in requests[i + 1 :]:
            gap = again.start_ms - first.start_ms
            if gap > rules.duplicate_window_ms:
                break
            if again.body == first.body and again.path == first.path and not first.failed:
                evidence.append({"request": first.id, "again": again.id, "after_ms": round(gap, 1)})
    if evidence:
        return Verdict(FAIL, f"{len(evidence)} request(s) sent twice within {rules.duplicate_window_ms:g} ms", evidence)
    return Verdict(PASS, "no request sent twice")


def resume(requests: list[Request], now_ms: float, rules: Rules) -> Verdict:
    """Whether an EventSource that lost its stream reconnected with Last-Event-ID."""
    evidence, verdicts = [], []
    for lost in (r for r in requests if _eventsource(r) and not r.open and _cut_short(r)):
        again = _next(requests, lost)
        if again is None:
            verdicts.append(WARN)
            evidence.append({"request": lost.id, "ended": lost.ended, "outcome": "never reconnected"})
            continue
        resumed = again.headers.get("last-event-id")
        verdicts.append(PASS if resumed else FAIL)
        evidence.append({"request": lost.id, "ended": lost.ended, "reconnect": again.id, "last_event_id": resumed, "outcome": "resumed" if resumed else "started over"})
    if not verdicts:
        return Verdict(NA, "no EventSource stream was cut short")
    verdict = _worst(verdicts)
    summary = {PASS: "reconnected with Last-Event-ID", FAIL: "reconnected without Last-Event-ID", WARN: "never reconnected"}[verdict]
    return Verdict(verdict, summary, evidence)


def stall(requests: list[Request], now_ms: float, rules: Rules) -> Verdict:
    """On a stream that went silent (a `hang` fault), how long the client waited before it gave up."""
    hung = [r for r in requests if "hang" in r.faults]
    if not hung:
        return Verdict(NA, "no stream went silent (a hang fault)")
    evidence, verdicts = [], []
    for r in hung:
        silent_since = r.start_ms + (r.last_write_ms or 0)
        waited = round(r.end(now_ms) - silent_since, 1)
        if r.open:
            verdict, outcome = WARN, "still waiting"
        elif r.ended == "client went away":
            verdict, outcome = (PASS, "gave up") if waited <= rules.stall_limit_ms else (WARN, "gave up late")
        else:
            verdict, outcome = FAIL, "never gave up: the server closed it"
        verdicts.append(verdict)
        evidence.append({"request": r.id, "silent_ms": waited, "ended": r.ended, "outcome": outcome})
    verdict = _worst(verdicts)
    summary = {PASS: "gave up on the silent stream", WARN: "waited long on a silent stream", FAIL: "never gave up on a silent stream"}[verdict]
    return Verdict(verdict, summary, evidence)


def _next(requests: list[Request], after: Request) -> Request | None:
    return next((r for r in requests if r.id > after.id), None)


def _failure_runs(requests: list[Request]) -> list[list[Request]]:
    """Runs of consecutive failed requests, each with the request that followed the last failure."""
    runs: list[list[Request]] = []
    current: list[Request] = []
    for r in requests:
        current.append(r)
        if not r.failed:
            if len(current) > 1:
                runs.append(current)
            current = []
    if len(current) > 1:
        runs.append(current)
    return runs


def _eventsource(r: Request) -> bool:
    return r.method == "GET" and "text/event-stream" in r.headers.get("accept", "")


def _cut_short(r: Request) -> bool:
    return r.ended is not None and "(fault)" in r.ended


CHECKS: dict[str, Callable[[list[Request], float, Rules], Verdict]] = {
    "retries": retries,
    "backoff": backoff,
    "abandoned": abandoned,
    "duplicates": duplicates,
    "resume": resume,
    "stall": stall,
}
