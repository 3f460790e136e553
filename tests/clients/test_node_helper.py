"""The Node helper (clients/node) passes its `node --test` suite against real servers, and its types match its exports.

The vitest and Playwright examples that use it run in tests/test_examples_node.py.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from conftest import REPO
from test_js_client import TIMEOUT_S, _node

HELPER = REPO / "clients" / "node"


#: Each file of the helper's node suite; the simulator's and the business codes' read server writes as separate
#: reads, so they run in the serial group; the fuzzer replays recorded bytes and the helper's own tests need no timing.
SUITE = [
    pytest.param("business-codes.test.mjs", marks=pytest.mark.xdist_group("serial")),
    pytest.param("simulator.test.mjs", marks=pytest.mark.xdist_group("serial")),
    "fuzz.test.mjs",
    "helper.test.mjs",
]


@pytest.mark.parametrize("file", SUITE)
def test_node_helper_suite_passes(file: str) -> None:
    """`node --test clients/node/test/FILE`, with this Python serving mockllm."""
    env = {**os.environ, "MOCKLLM_PYTHON": sys.executable, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    result = subprocess.run([_node(), "--test", f"clients/node/test/{file}"], cwd=REPO, env=env, capture_output=True, text=True, timeout=TIMEOUT_S)
    assert result.returncode == 0, f"node --test failed (exit {result.returncode}):\n{result.stdout}\n{result.stderr}"
    assert "# fail 0" in result.stdout and "# pass 0" not in result.stdout


def test_the_suite_is_every_test_file() -> None:
    files = sorted(path.name for path in (HELPER / "test").glob("*.test.mjs"))
    assert files == sorted(p if isinstance(p, str) else p.values[0] for p in SUITE)


def test_the_types_declare_every_export() -> None:
    code = "const m = await import('./clients/node/index.mjs'); console.log(Object.keys(m).sort().join(' '))"
    exported = subprocess.run([_node(), "--input-type=module", "-e", code], cwd=REPO, capture_output=True, text=True, timeout=TIMEOUT_S, check=True)
    declared = (HELPER / "index.d.ts").read_text(encoding="utf-8")
    undeclared = [n for n in exported.stdout.split() if not re.search(rf"^export declare (class|function|const) {n}\b", declared, re.M)]
    assert exported.stdout.split() and undeclared == []
