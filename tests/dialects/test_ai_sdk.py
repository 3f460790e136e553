"""The AI SDK UI message stream, read by the `ai` package's own client (DefaultChatTransport + readUIMessageStream)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from mockllm.core.incoming import Incoming
from mockllm.dialects.ai_sdk import AISdkUI
from mockllm.scenarios.catalog import SHIPPED

BROWSER = Path(__file__).resolve().parents[1] / "browser"
ROUTES = """
schema: 1
kind: routes
routes:
  /api/chat: ai-sdk
"""
UI_CALL = """
schema: 1
name: ui-call
description: A client-side tool call.
stream: {unit: char, delay_ms: 0, first_token_ms: 0}
steps:
  - tool_call: {name: get_weather, arguments: {city: 上海, days: 3}}
"""
USER = [{"id": "m1", "role": "user", "parts": [{"type": "text", "text": "北京天气怎么样？"}]}]
needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="needs Node")


@pytest.fixture
def server(live_server, tmp_path: Path):
    shutil.copytree(SHIPPED, tmp_path, dirs_exist_ok=True)
    (tmp_path / "routes.yaml").write_text(ROUTES, encoding="utf-8")
    (tmp_path / "ui-call.yaml").write_text(UI_CALL, encoding="utf-8")
    return live_server(scenarios=tmp_path)


def use_chat(url: str, scenario: str, messages: list[dict[str, Any]] = USER) -> dict[str, Any]:
    done = subprocess.run(
        ["node", str(BROWSER / "ai_sdk_chat.mjs"), url, scenario, json.dumps(messages, ensure_ascii=False)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@needs_node
def test_text_reaches_the_message_through_the_routes_map_at_api_chat(server):
    seen = use_chat(server.url + "/api/chat", "hello")
    assert seen["error"] is None
    texts = [p for p in seen["message"]["parts"] if p["type"] == "text"]
    assert texts == [{"type": "text", "text": "你好！我是 mockllm，一个用于测试的模拟大模型。Hello! How can I help you today?", "state": "done"}]
    assert seen["chunks"][-1] == {"type": "finish", "finishReason": "stop"}


@needs_node
def test_reasoning_a_tool_call_with_its_output_and_the_answer_are_parts(server):
    parts = use_chat(server.url + "/ai-sdk/chat", "tool-with-output")["message"]["parts"]
    kinds = [p["type"] for p in parts]
    assert kinds == ["step-start", "reasoning", "tool-get_weather", "step-start", "text"]
    tool = parts[2]
    assert tool["state"] == "output-available"
    assert tool["input"] == {"city": "北京"}
    assert tool["output"] == {"city": "北京", "weather": "晴", "temperature_c": 25}
    assert parts[1]["text"] == "用户问天气，我先调用天气工具。"
    assert parts[4]["text"] == "北京今天晴，气温 25°C。"


@needs_node
def test_a_tool_call_without_output_streams_its_input_and_finishes_with_tool_calls(server):
    seen = use_chat(server.url + "/ai-sdk/chat", "ui-call")
    tool = seen["message"]["parts"][-1]
    assert (tool["type"], tool["state"], tool["input"]) == ("tool-get_weather", "input-available", {"city": "上海", "days": 3})
    deltas = [c["inputTextDelta"] for c in seen["chunks"] if c["type"] == "tool-input-delta"]
    assert len(deltas) > 1 and json.loads("".join(deltas)) == {"city": "上海", "days": 3}
    assert seen["chunks"][-1] == {"type": "finish", "finishReason": "tool-calls"}


@needs_node
def test_an_error_after_text_is_the_hooks_error_and_the_text_stays(server):
    seen = use_chat(server.url + "/api/chat", "midstream-error")
    assert seen["error"]["message"] == "The server had an error while processing your request. Sorry about that!"
    assert seen["message"]["parts"][-1]["text"] == "好的，我先回答一部分，The answer starts"


@needs_node
def test_an_http_error_reaches_the_hook_with_its_status_and_message(server):
    seen = use_chat(server.url + "/api/chat?mock_delivery=length", "rate-limited")
    assert seen["error"]["statusCode"] == 429
    assert seen["error"]["message"].startswith("Rate limit reached")


def test_ui_messages_are_read_as_the_conversation_with_tool_outputs_as_results() -> None:
    body = {
        "id": "chat-1",
        "trigger": "submit-message",
        "messages": [
            {"id": "s", "role": "system", "parts": [{"type": "text", "text": "你是天气助手"}]},
            USER[0],
            {
                "id": "a1",
                "role": "assistant",
                "parts": [
                    {"type": "step-start"},
                    {"type": "tool-get_weather", "toolCallId": "c1", "state": "output-available", "input": {"city": "北京"}, "output": {"weather": "晴"}},
                    {"type": "dynamic-tool", "toolName": "lookup", "toolCallId": "c2", "state": "output-error", "input": {}, "errorText": "timeout"},
                ],
            },
        ],
    }
    incoming = Incoming("POST", "/api/chat", {}, {}, json.dumps(body).encode(), body)
    chat = AISdkUI().parse(incoming)
    assert chat.last_user_message == "北京天气怎么样？"
    assert chat.system == "你是天气助手"
    assert chat.assistant_turns == 1
    assert [(r.name, r.call_id, r.content) for r in chat.tool_results] == [("get_weather", "c1", '{"weather":"晴"}'), ("lookup", "c2", "timeout")]


def test_a_malformed_ui_message_is_a_400() -> None:
    body = {"messages": [{"role": "robot", "parts": []}]}
    incoming = Incoming("POST", "/api/chat", {}, {}, json.dumps(body).encode(), body)
    with pytest.raises(Exception, match="messages\\[0\\]"):
        AISdkUI().parse(incoming)
