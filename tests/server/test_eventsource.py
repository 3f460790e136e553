"""EventSource: `GET /v1/chat/completions?prompt=…` streams to the browser's EventSource, with `id:`/`retry:` and resumption."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from rawhttp import get

BROWSER = Path(__file__).resolve().parents[1] / "browser"
RESUME = """
schema: 1
name: es-resume
description: Drops the connection a moment after the text on the first attempt; the reconnect resumes.
stream: {unit: char, delay_ms: 5, first_token_ms: 0}
wire: {sse_id: true, sse_retry_ms: 20}
attempts:
  - [{say: "一二三四五六"}, {pause: 300}, {disconnect: {fault: close, clean: false}}]
  - [{say: "一二三四五六"}]
"""


@pytest.fixture
def server(live_server, tmp_path: Path):
    shutil.copytree(Path(__file__).resolve().parents[2] / "scenarios", tmp_path, dirs_exist_ok=True)
    (tmp_path / "es-resume.yaml").write_text(RESUME, encoding="utf-8")
    return live_server(scenarios=tmp_path)


def eventsource(origin: str, url: str, **options: Any) -> dict[str, Any]:
    """What headless Chromium's EventSource collects from `url`; `options`: `listen` (event names), `until` (the last one)."""
    done = subprocess.run(
        ["node", str(BROWSER / "chromium_eventsource.mjs")],
        input=json.dumps({"origin": origin, "url": url, **options}),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def contents(messages: list[dict[str, str]]) -> str:
    chunks = [json.loads(m["data"]) for m in messages if m["data"] != "[DONE]"]
    return "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])


async def test_a_get_with_the_prompt_in_the_query_streams_the_chat(server):
    response = await get("127.0.0.1", server.port, "/v1/chat/completions?prompt=%E4%BD%A0%E5%A5%BD&model=hello")
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.body.endswith(b"data: [DONE]\n\n")
    assert "你好！我是 mockllm" in contents([{"data": f[6:]} for f in response.body.decode().split("\n\n") if f.startswith("data: ")])


async def test_a_get_without_a_prompt_is_a_400_in_openais_shape(server):
    response = await get("127.0.0.1", server.port, "/v1/chat/completions?model=hello")
    assert response.status == 400
    assert json.loads(response.body)["error"]["param"] == "prompt"


async def test_sse_id_numbers_every_event_and_retry_comes_first(server):
    response = await get("127.0.0.1", server.port, "/v1/chat/completions?prompt=hi&model=hello&mock_wire=sse_id%3Dtrue%2Csse_retry_ms%3D1500")
    frames = response.body.decode().split("\n\n")
    assert frames[0] == "retry: 1500"
    ids = [frame.split("\n", 1)[0] for frame in frames[1:] if frame]
    assert ids == [f"id: {n}" for n in range(1, len(ids) + 1)]


async def test_last_event_id_resumes_after_that_event_and_past_the_end_answers_204(server):
    path = "/v1/chat/completions?prompt=hi&model=hello&mock_seed=7&mock_wire=sse_id%3Dtrue"
    whole = (await get("127.0.0.1", server.port, path)).body.split(b"\n\n")
    resumed = await get("127.0.0.1", server.port, path, {"Last-Event-ID": "3"})
    assert resumed.body.split(b"\n\n") == whole[3:]
    past = await get("127.0.0.1", server.port, path, {"Last-Event-ID": str(len(whole))})
    assert past.status == 204


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node")
def test_chromiums_eventsource_streams_a_scenario_to_done(server):
    seen = eventsource(server.url, "/v1/chat/completions?prompt=%E4%BD%A0%E5%A5%BD&model=hello")
    assert seen["messages"][-1]["data"] == "[DONE]"
    assert contents(seen["messages"]).startswith("你好！我是 mockllm")


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node")
def test_chromiums_eventsource_reconnects_and_resumes_after_a_dropped_connection(server):
    seen = eventsource(server.url, "/v1/chat/completions?prompt=hi&model=es-resume&mock_seed=3")
    assert seen["opens"] == 2, seen
    assert contents(seen["messages"]) == "一二三四五六"
    assert seen["messages"][-1]["data"] == "[DONE]"
