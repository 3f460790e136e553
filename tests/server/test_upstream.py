"""Fall-through: `--upstream` forwards what no scenario answers to a second mockllm, records it, and serves it from the file next time."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import openai
import pytest
from conftest import LiveServer

from mockllm.server.config import ServerConfig
from mockllm.server.upstream import parse_upstreams

UPSTREAM_TEXT = "来自上游的回答：the upstream says hello."
SECRET = "sk-live-do-not-write-me-0123456789"
QUESTION = "这个问题没有剧本。Nothing scripts this question."


def scenario(name: str, text: str, match: dict[str, Any] | None = None) -> str:
    doc: dict[str, Any] = {"schema": 1, "name": name, "description": f"{name} for the fall-through tests.", "steps": [{"say": text}]}
    if match:
        doc["match"] = match
    doc["stream"] = {"unit": "token", "delay_ms": 5}
    return json.dumps(doc, ensure_ascii=False)


@pytest.fixture
def upstream(tmp_path: Path) -> Iterator[LiveServer]:
    """The 'real API': a second mockllm whose default answers UPSTREAM_TEXT, seeded so the same request gets the same bytes."""
    folder = tmp_path / "upstream"
    folder.mkdir()
    (folder / "default.yaml").write_text(scenario("default", UPSTREAM_TEXT), encoding="utf-8")
    server = LiveServer(ServerConfig(scenarios=folder, speed=0, seed=7)).start()
    yield server
    server.stop()


@pytest.fixture
def served(tmp_path: Path) -> Path:
    folder = tmp_path / "served"
    folder.mkdir()
    (folder / "default.yaml").write_text(scenario("default", "the local default"), encoding="utf-8")
    (folder / "local.yaml").write_text(scenario("local", "本地剧本 answers this.", {"message": "local"}), encoding="utf-8")
    return folder


@pytest.fixture
def front(served: Path, upstream: LiveServer) -> Iterator[LiveServer]:
    server = LiveServer(ServerConfig(scenarios=served, speed=0, upstream=(upstream.url,))).start()
    yield server
    server.stop()


def post(url: str, question: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """A streamed chat request with an API key (and `headers`): status, headers, body."""
    body = {"model": "gpt-4o-mini", "stream": True, "messages": [{"role": "user", "content": question}]}
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {SECRET}", **(headers or {})}
    request = urllib.request.Request(f"{url}/v1/chat/completions", data=json.dumps(body).encode(), headers=headers)
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def journal(url: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{url}/_mock/journal") as response:
        return json.loads(response.read())


def test_an_unmatched_request_gets_the_upstreams_bytes_and_is_recorded(front: LiveServer, upstream: LiveServer, served: Path) -> None:
    status, headers, body = post(front.url, QUESTION)
    _, _, direct = post(upstream.url, QUESTION)
    assert status == 200 and body == direct and headers["X-Mock-Forwarded"] == upstream.url
    assert headers["X-Mock-Why"] == "forwarded: no scenario names or matches it"
    [recorded] = (served / "recorded").glob("*.yaml")
    assert UPSTREAM_TEXT in recorded.read_text(encoding="utf-8") and SECRET not in recorded.read_text(encoding="utf-8")
    assert not (served / "recorded" / "default.yaml").exists()
    entry = journal(front.url)[-1]
    assert (entry["forwarded"], entry["recorded"], entry["scenario"]) == (upstream.url, f"recorded/{recorded.name}", None)
    assert entry["ended"] == f"forwarded to {upstream.url}, recorded as recorded/{recorded.name}"
    assert (entry["why"]["by"], entry["why"]["tried"][0]["failed"]) == ("upstream", "message")
    seen = journal(upstream.url)[0]
    assert "Authorization" in seen["headers"] and seen["path"] == "/v1/chat/completions"


def test_the_next_identical_request_is_answered_from_the_file_without_the_upstream(front: LiveServer, upstream: LiveServer) -> None:
    post(front.url, QUESTION)
    upstream.stop()
    answer = openai.OpenAI(base_url=f"{front.url}/v1", api_key=SECRET, max_retries=0).chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": QUESTION}]
    )
    assert answer.choices[0].message.content == UPSTREAM_TEXT
    entry = journal(front.url)[-1]
    assert entry["scenario"].endswith("-turn-0") and "forwarded" not in entry


def test_a_scenario_or_a_match_wins_over_the_upstream(front: LiveServer, upstream: LiveServer) -> None:
    _, matched, _ = post(front.url, "local please")
    _, named, _ = post(front.url, QUESTION, headers={"X-Mock-Scenario": "default"})
    assert (matched["X-Mock-Scenario"], named["X-Mock-Scenario"]) == ("local", "default")
    assert "X-Mock-Forwarded" not in matched and "X-Mock-Forwarded" not in named and journal(upstream.url) == []


def test_a_default_posted_for_the_session_wins_over_the_upstream(front: LiveServer, upstream: LiveServer) -> None:
    posted = urllib.request.Request(
        f"{front.url}/_mock/scenarios?session=s1", data=scenario("default", "the session's own default").encode(), method="POST"
    )
    with urllib.request.urlopen(posted) as response:
        assert response.status in (200, 201)
    _, headers, _ = post(front.url, QUESTION, headers={"X-Mock-Session": "s1"})
    assert (headers["X-Mock-Scenario"], "X-Mock-Forwarded" in headers, journal(upstream.url)) == ("default", False, [])
    assert headers["X-Mock-Why"] == "default (a posted one): no rule matched"
    assert journal(front.url)[-1]["session"] == "s1" and "forwarded" not in journal(front.url)[-1]


def test_an_unreachable_upstream_is_a_502_in_the_dialects_shape(served: Path, tmp_path: Path) -> None:
    server = LiveServer(ServerConfig(scenarios=served, speed=0, upstream=("http://127.0.0.1:9",))).start()
    try:
        status, _, body = post(server.url, QUESTION)
    finally:
        server.stop()
    assert status == 502 and "unreachable" in json.loads(body)["error"]["message"]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (("http://up",), {"*": "http://up"}),
        (
            ("anthropic=https://a.example,openai=https://o.example/x?k=v=w",),
            {"anthropic": "https://a.example", "openai": "https://o.example/x?k=v=w"},
        ),
        (("Vertex-Gemini=http://v",), {"vertex-gemini": "http://v"}),
    ],
    ids=["one-for-all", "per-provider", "per-dialect"],
)
def test_upstream_flags_parse(values: tuple[str, ...], expected: dict[str, str]) -> None:
    assert parse_upstreams(values) == expected


@pytest.mark.parametrize(("value", "message"), [("nosuch=http://x", "unknown provider or dialect 'nosuch'"), ("ftp://x", "http:// or https://")])
def test_bad_upstream_flags_say_what_is_wrong(value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_upstreams((value,))
