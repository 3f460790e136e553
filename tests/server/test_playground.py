"""The playground page in headless Chromium (tests/browser/playground.mjs), at a desktop and a phone viewport.

The page must run with no JavaScript error and no console error, and load nothing from outside the server.
Screenshots go to a temporary folder; with MOCKLLM_SCREENSHOTS=1 they replace docs/images/playground-*.png.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, LiveServer

from mockllm.server.state import STATE

SCRIPT = REPO / "tests" / "browser" / "playground.mjs"
IMAGES = REPO / "docs" / "images"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
LIMIT_S = 180

HELLO = "你好！我是 mockllm，一个用于测试的模拟大模型。Hello! How can I help you today?"

pytestmark = pytest.mark.skipif(not (shutil.which("node") and Path(CHROMIUM).exists()), reason="needs Node and Chromium")


def shots_folder(tmp_path: Path) -> Path:
    if os.environ.get("MOCKLLM_SCREENSHOTS") == "1":
        IMAGES.mkdir(parents=True, exist_ok=True)
        return IMAGES
    return tmp_path


def another_client(server: LiveServer) -> dict[str, Any]:
    """A plain Python client (not the browser) asks the miniprogram route; returns its journal entry id and body."""
    request = urllib.request.Request(
        server.url + "/miniprogram/chat",
        data=json.dumps({"message": "查一下我的余额"}).encode(),
        headers={"Content-Type": "application/json", "X-Mock-Session": "python-client"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        body = response.read().decode()
        scenario = response.headers["X-Mock-Scenario"]
    with urllib.request.urlopen(server.url + "/_mock/journal?limit=5", timeout=10) as response:
        entry = next(e for e in reversed(json.load(response)) if e["session"] == "python-client")
    return {"entry": entry["id"], "body": body, "scenario": scenario}


def recorded_entry(server: LiveServer) -> dict[str, Any]:
    """A finished journal entry carrying the server's writes (`write_log`), announced as the handler does."""

    def record() -> int:
        journal = server.app[STATE].journal  # type: ignore[index]
        entry = journal.record({"time": time.time(), "method": "POST", "path": "/chat", "query": {}, "headers": {}, "session": "phone", "scenario": "split-utf8", "seed": 7})
        entry.update(status=200, ended="complete", writes=3, bytes=60, errors=[], duration_ms=21.5)
        entry.update(write_log=[[0.4, 22], [10.9, 8], [21.3, 30]], write_log_truncated=True)
        entry["why"] = {"scenario": "split-utf8", "by": "match", "reason": "match rule of split-utf8: message", "tried": WHY_TRIED}
        journal.finished(entry)
        return int(entry["id"])

    return {"entry": server.call(record)}


#: The rules a fabricated journal entry says were tried: one that failed, then the one that matched.
WHY_TRIED = [
    {"scenario": "agent-call-tool", "rules": ["tool_result", "has_tools"], "matched": False, "failed": "has_tools", "wanted": True, "seen": []},
    {"scenario": "split-utf8", "rules": ["message"], "matched": True},
]


