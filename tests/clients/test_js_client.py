"""The mini-program reference client (clients/miniprogram) passes its Node tests against a live server."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest
from conftest import REPO

#: Timing-sensitive (real pacing, separate network reads): these run one at a time on one worker.
pytestmark = pytest.mark.xdist_group("serial")

CLIENT = REPO / "clients" / "miniprogram"
MIN_NODE = 18
TIMEOUT_S = 600


def _node() -> str:
    node = shutil.which("node")
    assert node, f"Node.js >= {MIN_NODE} is needed to test clients/miniprogram (`node` is not on PATH)."
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    found = re.match(r"v(\d+)", version)
    assert found and int(found.group(1)) >= MIN_NODE, f"Node.js >= {MIN_NODE} is needed to test clients/miniprogram; found {version}."
    return node


def test_node_suite_passes() -> None:
    """`node --test clients/miniprogram/test/*.test.js`, with this Python serving mockllm."""
    node = _node()
    files = sorted(str(p.relative_to(REPO)) for p in (CLIENT / "test").glob("*.test.js"))
    assert files, "no clients/miniprogram/test/*.test.js files"
    env = {**os.environ, "MOCKLLM_PYTHON": sys.executable}
    result = subprocess.run(
        [node, "--test", *files], cwd=REPO, env=env, capture_output=True, text=True, timeout=TIMEOUT_S
    )
    assert result.returncode == 0, f"node --test failed (exit {result.returncode}):\n{result.stdout}\n{result.stderr}"
