"""The Node openai SDK and the AI SDK (`@ai-sdk/openai` `.responses()` with `streamText`) read the Responses route."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml
from conftest import SCENARIOS, LiveServer
from regen_responses_golden import EXTRA

from mockllm.scenarios.loading import load_catalog
from mockllm.server.config import ServerConfig

SCRIPT = Path(__file__).resolve().parents[1] / "browser" / "responses_sdks.mjs"
HELLO = "".join(str(step.say) for step in load_catalog(SCENARIOS).scenarios["hello"].steps if step.say is not None)


@pytest.fixture(scope="module")
def seen(live_server_module: LiveServer) -> dict[str, Any]:
    """What each Node client saw, run once against one live server."""
    given = json.dumps({"baseURL": live_server_module.url + "/v1"})
    done = subprocess.run(["node", str(SCRIPT)], input=given, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, f"{SCRIPT.name} failed; needs Node 20 and `npm ci --prefix tests/browser`:\n{done.stderr}"
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def live_server_module(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One live server for the module (the Node run is the slow part): the shipped scenarios and the golden `reasoning` one."""
    folder = tmp_path_factory.mktemp("scenarios")
    for path in SCENARIOS.glob("*.yaml"):
        shutil.copy(path, folder)
    (folder / "reasoning.yaml").write_text(yaml.safe_dump(next(s for s in EXTRA if s["name"] == "reasoning"), allow_unicode=True), encoding="utf-8")
    server = LiveServer(ServerConfig(scenarios=folder, speed=1)).start()
    yield server
    server.stop()


def test_node_sdk_streams_text_to_a_final_response(seen: dict[str, Any]) -> None:
    assert seen["sdkText"] == {"deltas": HELLO, "outputText": HELLO, "status": "completed", "first": "response.created", "last": "response.completed"}


def test_node_sdk_accumulates_the_function_call(seen: dict[str, Any]) -> None:
    result = seen["sdkToolCall"]
    [call] = result["calls"]
    assert call["name"] == "get_weather" and call["status"] == "completed" and call["call_id"].startswith("call_")
    assert call["args"]["city"] in ("北京", "上海") and result["argumentDeltas"] > 1


def test_node_sdk_raises_on_a_midstream_error_after_the_partial_text(seen: dict[str, Any]) -> None:
    result = seen["sdkMidstreamError"]
    assert result["thrown"] == "APIError" and "The server had an error" in result["message"]
    assert result["text"] == "好的，我先回答一部分，The answer starts"


def test_ai_sdk_streams_the_text(seen: dict[str, Any]) -> None:
    result = seen["aiSdkText"]
    assert result["text"] == HELLO and result["finishReason"] == "stop"
    assert {"text-start", "text-delta", "text-end", "finish"} <= set(result["parts"]) and "error" not in result["parts"]


def test_ai_sdk_sees_the_streamed_tool_call(seen: dict[str, Any]) -> None:
    result = seen["aiSdkToolCall"]
    [call] = result["calls"]
    assert call["toolName"] == "get_weather" and call["input"]["city"] in ("北京", "上海")
    assert result["finishReason"] == "tool-calls" and result["inputDeltas"] > 1


def test_ai_sdk_runs_the_shipped_agent_loop(seen: dict[str, Any]) -> None:
    """agent-call-tool, then agent-answer quoting what the tool returned: two steps, no test code on the server."""
    result = seen["aiSdkAgentLoop"]
    assert result["steps"] == ["tool-calls", "stop"]
    assert result["text"].startswith("根据 get_weather 的结果：") and result["text"].endswith("：晴")


def test_ai_sdk_streams_the_reasoning_summary_then_the_text(seen: dict[str, Any]) -> None:
    result = seen["aiSdkReasoning"]
    assert result["reasoning"] == "用户在打招呼。I should introduce myself briefly." and result["text"] == "你好！我是 mockllm。"
    assert result["parts"].index("reasoning-start") < result["parts"].index("text-start")
    assert {"reasoning-delta", "reasoning-end"} <= set(result["parts"])


def test_ai_sdk_reports_a_midstream_error_after_the_partial_text(seen: dict[str, Any]) -> None:
    result = seen["aiSdkMidstreamError"]
    assert result["text"] == "好的，我先回答一部分，The answer starts"
    assert result["errors"] and "The server had an error" in result["errors"][0]
    assert result["finishReason"] == "error"
