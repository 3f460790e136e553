"""Selection explained: `X-Mock-Why` on every answer, the trace in the journal (HTTP and WebSocket), and `mockllm why`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from conftest import SCENARIOS

from mockllm.cli import main
from mockllm.server.app import create_app
from mockllm.server.config import ServerConfig
from mockllm.server.selection import why_header

Client = TestClient[Any, Any]
CHAT = "/v1/chat/completions"
HI = [{"role": "user", "content": "你好"}]
TOOLS = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]
#: A conversation that carries a tool's result: agent-call-tool's `tool_result: false` fails on it, agent-answer's holds.
WITH_RESULT = [
    {"role": "user", "content": "北京天气"},
    {"role": "assistant", "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "get_weather", "arguments": "{}"}}]},
    {"role": "tool", "tool_call_id": "c1", "content": "晴"},
]
RETRY = "schema: 1\nname: retry-me\ndescription: d\nattempts:\n  - [{error: rate_limited}]\n  - [{say: ok}]\n"


@pytest.fixture
async def client(aiohttp_client: Any, tmp_path: Path) -> Client:
    for source in SCENARIOS.glob("*.yaml"):
        (tmp_path / source.name).write_bytes(source.read_bytes())
    (tmp_path / "retry-me.yaml").write_text(RETRY, encoding="utf-8")
    return await aiohttp_client(create_app(ServerConfig(scenarios=tmp_path, speed=0, seed=1)))


async def last_entry(client: Client) -> dict[str, Any]:
    journal = await (await client.get("/_mock/journal")).json()
    return journal[-1]


@pytest.mark.parametrize(
    ("body", "headers", "query", "scenario", "why"),
    [
        ({"model": "gpt-4o", "messages": HI}, {"X-Mock-Scenario": "hello"}, "", "hello", "header X-Mock-Scenario names hello"),
        ({"model": "gpt-4o", "messages": HI}, {}, "?scenario=fast", "fast", "query ?scenario= names fast"),
        ({"model": "gpt-4o", "messages": HI, "mock_scenario": "echo"}, {}, "", "echo", "body field mock_scenario names echo"),
        ({"model": "hello", "messages": HI}, {}, "", "hello", "model names scenario hello"),
        ({"model": "gpt-4o", "messages": HI, "tools": TOOLS}, {}, "", "agent-call-tool", "match rule of agent-call-tool: tool_result, has_tools"),
        ({"model": "gpt-4o", "messages": WITH_RESULT, "tools": TOOLS}, {}, "", "agent-answer", "match rule of agent-answer: tool_result"),
        ({"model": "gpt-4o", "messages": HI}, {}, "", "default", "default: no rule matched"),
    ],
    ids=["header", "query", "body", "model", "match-tools", "match-tool-result", "default"],
)
async def test_every_answer_says_what_chose_its_scenario(client: Client, body: Any, headers: Any, query: str, scenario: str, why: str) -> None:
    response = await client.post(CHAT + query, json=body, headers=headers)
    assert response.status == 200, await response.text()
    assert (response.headers["X-Mock-Scenario"], response.headers["X-Mock-Why"]) == (scenario, why)
    await response.read()
    entry = await last_entry(client)
    assert (entry["why"]["scenario"], entry["why"]["reason"]) == (scenario, why)


async def test_the_journal_names_the_first_rule_that_failed_and_the_value_it_saw(client: Client) -> None:
    await (await client.post(CHAT, json={"model": "gpt-4o", "messages": WITH_RESULT, "tools": TOOLS})).read()
    tried = (await last_entry(client))["why"]["tried"]
    assert tried == [
        {
            "scenario": "agent-call-tool",
            "rules": ["tool_result", "has_tools"],
            "matched": False,
            "failed": "tool_result",
            "wanted": False,
            "seen": [{"name": "get_weather", "content": "晴"}],
        },
        {"scenario": "agent-answer", "rules": ["tool_result"], "matched": True},
    ]


async def test_a_default_answer_lists_every_rule_that_missed(client: Client) -> None:
    response = await client.post(CHAT, json={"model": "gpt-4o", "messages": HI})
    await response.read()
    why = (await last_entry(client))["why"]
    assert why["by"] == "default"
    assert [(t["scenario"], t["failed"], t["wanted"], t["seen"]) for t in why["tried"]] == [
        ("agent-call-tool", "has_tools", True, []),
        ("agent-answer", "tool_result", True, []),
    ]


async def test_a_demo_override_and_an_attempt_say_so(client: Client) -> None:
    assert (await client.post("/_mock/overrides", json={"scenario": "fast", "count": 1})).status == 201
    response = await client.post(CHAT, json={"model": "gpt-4o", "messages": HI})
    assert response.headers["X-Mock-Why"].startswith("demo override #") and response.headers["X-Mock-Why"].endswith(" names fast")
    await response.read()
    headers = {"X-Mock-Session": "s1"}
    first = await client.post(CHAT, json={"model": "retry-me", "messages": HI}, headers=headers)
    second = await client.post(CHAT, json={"model": "retry-me", "messages": HI}, headers=headers)
    assert first.status == 429 and second.status == 200
    assert second.headers["X-Mock-Why"] == "model names scenario retry-me; attempt 2 of session s1"


async def test_a_refused_request_says_no_scenario_was_chosen(client: Client) -> None:
    response = await client.post(CHAT, data=b"{", headers={"Content-Type": "application/json"})
    assert response.status == 400
    assert response.headers["X-Mock-Why"] == "no scenario: the request was refused before one was chosen"


async def test_app_routes_carry_it_too_and_a_page_may_read_it(client: Client) -> None:
    response = await client.post("/miniprogram/chat?scenario=hello", json={"message": "hi"}, headers={"Origin": "http://page.test"})
    assert response.headers["X-Mock-Why"] == "query ?scenario= names hello"
    assert "X-Mock-Why" in {h.strip() for h in response.headers["Access-Control-Expose-Headers"].split(",")}
    await response.read()


async def test_websocket_answers_journal_their_why(client: Client) -> None:
    async with client.ws_connect("/ws/miniprogram/chat?scenario=hello") as socket:
        await socket.send_json({"message": "hi"})
        while (await socket.receive(timeout=30)).data != "0\r\n\r\n":
            pass
    entry = await last_entry(client)
    assert entry["transport"] == "websocket"
    assert entry["why"]["reason"] == "query ?scenario= names hello"


def test_why_header_is_one_printable_ascii_line() -> None:
    assert why_header("attempt 2 of session 会话\n1") == "attempt 2 of session \\u4f1a\\u8bdd 1"
    assert len(why_header("x" * 500)) == 200


# --- mockllm why ---------------------------------------------------------------------------------


def why(capsys: Any, *args: str) -> tuple[int, str, str]:
    code = main(["why", "--scenarios", str(SCENARIOS), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_why_prints_the_trace_without_a_server(capsys: Any) -> None:
    body = json.dumps({"model": "gpt-4o", "messages": WITH_RESULT, "tools": TOOLS}, ensure_ascii=False)
    code, out, _ = why(capsys, "--path", CHAT, "--body", body)
    assert code == 0
    assert out.splitlines() == [
        "POST /v1/chat/completions → openai",
        "scenario: agent-answer",
        "why: match rule of agent-answer: tool_result",
        "tried (file order, first match wins):",
        '  agent-call-tool  tool_result failed: wanted false, saw [{"name": "get_weather", "content": "晴"}]',
        "  agent-answer     matched  (tool_result)",
    ]


def test_why_json_is_the_journal_trace_and_headers_and_files_work(capsys: Any, tmp_path: Path) -> None:
    body = tmp_path / "body.json"
    body.write_text(json.dumps({"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}), encoding="utf-8")
    code, out, _ = why(capsys, "--path", "/v1beta/models/gemini-2.5-flash:streamGenerateContent", "--body", f"@{body}", "--header", "X-Mock-Scenario: fast", "--json")
    assert code == 0
    assert json.loads(out) == {
        "method": "POST",
        "path": "/v1beta/models/gemini-2.5-flash:streamGenerateContent",
        "dialect": "gemini",
        "why": {"scenario": "fast", "by": "header X-Mock-Scenario", "reason": "header X-Mock-Scenario names fast", "tried": []},
    }


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--path", "/nowhere/at/all", "--method", "PUT"], 2, "No route serves PUT /nowhere/at/all"),
        (["--path", CHAT, "--body", "{"], 1, "refuses this request (400): We could not parse the JSON body"),
        (["--path", CHAT, "--header", "no-colon"], 2, "write it as Name:value"),
        (["--path", CHAT, "--body", json.dumps({"model": "x", "messages": HI}), "--header", "X-Mock-Scenario:nope"], 1, "Unknown scenario 'nope'"),
    ],
    ids=["no-route", "bad-body", "bad-header", "unknown-scenario"],
)
def test_why_refuses_bad_input_with_a_message(capsys: Any, args: list[str], code: int, message: str) -> None:
    result, out, err = why(capsys, *args)
    assert (result, out) == (code, "")
    assert message in err
