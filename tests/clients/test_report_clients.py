"""The report card against real clients on a real socket: the openai SDK, a fetch loop, Chromium pages, EventSource, a stalled read."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import quote

import openai
import pytest
from conftest import SCENARIOS
from node_clients import BROWSER
from rawhttp import get
from test_eventsource import RESUME

pytestmark = pytest.mark.xdist_group("serial")
#: A 429 that asks for a wait long enough that an immediate retry on a loaded machine is still plainly early.
ASKS_A_SECOND = """
schema: 1
name: asks-a-second
description: 429 rate_limited asking the client to wait 1000 ms.
steps:
  - error: {preset: rate_limited, headers: {retry-after-ms: "1000", retry-after: "1"}}
"""


def node(script: str, payload: dict[str, Any]) -> dict[str, Any]:
    """Run `tests/browser/<script>` with `payload` on stdin; its stdout is one JSON object."""
    done = subprocess.run(["node", str(BROWSER / script)], input=json.dumps(payload), capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


async def report(server: Any, session: str) -> dict[str, Any]:
    response = await get("127.0.0.1", server.port, f"/_mock/report?session={quote(session)}")
    assert response.status == 200, response.body
    return json.loads(response.body)


def journal(server: Any, session: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{server.url}/_mock/journal?session={quote(session)}", timeout=10) as response:
        return json.load(response)  # type: ignore[no-any-return]


@pytest.fixture
def server(live_server, tmp_path: Path):
    shutil.copytree(SCENARIOS, tmp_path, dirs_exist_ok=True)
    (tmp_path / "es-resume.yaml").write_text(RESUME, encoding="utf-8")
    (tmp_path / "asks-a-second.yaml").write_text(ASKS_A_SECOND, encoding="utf-8")
    return live_server(scenarios=tmp_path)


async def test_the_openai_sdk_honours_retry_after_ms(server):
    client = openai.OpenAI(base_url=f"{server.url}/v1", api_key="sk-unused", default_headers={"X-Mock-Session": "sdk"})
    answer = client.chat.completions.create(model="fail-twice-then-succeed", messages=[{"role": "user", "content": "hi"}])
    assert answer.choices[0].message.content
    card = await report(server, "sdk")
    retries = card["verdicts"]["retries"]
    assert retries["verdict"] == "pass", retries
    one, two, three = (e["id"] for e in journal(server, "sdk"))
    assert [(e["request"], e["retry"], e["asked_ms"], e["outcome"]) for e in retries["evidence"]] == [(one, two, 120, "honoured"), (two, three, 120, "honoured")]
    assert all(e["waited_ms"] >= 120 * 0.9 for e in retries["evidence"])
    assert card["verdicts"]["backoff"]["verdict"] == "pass"
    assert card["verdicts"]["duplicates"]["verdict"] == "pass"


async def test_a_fetch_loop_that_retries_at_once_is_too_early(server):
    seen = node("fetch_retry_loop.mjs", {"url": server.url, "session": "loop", "model": "asks-a-second", "attempts": 3, "waitMs": 0})
    assert seen["statuses"] == [429, 429, 429]
    card = await report(server, "loop")
    retries = card["verdicts"]["retries"]
    assert retries["verdict"] == "fail"
    assert [e["outcome"] for e in retries["evidence"]] == ["too early", "too early", "never retried"]
    assert all(e["asked_ms"] == 1000 and e["waited_ms"] < 900 for e in retries["evidence"][:2])
    assert card["overall"] == "fail"


async def test_a_fetch_loop_that_waits_as_asked_is_honoured(server):
    node("fetch_retry_loop.mjs", {"url": server.url, "session": "patient", "model": "asks-a-second", "attempts": 2, "waitMs": 1000})
    outcomes = [e["outcome"] for e in (await report(server, "patient"))["verdicts"]["retries"]["evidence"]]
    assert outcomes == ["honoured", "never retried"]


@pytest.mark.parametrize(("abort", "expected"), [pytest.param(False, "fail", id="left-open"), pytest.param(True, "pass", id="aborted")])
async def test_a_page_that_starts_a_second_stream(server, abort, expected):
    session = f"page-{'abort' if abort else 'leave'}"
    seen = node("chromium_second_stream.mjs", {"origin": server.url, "session": session, "first": "long-chinese", "second": "hello", "abort": abort})
    assert seen["firstText"].startswith("data: ") and "[DONE]" in seen["secondText"]
    abandoned = seen["report"]["verdicts"]["abandoned"]
    assert abandoned["verdict"] == expected, abandoned
    first, second = (e["id"] for e in journal(server, session))
    if not abort:
        assert [(e["request"], e["newer"], e["ended"]) for e in abandoned["evidence"]] == [(first, second, "still open")]
    after = (await report(server, session))["verdicts"]["abandoned"]  # the page is closed now: how the first stream ended
    assert after["verdict"] == expected
    if not abort:
        assert after["evidence"][0]["ended"] == "client went away"


async def test_chromiums_eventsource_resumes_with_last_event_id(server):
    # Paced (mock_speed=1): the drop comes 300 ms after the text. A drop right behind the last write can reach a
    # busy Chromium before it has read that write, and it then reconnects with no event seen (no Last-Event-ID).
    url = "/v1/chat/completions?prompt=hi&model=es-resume&mock_session=es&mock_speed=1"
    seen = node("chromium_eventsource.mjs", {"origin": server.url, "url": url})
    assert seen["opens"] == 2
    resume = (await report(server, "es"))["verdicts"]["resume"]
    assert resume["verdict"] == "pass", resume
    first, second = (e["id"] for e in journal(server, "es"))
    assert (resume["evidence"][0]["request"], resume["evidence"][0]["reconnect"]) == (first, second)
    ids = [int(m["lastEventId"]) for m in seen["messages"]]
    assert int(resume["evidence"][0]["last_event_id"]) in ids[:-1] and ids == sorted(set(ids))  # an id it saw; nothing sent twice


def post_raw(port: int, path: str, body: dict[str, Any], session: str) -> socket.socket:
    """Send a streamed chat request on a fresh socket and return it unread."""
    sock = socket.create_connection(("127.0.0.1", port))
    data = json.dumps(body).encode()
    head = f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Mock-Session: {session}\r\nContent-Length: {len(data)}\r\nConnection: close\r\n\r\n"
    sock.sendall(head.encode() + data)
    return sock


async def test_a_client_that_times_out_on_a_silent_stream_gave_up(server):
    client = openai.OpenAI(base_url=f"{server.url}/v1", api_key="sk-unused", default_headers={"X-Mock-Session": "stall"}, timeout=0.5, max_retries=0)
    with pytest.raises(openai.APITimeoutError):
        for _ in client.chat.completions.create(model="hang", messages=[{"role": "user", "content": "hi"}], stream=True):
            pass
    finished = await get("127.0.0.1", server.port, "/_mock/journal?session=stall&wait=10")  # once the server saw the client leave
    assert json.loads(finished.body)[0]["ended"] == "client went away"
    stall = (await report(server, "stall"))["verdicts"]["stall"]
    assert stall["verdict"] == "pass" and stall["evidence"][0]["outcome"] == "gave up"
    assert 400 <= stall["evidence"][0]["silent_ms"] < 5000


async def test_the_same_request_twice_at_once_is_a_duplicate(server):
    body = {"model": "hello", "stream": True, "messages": [{"role": "user", "content": "double click"}]}
    first, second = post_raw(server.port, "/v1/chat/completions", body, "twice"), post_raw(server.port, "/v1/chat/completions", body, "twice")
    for sock in (first, second):
        while sock.recv(65536):
            pass
        sock.close()
    duplicates = (await report(server, "twice"))["verdicts"]["duplicates"]
    first, second = (e["id"] for e in journal(server, "twice"))
    assert duplicates["verdict"] == "fail" and (duplicates["evidence"][0]["request"], duplicates["evidence"][0]["again"]) == (first, second)


@pytest.mark.parametrize("query", ["stall_limit_ms=soon", "early_ratio=-1", "abandon_grace_ms=nan", "bogus=1"])
async def test_a_bad_rule_is_a_400_naming_it(server, query):
    response = await get("127.0.0.1", server.port, f"/_mock/report?session=x&{query}")
    assert response.status == 400
    assert query.split("=")[0] in json.loads(response.body)["error"]["message"]
