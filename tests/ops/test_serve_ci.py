"""Serving for CI, as a real process: the ready file, the JSON start line and logs, watch mode, pipes that close early."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from test_serve_process import REPO, TIMEOUT_S, ServeProcess, serve  # noqa: F401  (serve is a fixture)

from mockllm.ops.serve import watching
from mockllm.server.config import DEFAULT_SCENARIOS, ServerConfig

SCENARIO = "schema: 1\nname: default\ndescription: d\nstream: {{first_token_ms: 0, delay_ms: 0}}\nsteps:\n  - say: {text!r}\n"


def ask(url: str) -> str:
    """The whole answer's text."""
    body = json.dumps({"messages": [{"role": "user", "content": "hi"}]}).encode()
    request = urllib.request.Request(f"{url}/v1/chat/completions", data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
        return str(json.load(response)["choices"][0]["message"]["content"])


def json_logs_until(process: ServeProcess, prefix: str) -> dict[str, Any]:
    """Read JSON log lines from stderr until one whose message starts with `prefix`."""
    while True:
        line = json.loads(process.next_line(process.error_lines))
        if line["message"].startswith(prefix):
            return line  # type: ignore[no-any-return]


def test_ready_file_json_start_line_and_json_request_logs(serve: Any, tmp_path: Path) -> None:
    ready = tmp_path / "ready.json"
    process = serve("--port", "0", "--speed", "0", "--ready-file", str(ready), "--log-format", "json")
    started = json.loads(process.next_line(process.lines))
    info = json.loads(ready.read_text(encoding="utf-8"))
    assert started == {"event": "listening", **info, "watch": False}
    assert info["url"] == f"http://127.0.0.1:{info['port']}" and info["port"] > 0 and info["pid"] == process.proc.pid
    assert {"default", "hello"} <= set(info["scenarios"])
    ask(info["url"])
    logged = json_logs_until(process, "POST /v1/chat/completions →")  # the end line (a start line comes first)
    assert logged["level"] == "info" and logged["time"].endswith("+00:00")
    assert {k: logged["request"][k] for k in ("id", "method", "path", "scenario", "status", "ended")} == {
        "id": 1, "method": "POST", "path": "/v1/chat/completions", "scenario": "default", "status": 200, "ended": "complete"
    }
    assert process.finish(signal.SIGTERM) == 0
    assert not ready.exists()  # a stopped server leaves no ready file behind


def test_watch_reloads_on_change_and_keeps_the_last_good_set(serve: Any, tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "default.yaml").write_text(SCENARIO.format(text="first"), encoding="utf-8")
    process = serve("--port", "0", "--scenarios", str(folder), "--watch", "--log-format", "json")
    started = json.loads(process.next_line(process.lines))
    assert started["watch"] is True
    assert ask(started["url"]) == "first"

    (folder / "default.yaml").write_text(SCENARIO.format(text="second"), encoding="utf-8")
    assert json_logs_until(process, "reloaded")["message"] == "reloaded 1 scenario (default.yaml changed)"
    assert ask(started["url"]) == "second"

    (folder / "default.yaml").write_text(SCENARIO.format(text="third").replace("say:", "sya:"), encoding="utf-8")
    warning = json_logs_until(process, "reload after")
    assert warning["level"] == "warning"
    assert f"{folder / 'default.yaml'}:6: steps[0].sya: unknown key 'sya'; did you mean 'say'?" in warning["message"]
    assert ask(started["url"]) == "second"
    assert process.finish() == 0


@pytest.mark.parametrize(
    ("configured", "tty", "folder", "expected"),
    [
        (None, True, Path("/my/scenarios"), True),
        (None, False, Path("/my/scenarios"), False),
        (None, True, DEFAULT_SCENARIOS, False),
        (False, True, Path("/my/scenarios"), False),
        (True, False, DEFAULT_SCENARIOS, True),
    ],
    ids=["own-folder-in-a-terminal", "own-folder-piped", "shipped-folder", "turned-off", "turned-on"],
)
def test_watch_default(monkeypatch: Any, configured: bool | None, tty: bool, folder: Path, expected: bool) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: tty)
    assert watching(ServerConfig(scenarios=folder, watch=configured)) is expected


def test_list_into_a_pipe_that_closes_early_prints_no_traceback(tmp_path: Path) -> None:
    many = "---\n".join(f"schema: 1\nname: s{i:04}\ndescription: {'x' * 250}\nsteps:\n  - say: hi\n" for i in range(300))
    (tmp_path / "many.yaml").write_text(many, encoding="utf-8")  # more than a pipe holds, so the writer meets the closed pipe
    done = subprocess.run(
        f"{sys.executable} -m mockllm list {tmp_path} | head -1", shell=True, cwd=REPO, capture_output=True, text=True, timeout=4 * TIMEOUT_S
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.split()[0] == "s0000"
