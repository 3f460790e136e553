"""Prometheus metrics: requests, open streams, writes, lateness and faults, per route and scenario.

Counting costs plain arithmetic: the pacer counts each stream's writes and
their lateness in its `Outcome`, and `Metrics` folds an outcome into its
totals when the response ends (open streams are read live at a scrape).
prometheus-client is imported only when `GET /_mock/metrics` renders them.
A `snapshot` is plain JSON, so the totals of several worker processes can be
added up (`merge`) before rendering.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from mockllm.delivery.pacer import LATE_S, LATENESS_BOUNDS_S, Outcome

if TYPE_CHECKING:
    from prometheus_client.metrics_core import Metric

Snapshot = dict[str, list[list[Any]]]
_NO_SCENARIO = "-"  # the scenario label of a request refused before one was chosen


class _Writes:
    """Write counts of one (route, scenario): how many, how many late, the lateness histogram."""

    __slots__ = ("writes", "late", "buckets", "lateness_sum")

    def __init__(self) -> None:
        self.writes = self.late = 0
        self.buckets = [0] * (len(LATENESS_BOUNDS_S) + 1)
        self.lateness_sum = 0.0

    def add(self, writes: int, late: int, buckets: Iterable[int], lateness_sum: float) -> None:
        self.writes += writes
        self.late += late
        self.buckets = [a + b for a, b in zip(self.buckets, buckets)]
        self.lateness_sum += lateness_sum


class Metrics:
    """The counters of one server process."""

    def __init__(self) -> None:
        self.requests: Counter[tuple[str, str, str]] = Counter()
        self.faults: Counter[tuple[str, str, str]] = Counter()
        self.writes: dict[tuple[str, str], _Writes] = {}
        self.live: dict[int, tuple[tuple[str, str], Outcome]] = {}

    def opened(self, outcome: Outcome, route: str, scenario: str) -> None:
        """A response of `scenario` on `route` starts streaming."""
        self.live[id(outcome)] = ((route, scenario), outcome)

    def closed(self, outcome: Outcome, route: str, scenario: str | None, faults: Iterable[str] = ()) -> None:
        """A request ended: count it, its writes and the faults that struck."""
        self.live.pop(id(outcome), None)
        scenario = scenario or _NO_SCENARIO
        self.requests[(route, scenario, str(outcome.status or "none"))] += 1
        for fault in faults:
            self.faults[(route, scenario, fault)] += 1
        if outcome.writes:
            totals = self.writes.get((route, scenario)) or self.writes.setdefault((route, scenario), _Writes())
            totals.add(outcome.writes, outcome.late_writes, outcome.lateness, outcome.lateness_sum_s)

    def snapshot(self) -> Snapshot:
        """Every figure as JSON-able rows, open streams' writes so far included."""
        writes: dict[tuple[str, str], _Writes] = {}
        for key, totals in self.writes.items():
            writes.setdefault(key, _Writes()).add(totals.writes, totals.late, totals.buckets, totals.lateness_sum)
        open_streams: Counter[tuple[str, str]] = Counter()
        for key, outcome in self.live.values():
            open_streams[key] += 1
            writes.setdefault(key, _Writes()).add(outcome.writes, outcome.late_writes, outcome.lateness, outcome.lateness_sum_s)
        return {
            "requests": [[*key, n] for key, n in self.requests.items()],
            "faults": [[*key, n] for key, n in self.faults.items()],
            "open": [[*key, n] for key, n in open_streams.items()],
            "writes": [[*key, w.writes, w.late, w.buckets, w.lateness_sum] for key, w in writes.items()],
        }


def merge(snapshots: Iterable[Snapshot]) -> Snapshot:
    """Add up snapshots (one per worker process) row by row."""
    counted: dict[str, Counter[tuple[str, ...]]] = {"requests": Counter(), "faults": Counter(), "open": Counter()}
    writes: dict[tuple[str, str], _Writes] = {}
    for snapshot in snapshots:
        for name, counter in counted.items():
            for *key, n in snapshot.get(name, []):
                counter[tuple(key)] += n
        for route, scenario, count, late, buckets, lateness_sum in snapshot.get("writes", []):
            writes.setdefault((route, scenario), _Writes()).add(count, late, buckets, lateness_sum)
    merged: Snapshot = {name: [[*key, n] for key, n in counter.items()] for name, counter in counted.items()}
    merged["writes"] = [[*key, w.writes, w.late, w.buckets, w.lateness_sum] for key, w in writes.items()]
    return merged


def render(snapshot: Snapshot) -> tuple[bytes, str]:
    """The Prometheus text exposition of `snapshot`, and its content type."""
    from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Collector(snapshot))  # type: ignore[arg-type]
    return generate_latest(registry), CONTENT_TYPE_LATEST


class _Collector:
    """Yields the metric families of one snapshot."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot

    def collect(self) -> Iterator[Metric]:
        from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily

        labels = ["route", "scenario"]
        snap = self.snapshot
        requests = CounterMetricFamily("mockllm_requests", "Requests answered, by status (none: no status line was sent).", labels=[*labels, "status"])
        for route, scenario, status, n in snap["requests"]:
            requests.add_metric([route, scenario, status], n)
        yield requests
        streams = GaugeMetricFamily("mockllm_open_streams", "Responses being streamed now.", labels=labels)
        for route, scenario, n in snap["open"]:
            streams.add_metric([route, scenario], n)
        yield streams
        written = CounterMetricFamily("mockllm_deltas_written", "Wire writes sent: one per frame unless wire options merge or split frames.", labels=labels)
        late = CounterMetricFamily("mockllm_late_deltas", f"Writes sent more than {LATE_S * 1000:g} ms after their planned time.", labels=labels)
        lateness = HistogramMetricFamily("mockllm_write_lateness_seconds", "How far behind its planned time each write went out.", labels=labels)
        for route, scenario, count, late_count, buckets, lateness_sum in snap["writes"]:
            written.add_metric([route, scenario], count)
            late.add_metric([route, scenario], late_count)
            lateness.add_metric([route, scenario], _cumulative(buckets), max(lateness_sum, 0.0))
        yield from (written, late, lateness)
        faults = CounterMetricFamily("mockllm_faults", "Transport faults that struck, by fault name.", labels=[*labels, "fault"])
        for route, scenario, fault, n in snap["faults"]:
            faults.add_metric([route, scenario, fault], n)
        yield faults


def _cumulative(buckets: list[int]) -> list[tuple[str, float]]:
    """Prometheus `le` buckets (cumulative counts) from per-bucket counts."""
    bounds = [f"{b:g}" for b in LATENESS_BOUNDS_S] + ["+Inf"]
    total, out = 0, []
    for bound, count in zip(bounds, buckets):
        total += count
        out.append((bound, float(total)))
    return out
