"""The playground as a newcomer meets it (tests/browser/playground_newcomer.mjs in headless Chromium).

Behind an admin token the page asks for it and says why; Try starts on the
mini-program route and shows whole scenario names; Demo control beats the
page's own pick and the phone names the scenario that answered; the login
page covers the chat.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, LiveServer

SCRIPT = REPO / "tests" / "browser" / "playground_newcomer.mjs"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
LIMIT_S = 180

pytestmark = pytest.mark.skipif(not (shutil.which("node") and Path(CHROMIUM).exists()), reason="needs Node and Chromium")


def drive(server: LiveServer, viewport: str, token: str | None) -> dict[str, dict[str, Any]]:
    """Run the page script against `server`; its checks by name (it must report no problem)."""
    given = json.dumps({"origin": server.url, "token": token, "viewport": viewport})
    done = subprocess.run(["node", str(SCRIPT)], input=given + "\n", capture_output=True, text=True, timeout=LIMIT_S)
    assert done.returncode == 0, done.stderr
    messages = [json.loads(line) for line in done.stdout.splitlines()]
    assert messages[-1] == {"done": True, "problems": []}
    return {m["check"]: m for m in messages if "check" in m}


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_behind_a_token_the_page_asks_for_it_and_remembers_it_for_the_tab(live_server: Any, viewport: str) -> None:
    token = "newcomer-admin-token"
    checks = drive(live_server(admin_token=token), viewport, token)
    asked = checks["token asked"]
    assert asked["visible"] and "--host 0.0.0.0" in asked["why"] and "#token=" in asked["why"]
    assert asked["status"].startswith("401: Admin routes need the admin token")
    assert asked["live"] == "admin token needed"
    assert checks["wrong token refused"]["status"].startswith("The server refused the token this tab had (401)")
    assert checks["token accepted"]["scenarios"] > 40 and checks["token accepted"]["live"] == "live"
    assert checks["token kept for the tab"] == {"check": "token kept for the tab", "asked": False, "stored": token}
    assert checks["token from the URL"]["hash"] == ""  # kept for the tab, out of the address bar


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_try_demo_control_and_the_phone(live_server: Any, viewport: str) -> None:
    checks = drive(live_server(), viewport, None)
    first = checks["try first choices"]
    assert first["target"] == "miniprogram · /miniprogram/chat"
    assert first["widest"] <= first["inner"]  # every scenario name shows whole in the dropdown
    demo = checks["demo control wins"]
    assert demo["modalTitle"] == "余额不足"  # recharge-required from Demo control, not the page's split-utf8
    assert demo["afterOverride"] == ["scenario · recharge-required"]
    assert demo["afterUsedUp"] == ["scenario · recharge-required", "scenario · split-utf8"]
    cover = checks["login covers the chat"]
    assert (cover["gap"], cover["uncovered"]) == (0, 0)
