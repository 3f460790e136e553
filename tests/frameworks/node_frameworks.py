"""Run a Node framework client of tests/browser against this test's mockllm session and read the JSON it prints."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

BROWSER = Path(__file__).resolve().parent.parent / "browser"
#: A hang guard: each script takes a few seconds at speed 0.
NODE_TIMEOUT_S = 120


def require(*packages: str) -> None:
    """Skip the module without Node (as every Node-driven test does); fail when an npm package the test command installs is missing."""
    if shutil.which("node") is None:
        pytest.skip("node is not on PATH", allow_module_level=True)
    missing = [name for name in packages if not (BROWSER / "node_modules" / name).is_dir()]
    if missing:
        raise RuntimeError(f"npm packages not installed: {', '.join(missing)} (npm ci --prefix tests/browser)")


def run(script: str, mockllm: Any) -> dict[str, Any]:
    """Run `tests/browser/<script>` with stdin `{"url", "headers"}` of this test's session; its stdout is one JSON object."""
    stdin = json.dumps({"url": mockllm.base_url, "headers": mockllm.headers})
    done = subprocess.run(["node", str(BROWSER / script)], input=stdin, capture_output=True, text=True, timeout=NODE_TIMEOUT_S, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]
