"""The Node Anthropic clients against a live server: the official @anthropic-ai/sdk and the AI SDK's @ai-sdk/anthropic.

One Node process (tests/browser/anthropic_clients.mjs) runs every case; the
tests assert on what each client saw.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

import pytest
from conftest import SCENARIOS, LiveServer
from regen_anthropic_golden import EXTRA_SCENARIOS
from regen_failure_table import BROWSER

from mockllm.server.config import ServerConfig

SEED = {"X-Mock-Seed": "123", "X-Mock-Speed": "0"}


def cases(shipped: str, extra: str) -> list[dict[str, Any]]:
    """Every case: a client, the server it asks, and what it asks for."""
    def case(name: str, client: str, model: str, url: str = shipped, **more: Any) -> dict[str, Any]:
        return {"name": name, "client": client, "model": model, "baseURL": url, "headers": {**SEED, "X-Mock-Session": name}, **more}

    both = [
        ("text", "hello", shipped, {}),
        ("thinking-tool", "think-then-call", extra, {"thinking": True, "tools": True}),
        ("tool", "tool-call", shipped, {"tools": True}),
        ("overloaded", "overloaded", shipped, {}),
        ("midstream", "midstream-error", shipped, {}),
    ]
    listed = [case(f"{client}-{name}", client, model, url, **more) for client in ("sdk", "ai-sdk") for name, model, url, more in both]
    listed += [case(f"sdk-{model}", "sdk", model) for model in ("rate-limited", "insufficient-balance", "invalid-api-key", "unavailable")]
    listed.append(case("ai-sdk-loop", "ai-sdk", "claude-sonnet-4-5", loop="晴，25°C"))
    return [*listed, case("sdk-retries", "sdk", "fail-twice-then-succeed", maxRetries=2)]


@pytest.fixture(scope="module")
def seen() -> dict[str, Any]:
    assert shutil.which("node"), "Node.js is needed to run the Node clients (`node` is not on PATH)."
    servers = [LiveServer(ServerConfig(scenarios=SCENARIOS, speed=0)).start()]
    servers.append(LiveServer(ServerConfig(scenarios=EXTRA_SCENARIOS, speed=0, default="thinking")).start())
    try:
        given = json.dumps(cases(servers[0].url, servers[1].url))
        done = subprocess.run(["node", str(BROWSER / "anthropic_clients.mjs")], input=given, capture_output=True, text=True, timeout=300, check=False)
    finally:
        for server in servers:
            server.stop()
    assert done.returncode == 0, done.stderr
    results: dict[str, Any] = json.loads(done.stdout)
    return results


def test_sdk_stream_text(seen: dict[str, Any]) -> None:
    text = seen["sdk-text"]
    assert text["text"] == "你好！我是 mockllm，一个用于测试的模拟大模型。Hello! How can I help you today?"
    assert text["stop_reason"] == "end_turn" and text["id"].startswith("msg_01") and text["usage"]["output_tokens"] > 0


def test_sdk_thinking_then_tool_use(seen: dict[str, Any]) -> None:
    final = seen["sdk-thinking-tool"]
    thinking, text, tool = final["content"]
    assert (thinking["type"], thinking["thinking"], text["text"]) == ("thinking", "需要查天气。", "我查一下。") and thinking["signature"]
    assert (tool["name"], tool["input"], final["stop_reason"]) == ("get_weather", {"city": "上海", "unit": "c"}, "tool_use")


def test_sdk_tool_use(seen: dict[str, Any]) -> None:
    (tool,) = seen["sdk-tool"]["content"]
    assert tool["type"] == "tool_use" and tool["id"].startswith("toolu_") and tool["input"]["city"] in ("北京", "上海")


@pytest.mark.parametrize(
    ("case", "error", "status", "kind"),
    [
        ("sdk-overloaded", "OverloadedError", 529, "overloaded_error"),
        ("sdk-rate-limited", "RateLimitError", 429, "rate_limit_error"),
        ("sdk-insufficient-balance", "PaymentRequiredError", 402, "billing_error"),
        ("sdk-invalid-api-key", "AuthenticationError", 401, "authentication_error"),
        ("sdk-unavailable", "ServiceUnavailableError", 503, "api_error"),
    ],
)
def test_sdk_errors_are_the_real_services_classes(seen: dict[str, Any], case: str, error: str, status: int, kind: str) -> None:
    got = seen[case]
    assert (got["error"], got["status"], got["type"]) == (error, status, kind) and got["requestID"].startswith("req_011C")


def test_sdk_midstream_error_event_after_the_partial_text(seen: dict[str, Any]) -> None:
    got = seen["sdk-midstream"]
    assert (got["error"], got["type"], got["text"]) == ("APIError", "api_error", "好的，我先回答一部分，The answer starts")


def test_sdk_retries_advance_attempts(seen: dict[str, Any]) -> None:
    assert seen["sdk-retries"]["text"].startswith("你好！我是 mockllm") and "error" not in seen["sdk-retries"]


def test_ai_sdk_stream_text_with_usage(seen: dict[str, Any]) -> None:
    got = seen["ai-sdk-text"]
    assert got["text"] == seen["sdk-text"]["text"] and got["finishReason"] == "stop" and not got["errors"]
    assert got["usage"]["inputTokens"] == seen["sdk-text"]["usage"]["input_tokens"] and got["usage"]["outputTokens"] == seen["sdk-text"]["usage"]["output_tokens"]


def test_ai_sdk_reasoning_and_tool_calls(seen: dict[str, Any]) -> None:
    got = seen["ai-sdk-thinking-tool"]
    assert (got["reasoning"], got["text"], got["finishReason"]) == ("需要查天气。", "我查一下。", "tool-calls")
    assert got["toolCalls"] == [{"toolName": "get_weather", "input": {"city": "上海", "unit": "c"}, "toolCallId": seen["sdk-thinking-tool"]["content"][2]["id"]}]
    assert seen["ai-sdk-tool"]["toolCalls"][0]["input"] == seen["sdk-tool"]["content"][0]["input"]


def test_ai_sdk_errors(seen: dict[str, Any]) -> None:
    assert seen["ai-sdk-overloaded"]["errors"] == [{"name": "AI_APICallError", "statusCode": 529, "message": "Overloaded"}]
    midstream = seen["ai-sdk-midstream"]
    assert midstream["text"] == "好的，我先回答一部分，The answer starts" and midstream["finishReason"] == "error"
    assert [e["message"] for e in midstream["errors"]] == ["Internal server error"]


def test_ai_sdk_runs_a_two_step_tool_loop_on_the_shipped_agent_scenarios(seen: dict[str, Any]) -> None:
    loop = seen["ai-sdk-loop"]
    assert loop["steps"] == 2 and loop["toolResults"] == ["晴，25°C"] and loop["toolCalls"][0]["toolName"] == "get_weather"
    assert loop["text"] == "好的，我先查一下。根据 get_weather 的结果：晴，25°C" and loop["finishReason"] == "stop"
