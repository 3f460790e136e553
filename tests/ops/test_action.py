"""The GitHub Actions recipe (action.yml): its start step brings a server up and exports where it listens."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import yaml
from conftest import REPO

ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
TIMEOUT_S = 60


def step(step_id: str) -> dict[str, str]:
    return next(s for s in ACTION["runs"]["steps"] if s.get("id") == step_id)


def read_pairs(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text(encoding="utf-8").splitlines())


def test_start_step_serves_and_exports_the_url(tmp_path: Path) -> None:
    shim = tmp_path / "mockllm"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m mockllm "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "ci.yaml").write_text("schema: 1\nname: ci\ndescription: d\nsteps:\n  - say: from CI\n", encoding="utf-8")
    output, env_file = tmp_path / "output", tmp_path / "env"
    inputs = {"SCENARIOS": "scenarios", "PORT": "0", "SPEED": "0", "SEED": "1", "DEFAULT_SCENARIO": "ci", "ARGS": "--max-stream-s 30"}
    env = {**os.environ, **inputs, "MOCKLLM_BIN": str(shim), "RUNNER_TEMP": str(tmp_path), "GITHUB_OUTPUT": str(output), "GITHUB_ENV": str(env_file)}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    done = subprocess.run(["bash", "-e", "-c", step("start")["run"]], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=TIMEOUT_S)
    assert done.returncode == 0, done.stdout + done.stderr
    outputs, exported = read_pairs(output), read_pairs(env_file)
    try:
        assert outputs["url"] == f"http://127.0.0.1:{outputs['port']}" and int(outputs["port"]) > 0
        assert exported == {"MOCKLLM_URL": outputs["url"], "OPENAI_BASE_URL": outputs["url"] + "/v1"}
        body = json.dumps({"messages": [{"role": "user", "content": "hi"}]}).encode()
        request = urllib.request.Request(outputs["url"] + "/v1/chat/completions", data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            assert json.load(response)["choices"][0]["message"]["content"] == "from CI"
        assert json.loads(Path(outputs["log"]).read_text(encoding="utf-8").splitlines()[0])["event"] == "listening"
    finally:
        os.kill(int(outputs["pid"]), signal.SIGTERM)


def test_every_input_reaches_the_start_step() -> None:
    used = {**step("start")["env"], **next(s for s in ACTION["runs"]["steps"] if s["name"] == "Install mockllm")["env"]}
    assert {f"${{{{ inputs.{name} }}}}" for name in ACTION["inputs"]} <= set(used.values())


def test_ci_script_runs_exactly_the_readme_test_command() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    command = readme.split("## Developing\n\n```sh\n", 1)[1].split("\n```", 1)[0]
    script = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert script[script.index("# The README's test command:") + 1] == command
    assert ". .venv/bin/activate" not in script  # the command needs no active venv
