"""Prometheus metrics at /_mock/metrics: what a scrape reports after real requests."""

from __future__ import annotations

from pathlib import Path

from blocking_http import chat, wait_for, write_scenarios
from prometheus_client.parser import text_string_to_metric_families

from mockllm.delivery.pacer import Outcome
from mockllm.server.metrics import Metrics, merge
from mockllm.server.state import STATE

SCENARIOS = {"plain": "", "reset3": "faults:\n  - {fault: reset, after_deltas: 3}\n", "hang": "faults:\n  - {fault: hang, after_deltas: 1}\n"}
CHAT = "/v1/chat/completions"


def scrape(server) -> dict[tuple[str, frozenset], float]:
    import urllib.request

    with urllib.request.urlopen(server.url + "/_mock/metrics") as response:
        assert response.headers["Content-Type"].startswith("text/plain; version=")
        text = response.read().decode()
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def labels(scenario: str, **more: str) -> frozenset:
    return frozenset({"route": CHAT, "scenario": scenario, **more}.items())


def test_a_scrape_counts_requests_writes_lateness_and_faults(live_server, tmp_path: Path):
    server = live_server(scenarios=write_scenarios(tmp_path, SCENARIOS), default="plain")
    plain = chat(server.port, "plain", keep_alive=False)
    chat(server.port, "plain", keep_alive=False)
    chat(server.port, "reset3")
    wait_for(lambda: server.call(lambda: not server.app[STATE].tasks))
    samples = scrape(server)
    writes = len(plain.response.chunks)
    assert samples["mockllm_requests_total", labels("plain", status="200")] == 2
    assert samples["mockllm_deltas_written_total", labels("plain")] == 2 * writes
    assert samples["mockllm_write_lateness_seconds_count", labels("plain")] == 2 * writes
    assert samples["mockllm_write_lateness_seconds_bucket", labels("plain", le="+Inf")] == 2 * writes
    assert ("mockllm_late_deltas_total", labels("plain")) in samples
    assert samples["mockllm_faults_total", labels("reset3", fault="reset")] == 1
    assert samples.get(("mockllm_open_streams", labels("plain")), 0) == 0


def test_open_streams_count_a_stream_while_it_runs(live_server, tmp_path: Path):
    server = live_server(scenarios=write_scenarios(tmp_path, SCENARIOS), default="plain", max_stream_s=30)
    import socket

    from blocking_http import request_bytes

    with socket.create_connection(("127.0.0.1", server.port)) as client:
        client.sendall(request_bytes(server.port, {"stream": True, "messages": [{"role": "user", "content": "hi"}]}, {"X-Mock-Scenario": "hang"}))
        assert client.recv(1 << 16).startswith(b"HTTP/1.1 200")
        assert wait_for(lambda: server.call(lambda: len(server.app[STATE].tasks)) == 1)
        samples = scrape(server)
        assert samples["mockllm_open_streams", labels("hang")] == 1
        assert samples["mockllm_deltas_written_total", labels("hang")] >= 1


def test_snapshots_of_several_workers_add_up():
    one, two = Metrics(), Metrics()
    for metrics, writes in ((one, 3), (two, 5)):
        outcome = Outcome(writes=writes)
        outcome.lateness[0] = writes
        metrics.closed(outcome, CHAT, "plain", ["reset"])
    merged = merge([one.snapshot(), two.snapshot()])
    assert merged["requests"] == [[CHAT, "plain", "200", 2]]
    assert merged["faults"] == [[CHAT, "plain", "reset", 2]]
    assert merged["writes"][0][:4] == [CHAT, "plain", 8, 0]
    assert merged["writes"][0][4][0] == 8
