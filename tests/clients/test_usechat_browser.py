"""The AI SDK's `useChat` in a React page in headless Chromium, chatting with mockllm's `/api/chat` as a user does.

The page (`tests/browser/usechat`) is built with Vite once per module and
served from its own origin, so the hook's requests to mockllm are
cross-origin, as from a dev server on another port. Every chat runs in one
Chromium (`tests/browser/chromium_usechat.mjs`): it types each question,
presses Send and waits until the hook has finished the request; the tests
read what the page rendered then.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import urllib.request
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from conftest import SCENARIOS, LiveServer
from test_ai_sdk import ROUTES, UI_CALL

from mockllm.server.config import ServerConfig

BROWSER = Path(__file__).resolve().parents[1] / "browser"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
#: What the page needs from `npm ci --prefix tests/browser`.
PACKAGES = ("@ai-sdk/react", "ai", "react", "react-dom", "vite", "playwright-core")
#: A hang guard only: the build and every chat take a few seconds together.
TIMEOUT_S = 120
#: name: (scenario, questions typed one after the other, extra query of the transport's `api`).
CHATS: dict[str, tuple[str, list[str], dict[str, str]]] = {
    "text": ("hello", ["你好"], {}),
    "reasoning": ("think-then-answer", ["你是谁？"], {}),
    "tool": ("ui-call", ["上海天气怎么样？"], {}),
    "in-band-error": ("midstream-error", ["讲个故事"], {}),
    "http-error": ("rate-limited", ["再试一次"], {"mock_delivery": "length"}),
    "history": ("echo", ["第一个问题", "第二个问题"], {}),
}

pytestmark = [
    pytest.mark.skipif(shutil.which("node") is None, reason="needs Node (`node` is not on PATH)"),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"needs Chromium ({CHROMIUM} does not exist: apt-get install chromium, or set CHROMIUM)"),
]


class StaticFiles(SimpleHTTPRequestHandler):
    """Serves the built page's files without logging every request."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The page built by Vite into a temporary folder."""
    missing = [name for name in PACKAGES if not (BROWSER / "node_modules" / name / "package.json").is_file()]
    if missing:
        pytest.fail(f"{', '.join(missing)} missing from {BROWSER / 'node_modules'}: run `npm ci --prefix tests/browser`")
    into = tmp_path_factory.mktemp("usechat")
    node(BROWSER / "usechat" / "build.mjs", str(into))
    return into / "site"


@pytest.fixture(scope="module")
def page_url(site: Path) -> Iterator[str]:
    """The page's URL on an origin of its own (another port of 127.0.0.1)."""
    files = ThreadingHTTPServer(("127.0.0.1", 0), partial(StaticFiles, directory=str(site)))
    thread = threading.Thread(target=files.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{files.server_address[1]}/index.html"
    files.shutdown()
    files.server_close()
    thread.join()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """mockllm with the shipped scenarios, `ui-call`, and `/api/chat` routed to the ai-sdk framing."""
    scenarios = tmp_path_factory.mktemp("scenarios")
    shutil.copytree(SCENARIOS, scenarios, dirs_exist_ok=True)
    (scenarios / "routes.yaml").write_text(ROUTES, encoding="utf-8")
    (scenarios / "ui-call.yaml").write_text(UI_CALL, encoding="utf-8")
    live = LiveServer(ServerConfig(scenarios=scenarios, speed=0, seed=1)).start()
    yield live
    live.stop()


@pytest.fixture(scope="module")
def chats(page_url: str, server: LiveServer) -> dict[str, dict[str, Any]]:
    """Every chat of CHATS as Chromium saw it, by name; each in its own session."""
    wanted = [
        {"name": name, "api": f"{server.url}/api/chat?{urlencode({'scenario': scenario, 'mock_session': session_of(name), **query})}", "questions": questions}
        for name, (scenario, questions, query) in CHATS.items()
    ]
    out = node(BROWSER / "chromium_usechat.mjs", stdin={"page": page_url, "chats": wanted})
    return {seen["name"]: seen for seen in map(json.loads, out.splitlines())}


def node(script: Path, *args: str, stdin: Any = None) -> str:
    """Run a Node script of tests/browser; what it printed."""
    done = subprocess.run(
        ["node", str(script), *args],
        input=None if stdin is None else json.dumps(stdin, ensure_ascii=False),
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def session_of(name: str) -> str:
    """The session chat `name` sends (`?mock_session=`), so the journal tells its requests apart."""
    return f"usechat-{name}"


def turns(chats: dict[str, dict[str, Any]], name: str) -> list[dict[str, Any]]:
    """What the page showed after each answer of chat `name`; the page ran without a script error."""
    seen = chats[name]
    assert seen["pageErrors"] == []
    return seen["turns"]


def said(role: str, text: str) -> dict[str, Any]:
    """A rendered message of one text part."""
    return {"role": role, "parts": [{"kind": "text", "text": text}]}


def test_the_streamed_text_is_rendered_and_the_status_is_ready_again(chats):
    [shown] = turns(chats, "text")
    assert shown["status"] == "ready"
    assert shown["error"] is None
    answer = "你好！我是 mockllm，一个用于测试的模拟大模型。Hello! How can I help you today?"
    assert shown["messages"] == [said("user", "你好"), said("assistant", answer)]


def test_a_think_step_is_a_reasoning_part_before_the_answer(chats):
    [shown] = turns(chats, "reasoning")
    assert shown["status"] == "ready"
    assert shown["messages"][1]["parts"] == [
        {"kind": "reasoning", "text": "用户想知道我是谁。I should introduce myself in one short sentence."},
        {"kind": "text", "text": "我是 mockllm，一个用于测试的模拟模型。I am a mock model for tests."},
    ]


def test_a_tool_call_is_a_tool_part_with_its_parsed_input(chats):
    [shown] = turns(chats, "tool")
    assert shown["status"] == "ready"
    assert shown["messages"][1]["parts"] == [{"kind": "tool", "tool": "get_weather", "state": "input-available", "input": {"city": "上海", "days": 3}}]


def test_an_error_in_the_stream_is_the_hooks_error_and_the_partial_text_stays(chats):
    [shown] = turns(chats, "in-band-error")
    assert shown["status"] == "error"
    assert shown["error"] == "The server had an error while processing your request. Sorry about that!"
    assert shown["messages"][1] == said("assistant", "好的，我先回答一部分，The answer starts")


def test_an_http_error_is_the_hooks_error_with_the_providers_message(chats):
    [shown] = turns(chats, "http-error")
    assert shown["status"] == "error"
    assert shown["error"].startswith("Rate limit reached for rate-limited in organization org-mockllm")
    assert shown["messages"] == [said("user", "再试一次")]


def test_the_second_turn_posts_the_whole_conversation(chats, server):
    first, second = turns(chats, "history")
    assert first["messages"] == [said("user", "第一个问题"), said("assistant", "第一个问题")]
    assert second["status"] == "ready"
    assert second["messages"] == [*first["messages"], said("user", "第二个问题"), said("assistant", "第二个问题")]
    with urllib.request.urlopen(f"{server.url}/_mock/journal?session={session_of('history')}", timeout=10) as response:
        bodies = [entry["body"] for entry in json.load(response)]
    posted = [[(m["role"], [p["text"] for p in m["parts"] if p["type"] == "text"]) for m in body["messages"]] for body in bodies]
    assert posted == [
        [("user", ["第一个问题"])],
        [("user", ["第一个问题"]), ("assistant", ["第一个问题"]), ("user", ["第二个问题"])],
    ]
    assert [body["trigger"] for body in bodies] == ["submit-message", "submit-message"]
