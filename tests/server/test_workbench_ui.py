"""The playground shows business-code coverage, the pairing QR code and the phone view (tests/browser/workbench.mjs, headless Chromium)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO

SCRIPT = REPO / "tests" / "browser" / "workbench.mjs"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")

pytestmark = pytest.mark.skipif(not (shutil.which("node") and Path(CHROMIUM).exists()), reason="needs Node and Chromium")


def test_the_coverage_panel_the_pairing_code_and_the_phone_view(live_server: Any) -> None:
    server = live_server()
    request = urllib.request.Request(
        server.url + "/miniprogram/chat",
        data=json.dumps({"message": "你好"}).encode(),
        headers={"Content-Type": "application/json", "X-Mock-Session": "ui-s", "X-Mock-Scenario": "recharge-required"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()
    with urllib.request.urlopen(server.url + "/_mock/journal?session=ui-s&wait=10", timeout=20) as response:
        assert len(json.load(response)) == 1
    done = subprocess.run(
        ["node", str(SCRIPT), server.url, "ui-s"], capture_output=True, text=True, timeout=180, env={**os.environ, "CHROMIUM": CHROMIUM}
    )
    assert done.returncode == 0, done.stdout + done.stderr
    shown = json.loads(done.stdout)
    assert shown["summary"].startswith("1 of ") and shown["summary"].endswith("codes delivered in session ui-s")
    assert shown["covered"] == [["code 101", "余额不足，请充值后再试", "recharge-required", "in-band frame ×1"]]
    assert shown["pair"] == {"url": f"{server.url}/_mock/ui/#view=phone&session=ui-s", "svg": True}
    assert shown["phoneView"] == {"view": True, "session": "ui-s", "hidden": ["#live", "#coverage", "#try", "#scenarios", "#demo", "#pair"], "phoneShown": True}
    assert shown["errors"] == []
