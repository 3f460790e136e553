"""The mini-program reference client (clients/miniprogram) passes its Node tests against a live server."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest
from conftest import REPO

CLIENT = REPO / "clients" / "miniprogram"
MIN_NODE = 18
TIMEOUT_S = 600
#: The files that read a live server's writes as separate reads (split characters, merged frames): they run one
#: at a time in the serial group. The parser's, the request's, the runtime's and the UTF-8 decoder's need no server.
LIVE = ("custom.test.js", "faults.test.js", "live.test.js", "naive.test.js", "socket.test.js")
SUITE = [pytest.param(name, marks=pytest.mark.xdist_group("serial")) if name in LIVE else name for name in (
    "custom.test.js", "faults.test.js", "live.test.js", "naive.test.js", "parser.test.js", "request.test.js",
    "runtime.test.js", "socket.test.js", "utf8.test.js",
)]  # fmt: skip


def _node() -> str:
    node = shutil.which("node")
    assert node, f"Node.js >= {MIN_NODE} is needed to test clients/miniprogram (`node` is not on PATH)."
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    found = re.match(r"v(\d+)", version)
    assert found and int(found.group(1)) >= MIN_NODE, f"Node.js >= {MIN_NODE} is needed to test clients/miniprogram; found {version}."
    return node


@pytest.mark.parametrize("file", SUITE)
def test_node_suite_passes(file: str) -> None:
    """`node --test clients/miniprogram/test/FILE`, with this Python serving mockllm."""
    env = {**os.environ, "MOCKLLM_PYTHON": sys.executable}
    result = subprocess.run([_node(), "--test", f"clients/miniprogram/test/{file}"], cwd=REPO, env=env, capture_output=True, text=True, timeout=TIMEOUT_S)
    assert result.returncode == 0, f"node --test failed (exit {result.returncode}):\n{result.stdout}\n{result.stderr}"
    assert "# fail 0" in result.stdout and "# pass 0" not in result.stdout


def test_the_suite_is_every_test_file() -> None:
    files = sorted(path.name for path in (CLIENT / "test").glob("*.test.js"))
    assert files == sorted(p if isinstance(p, str) else p.values[0] for p in SUITE)
