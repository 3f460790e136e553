"""The vitest and Playwright examples pass as a user runs them: each against a mockllm its own config starts.

Each example is copied into a temporary project whose `node_modules` links
the test clients' install (`tests/browser`, so `npm ci --prefix tests/browser`
brings vitest and @playwright/test) and `mockllm-node` to `clients/node`, as
`npm install path/to/clients/node` does. A copy, not the examples folder
itself: ES modules resolve packages only from `node_modules` folders above the
importing file (NODE_PATH does not apply to them), and the runners write their
caches and results into the project, so nothing is written into the checkout
or into the shared install.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

EXAMPLES = REPO / "examples"
TEST_CLIENTS = REPO / "tests" / "browser"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
#: A hang guard only: each run takes seconds.
TIMEOUT_S = 300

needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="needs Node (`node` is not on PATH)")
needs_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason=f"needs Chromium ({CHROMIUM} does not exist: apt-get install chromium, or set CHROMIUM)"
)


def example_project(name: str, into: Path) -> Path:
    """A copy of `examples/NAME` with a `node_modules` of links: every installed test client, and mockllm-node."""
    installed = TEST_CLIENTS / "node_modules"
    assert (installed / ".bin").is_dir(), f"{installed} is missing: run `npm ci --prefix tests/browser`"
    project = shutil.copytree(EXAMPLES / name, into / name, ignore=shutil.ignore_patterns("node_modules", "test-results"))
    modules = project / "node_modules"
    modules.mkdir()
    for entry in installed.iterdir():
        if entry.name == ".bin" or not entry.name.startswith("."):  # not npm's or vite's own files
            (modules / entry.name).symlink_to(entry.resolve(), target_is_directory=entry.is_dir())
    (modules / "mockllm-node").symlink_to(REPO / "clients" / "node", target_is_directory=True)
    return project


def runner_env(**more: str) -> dict[str, str]:
    """This Python (with this checkout importable) runs mockllm; CI mode: no watch, no reusing a server already up."""
    env = {k: v for k, v in os.environ.items() if k not in ("MOCKLLM_URL", "MOCKLLM_ADMIN_TOKEN")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return {**env, "MOCKLLM_PYTHON": sys.executable, "CI": "1", **more}


def run(project: Path, runner: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    node = shutil.which("node")
    assert node
    binary = project / "node_modules" / ".bin" / runner
    assert binary.exists(), f"{runner} is not installed in tests/browser: run `npm ci --prefix tests/browser`"
    command = [node, str(binary), *args]
    return subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=TIMEOUT_S)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@needs_node
def test_the_vitest_example_passes_against_the_server_its_global_setup_starts(tmp_path: Path) -> None:
    project = example_project("vitest", tmp_path)
    report = tmp_path / "vitest.json"
    done = run(project, "vitest", "run", "--reporter=default", "--reporter=json", f"--outputFile.json={report}", env=runner_env())
    assert done.returncode == 0, done.stdout + done.stderr
    results = [t for f in json.loads(report.read_text(encoding="utf-8"))["testResults"] for t in f["assertionResults"]]
    assert {t["title"]: t["status"] for t in results} == {
        "a test without a scenario of its own gets the folder's default": "passed",
        "the answer this test asked for, and the request it sent": "passed",
        "a streamed tool call": "passed",
        "the SDK retries a rate limit on its own": "passed",
        "the page shows the streamed answer and hides its loading state": "passed",
        "business code 101: a toast with the message, then the recharge page": "passed",
        "characters cut between reads and a device that merges packets: the same page": "passed",
    }


@needs_node
@needs_chromium
def test_the_playwright_example_passes_in_chromium_against_its_web_servers(tmp_path: Path) -> None:
    project = example_project("playwright", tmp_path)
    report = tmp_path / "playwright.json"
    env = runner_env(
        MOCKLLM_PORT=str(free_port()), APP_PORT=str(free_port()), CHROMIUM=CHROMIUM, PLAYWRIGHT_JSON_OUTPUT_NAME=str(report)
    )
    done = run(project, "playwright", "test", "--reporter=list,json", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    specs = [s for suite in json.loads(report.read_text(encoding="utf-8"))["suites"] for s in suite["specs"]]
    assert {s["title"]: s["ok"] for s in specs} == {
        "the chat shows the streamed answer": True,
        "the second question sends the first answer along": True,
        "a rate limit shows a retry notice, not an error": True,
    }
    assert all(t["status"] == "expected" for s in specs for t in s["tests"])


@pytest.mark.parametrize("name", ["vitest", "playwright"])
def test_each_example_pins_the_versions_the_suite_runs(name: str) -> None:
    """The example's package.json asks for what tests/browser installs, and links the helper in this checkout."""
    pinned = json.loads((TEST_CLIENTS / "package.json").read_text(encoding="utf-8"))["devDependencies"]
    wanted = json.loads((EXAMPLES / name / "package.json").read_text(encoding="utf-8"))["devDependencies"]
    helper = wanted.pop("mockllm-node")
    assert (EXAMPLES / name / helper.removeprefix("file:")).resolve() == REPO / "clients" / "node"
    assert wanted and {package: pinned.get(package) for package in wanted} == wanted
