"""Build the wheel, install it into a fresh venv and use it from an empty folder, as a user who ran `pip install` would.

    python scripts/ci/wheel_smoke.py [--no-isolation] [--keep]

Steps, each bounded in time; any failure prints what the step printed and exits 1:

1. `python -m build --wheel` (the `build` package, in the `test` extra) into a temporary folder;
2. a fresh venv there, with the wheel and pytest installed (pip fetches the wheel's dependencies);
3. from an empty folder: `mockllm check` (the shipped scenarios), `python -m mockllm --help`,
   `mockllm serve --port 0 --ready-file F` answering `hello` on /v1/chat/completions and serving the
   playground (its page and the reference client it loads), then stopped;
4. a pytest file there using the `mockllm` fixture: a posted scenario reached through `openai_base_url`
   alone, and a shipped scenario by name.

The temporary folder is removed afterwards (`--keep` keeps it and prints where it is).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
STEP_TIMEOUT_S = 600
START_TIMEOUT_S = 60
HELLO = "你好！我是 mockllm"

FIXTURE_TEST = '''
import json
import urllib.request


def post(url, body):
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def test_a_posted_scenario_through_the_base_url_alone(mockllm):
    mockllm.scenario(steps=[{"say": "from the installed wheel"}])
    reply = post(mockllm.openai_base_url + "/chat/completions", {"model": "m", "messages": [{"role": "user", "content": "hi"}]})
    assert reply["choices"][0]["message"]["content"] == "from the installed wheel"
    assert [e["session"] for e in mockllm.journal()] == [mockllm.session]


def test_a_shipped_scenario_by_name(mockllm):
    reply = post(mockllm.openai_base_url + "/chat/completions", {"model": "hello", "messages": [{"role": "user", "content": "hi"}]})
    assert reply["choices"][0]["message"]["content"].startswith("HELLO")
'''.replace("HELLO", HELLO)


class StepFailed(Exception):
    """A step did not do what it should; the message says what it printed."""


def run(what: str, command: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    """Run `command`; its output, or StepFailed with the output when it fails or overruns."""
    print(f"--- {what}: {' '.join(command)}", flush=True)
    try:
        done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=STEP_TIMEOUT_S)
    except subprocess.TimeoutExpired as exc:
        raise StepFailed(f"{what}: no end within {STEP_TIMEOUT_S} s\n{exc.stdout or ''}{exc.stderr or ''}") from None
    if done.returncode != 0:
        raise StepFailed(f"{what}: exit {done.returncode}\n{done.stdout}{done.stderr}")
    return done.stdout + done.stderr


def build_wheel(out: Path, isolation: bool) -> Path:
    """The wheel of this checkout, built into `out`."""
    command = [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), *([] if isolation else ["--no-isolation"]), str(REPO)]
    run("build the wheel", command, REPO)
    wheels = list(out.glob("*.whl"))
    if len(wheels) != 1:
        raise StepFailed(f"build the wheel: expected one wheel in {out}, found {wheels}")
    return wheels[0]


def fresh_venv(folder: Path, wheel: Path) -> Path:
    """A new venv holding the wheel and pytest; its bin folder."""
    run("create a venv", [sys.executable, "-m", "venv", str(folder)], folder.parent)
    bin_dir = folder / "bin"
    run("install the wheel", [str(bin_dir / "pip"), "install", "--disable-pip-version-check", "-q", str(wheel), "pytest"], folder.parent)
    return bin_dir


def clean_env(bin_dir: Path) -> dict[str, str]:
    """The environment of a user of the venv: its bin first, nothing pointing back at this checkout."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "MOCKLLM_", "VIRTUAL_ENV"))}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    return env


def check_shipped(bin_dir: Path, empty: Path, env: dict[str, str]) -> None:
    out = run("mockllm check", [str(bin_dir / "mockllm"), "check"], empty, env)
    if not out.startswith("ok: ") or "site-packages" not in out:
        raise StepFailed(f"mockllm check: expected 'ok: N scenarios in …/site-packages/…', got {out!r}")
    run("python -m mockllm --help", [str(bin_dir / "python"), "-m", "mockllm", "--help"], empty, env)


def serve_and_ask(bin_dir: Path, empty: Path, env: dict[str, str]) -> None:
    """`mockllm serve --port 0`: wait for its ready file, ask `hello`, load the playground, stop it."""
    ready = empty.parent / "ready.json"
    command = [str(bin_dir / "mockllm"), "serve", "--port", "0", "--ready-file", str(ready), "--watch", "off"]
    print(f"--- mockllm serve: {' '.join(command)}", flush=True)
    server = subprocess.Popen(command, cwd=empty, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        url = _wait_ready(ready, server)
        reply = _post_json(f"{url}/v1/chat/completions", {"model": "hello", "messages": [{"role": "user", "content": "hi"}]})
        content = reply["choices"][0]["message"]["content"]
        if not content.startswith(HELLO):
            raise StepFailed(f"mockllm serve: `hello` answered {content!r}")
        for page in ("/_mock/ui/", "/_mock/ui/mockllm-client.js", "/_mock/ui/app.js"):
            with urllib.request.urlopen(url + page, timeout=30) as response:
                if response.status != 200 or not response.read():
                    raise StepFailed(f"mockllm serve: {page} answered {response.status} with no body")
    finally:
        server.send_signal(signal.SIGINT)
        try:
            output, _ = server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            output, _ = server.communicate()
    if server.returncode != 0:
        raise StepFailed(f"mockllm serve: exit {server.returncode} after SIGINT\n{output}")


def _wait_ready(ready: Path, server: subprocess.Popen[str]) -> str:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise StepFailed(f"mockllm serve: exited {server.returncode} before it was ready\n{server.stdout.read() if server.stdout else ''}")
        if ready.exists():
            try:
                return str(json.loads(ready.read_text())["url"])
            except (ValueError, KeyError):
                pass  # written but not complete yet
        time.sleep(0.1)
    raise StepFailed(f"mockllm serve: no ready file within {START_TIMEOUT_S} s")


def _post_json(url: str, body: dict[str, object]) -> dict[str, object]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)  # type: ignore[no-any-return]


def fixture_test(bin_dir: Path, empty: Path, env: dict[str, str]) -> None:
    (empty / "test_with_the_fixture.py").write_text(FIXTURE_TEST, encoding="utf-8")
    out = run("pytest with the fixture", [str(bin_dir / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_with_the_fixture.py"], empty, env)
    if "2 passed" not in out:
        raise StepFailed(f"pytest with the fixture: expected '2 passed'\n{out}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-isolation", action="store_true", help="build with this Python's setuptools (no download)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    top = Path(tempfile.mkdtemp(prefix="mockllm-wheel-"))
    try:
        wheel = build_wheel(top / "dist", isolation=not args.no_isolation)
        bin_dir = fresh_venv(top / "venv", wheel)
        empty = top / "empty"
        empty.mkdir()
        env = clean_env(bin_dir)
        check_shipped(bin_dir, empty, env)
        serve_and_ask(bin_dir, empty, env)
        fixture_test(bin_dir, empty, env)
    except StepFailed as exc:
        print(f"FAILED {exc}", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            print(f"kept {top}")
        else:
            shutil.rmtree(top, ignore_errors=True)
    print(f"ok: {wheel.name} installs, checks, serves and runs the pytest fixture from an empty folder")
    return 0


if __name__ == "__main__":
    sys.exit(main())
