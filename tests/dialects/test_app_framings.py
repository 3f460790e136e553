"""The built-in app framings (miniprogram, text, sse-json, ndjson): golden bytes and per-scenario options.

After a deliberate change to the output, rewrite the golden files with
`python scripts/regen_app_golden.py` and review the diff.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from regen_app_golden import GOLDEN_APP, app_config, capture, case_names, golden_path

from mockllm.server.app import create_app
from mockllm.server.config import ServerConfig

Client = TestClient[Any, Any]
MakeClient = Callable[[str], Awaitable[Client]]
QUICK = {"X-Mock-Speed": "0", "X-Mock-Seed": "1"}


@pytest.fixture
async def client(aiohttp_client: Any) -> Client:
    return await aiohttp_client(create_app(app_config()))


@pytest.fixture
def scenario_client(aiohttp_client: Any, tmp_path: Path) -> MakeClient:
    """A server whose only scenario (`default`) has `extra` YAML before its steps."""

    async def start(extra: str, steps: str = '  - say: "你好 ok"\n') -> Client:
        (tmp_path / "default.yaml").write_text(f"schema: 1\nname: default\ndescription: d\n{extra}steps:\n{steps}", encoding="utf-8")
        return await aiohttp_client(create_app(ServerConfig(scenarios=tmp_path, speed=0, seed=1)))

    return start


@pytest.mark.parametrize("case", case_names())
async def test_matches_golden(client: Client, case: str) -> None:
    path = golden_path(case)
    assert path.exists(), f"no golden file {path.name}; python scripts/regen_app_golden.py"
    assert await capture(client, case) == path.read_bytes(), f"{case} differs from {path.name}; if intended: python scripts/regen_app_golden.py"


def test_no_stale_golden_files() -> None:
    assert sorted(p.name for p in GOLDEN_APP.iterdir()) == sorted(golden_path(c).name for c in case_names())


@pytest.mark.parametrize(
    "framing, content_type",
    [("miniprogram", "text/event-stream; charset=utf-8"), ("text", "text/plain; charset=utf-8"), ("sse-json", "text/event-stream; charset=utf-8"), ("ndjson", "application/x-ndjson")],
)
async def test_stream_headers(client: Client, framing: str, content_type: str) -> None:
    response = await client.post(f"/{framing}/chat", json={"q": "hi"}, headers={**QUICK, "X-Mock-Scenario": "hello"})
    assert response.status == 200 and response.headers["Content-Type"] == content_type
    assert response.headers["Transfer-Encoding"] == "chunked" and "Content-Length" not in response.headers
    assert response.headers["Cache-Control"] == "no-cache" and response.headers["X-Mock-Scenario"] == "hello"


async def test_miniprogram_ends_with_the_end_marker(client: Client) -> None:
    body = await (await client.post("/miniprogram/chat", json={"q": "hi"}, headers={**QUICK, "X-Mock-Scenario": "fast"})).read()
    lines = body.split(b"\r\n")
    assert body.endswith(b'"}\r\n0\r\n\r\n') and all(line.startswith(b"success: {") for line in lines[:-3])


async def test_ascii_only_escapes_like_php(scenario_client: MakeClient) -> None:
    client = await scenario_client("framing: {ascii_only: true}\nstream: {unit: word, first_token_ms: 0}\n", '  - say: "你好 ok"\n  - error: {code: 101, msg: 余额不足}\n')
    body = await (await client.post("/miniprogram/chat", json={"q": "x"})).read()
    assert body == (
        b'success: {"content":"\\u4f60"}\r\nsuccess: {"content":"\\u597d"}\r\nsuccess: {"content":" ok"}\r\n'
        b'event: error\ndata: {"code":101,"msg":"\\u4f59\\u989d\\u4e0d\\u8db3"}\r\n0\r\n\r\n'
    )


async def test_scenario_options_change_content_type_done_and_line_ending(scenario_client: MakeClient) -> None:
    options = 'framing: {content_type: "text/event-stream", done: "event: done\\ndata: {}\\n\\n", line_ending: "\\n"}\n'
    client = await scenario_client(options + "stream: {unit: word, first_token_ms: 0}\n")
    response = await client.post("/sse-json/chat", json={"q": "x"})
    assert response.headers["Content-Type"] == "text/event-stream"
    assert await response.read() == b'data: {"content":"\xe4\xbd\xa0"}\ndata: {"content":"\xe5\xa5\xbd"}\ndata: {"content":" ok"}\nevent: done\ndata: {}\n\n'


async def test_text_as_event_stream(scenario_client: MakeClient) -> None:
    client = await scenario_client('framing: {content_type: "text/event-stream; charset=utf-8"}\n')
    response = await client.get("/text/stream-chat?q=x")
    assert response.headers["Content-Type"] == "text/event-stream; charset=utf-8" and await response.text() == "你好 ok"


async def test_sse_json_frames_reasoning_the_others_drop_it(scenario_client: MakeClient) -> None:
    client = await scenario_client("stream: {unit: word, first_token_ms: 0}\n", '  - think: "嗯"\n  - say: "好"\n')
    sse = await (await client.post("/sse-json/chat", json={"q": "x"})).text()
    assert sse == 'data: {"reasoning_content":"嗯"}\n\ndata: {"content":"好"}\n\ndata: [DONE]\n\n'
    assert await (await client.post("/miniprogram/chat", json={"q": "x"})).text() == 'success: {"content":"好"}\r\n0\r\n\r\n'
    whole = await (await client.post("/sse-json/chat", json={"q": "x", "stream": False})).json()
    assert whole == {"content": "好", "reasoning_content": "嗯"}


async def test_whole_answer_via_query_on_get(client: Client) -> None:
    response = await client.get("/miniprogram/chat", params={"q": "hi", "stream": "false", "scenario": "hello"}, headers=QUICK)
    assert response.status == 200 and response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert response.headers["Content-Length"] and (await response.json())["content"].startswith("你好！")


async def test_ndjson_lines_are_openai_chunks(client: Client) -> None:
    body = await (await client.post("/ndjson/tool/chatgpt/stream_qa", json={"q": "hi"}, headers={**QUICK, "X-Mock-Scenario": "hello"})).text()
    chunks = [json.loads(line) for line in body.splitlines()]
    assert body.endswith("}\n") and "[DONE]" not in body
    assert {c["object"] for c in chunks} == {"chat.completion.chunk"} and chunks[-1]["choices"][0]["finish_reason"] == "stop"


async def test_echo_reads_the_message_from_each_place(client: Client) -> None:
    headers = {**QUICK, "X-Mock-Scenario": "echo"}
    json_body = await (await client.post("/text/a", json={"message_list": [{"role": "user", "content": "列表"}]}, headers=headers)).text()
    form = await (await client.post("/text/a", data={"prompt": "表单"}, headers=headers)).text()
    query = await (await client.get("/text/a", params={"q": "查询"}, headers=headers)).text()
    assert (json_body, form, query) == ("列表", "表单", "查询")


async def test_bad_request_in_the_app_shape(client: Client) -> None:
    response = await client.post("/miniprogram/chat", json={"q": "x", "stream": "maybe"})
    assert response.status == 400 and await response.json() == {"code": 400, "msg": "'stream' must be true or false; got 'maybe'."}
    unknown = await client.post("/miniprogram/chat", json={"q": "x"}, headers={"X-Mock-Scenario": "nope"})
    body = await unknown.json()
    assert unknown.status == 404 and body["code"] == "scenario_not_found" and "GET /_mock/scenarios lists" in body["msg"]