def drive(server: LiveServer, viewport: str, shots: Path) -> tuple[dict[str, dict[str, Any]], list[str], list[dict[str, Any]]]:
    """Run the page script; answer its asks; return its checks by name, its problems and what the other client got."""
    checks: dict[str, dict[str, Any]] = {}
    problems: list[str] = ["the script ended without reporting"]
    answered: list[dict[str, Any]] = []
    with subprocess.Popen(["node", str(SCRIPT)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
        watchdog = threading.Timer(LIMIT_S, proc.kill)
        watchdog.start()
        assert proc.stdin and proc.stdout and proc.stderr
        try:
            proc.stdin.write(json.dumps({"origin": server.url, "viewport": viewport, "shots": str(shots)}) + "\n")
            proc.stdin.flush()
            for line in proc.stdout:
                message = json.loads(line)
                if "ask" in message:
                    answer = recorded_entry(server) if "record" in message["ask"] else another_client(server)
                    answered.append(answer)
                    proc.stdin.write(json.dumps(answer) + "\n")
                    proc.stdin.flush()
                elif "check" in message:
                    checks[message["check"]] = message
                elif message.get("done"):
                    problems = message["problems"]
            proc.wait(30)
        finally:
            watchdog.cancel()
            if proc.poll() is None:
                proc.kill()
        assert proc.returncode == 0, proc.stderr.read()
    return checks, problems, answered


@pytest.fixture
def server(live_server: Any) -> LiveServer:
    return live_server()


def test_desktop(server: LiveServer, tmp_path: Path) -> None:
    shots = shots_folder(tmp_path)
    checks, problems, answered = drive(server, "desktop", shots)
    assert problems == []
    assert checks["redirected"]["url"] == server.url + "/_mock/ui/"
    modal = checks["recharge modal"]
    assert (modal["title"], modal["content"], modal["confirm"]) == ("余额不足", "余额不足，请充值后再试", "去充值")
    cut = checks["utf8 cut marked"]
    assert cut["cutReads"] >= 1 and cut["badge"] == "cuts a character"
    lead, *rest = (int(b, 16) for b in cut["firstCut"].split())  # a character's first bytes, as hex
    assert 0xE0 <= lead <= 0xF4 and len(rest) < (3 if lead >= 0xF0 else 2) and all(0x80 <= b < 0xC0 for b in rest)
    assert cut["answer"] == "好的，这是一段测试文字：每个汉字都被拆在两次网络写入之间。😀 表情符号是四个字节。"
    answers = checks["every route"]["answers"]
    assert {"miniprogram · /miniprogram/chat", "ai-sdk · /ai-sdk/chat", "openai · /v1/chat/completions"} <= set(answers)
    for label, seen in answers.items():
        if re.search(r"embeddings|count[_-]?tokens", label, re.IGNORECASE):  # no text: the page shows the JSON answer
            assert seen["answer"].startswith("{"), label
        elif seen["answer"].startswith("Read by mockllm-client.js"):  # an app framing the reference client reads
            assert seen["phone"] == HELLO, label
        else:
            assert seen == {"answer": HELLO, "phone": HELLO}, label
    other, _ = answered
    assert other["scenario"] == "login-required" and '"code":-1' in other["body"]
    assert checks["live row"] == {"check": "live row", "code": "-1", "override": "override #1", "scenario": "login-requiredoverride #1"}
    assert "override used up" in checks and checks["entry inspected"]["why"] == "demo override #1 names login-required"
    assert checks["why table"] == {
        "check": "why table",
        "caption": "why split-utf8: match rule of split-utf8: message · match rules tried in file order, the first match wins",
        "rows": [["agent-call-tool", "tool_result, has_tools", "has_tools failed", "true", "[]"], ["split-utf8", "message", "matched", "", ""]],
    }
    writes = checks["server writes"]
    assert writes["summary"] == "server writes (journal): 3 (the first 2,000; the rest were not recorded)"
    assert writes["rows"] == ["10.4+0.422", "210.9+10.58", "321.3+10.430"]  # #, ms, gap, bytes
    card = checks["report card"]
    assert re.fullmatch(r"\d+ request\(s\) in the journal: (pass|warn|fail|n/a)", card["status"])
    assert [name for name, _, _ in card["rows"]] == ["retries", "backoff", "abandoned", "duplicates", "resume", "stall"]
    assert all(verdict == badge and verdict in ("pass", "warn", "fail", "n/a") for _, verdict, badge in card["rows"])
    assert (shots / "playground-desktop.png").stat().st_size > 10_000


def test_phone(server: LiveServer, tmp_path: Path) -> None:
    shots = shots_folder(tmp_path)
    checks, problems, _ = drive(server, "phone", shots)
    assert problems == []
    assert checks["recharge modal"]["confirm"] == "去充值"
    assert checks["utf8 cut marked"]["cutReads"] >= 1
    assert (shots / "playground-phone.png").stat().st_size > 10_000
