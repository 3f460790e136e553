"""Run a Node client script of tests/browser against a fresh live server and read the JSON it prints."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from conftest import SCENARIOS, LiveServer

from mockllm.server.config import ServerConfig

BROWSER = Path(__file__).resolve().parent / "browser"


def run_node(script: str) -> dict[str, Any]:
    """Run `tests/browser/<script>` with stdin `{"url": ...}` of a live server; its stdout is one JSON object."""
    server = LiveServer(ServerConfig(scenarios=SCENARIOS, speed=0, seed=1)).start()
    try:
        done = subprocess.run(["node", str(BROWSER / script)], input=json.dumps({"url": server.url}), capture_output=True, text=True, timeout=120, check=False)
    finally:
        server.stop()
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)
