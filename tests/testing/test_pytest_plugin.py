"""The pytest plugin: the sample project under xdist, the per-test handle, the admin token, and staying out of other test runs."""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from conftest import REPO, LiveServer

from mockllm.server.app import create_app
from mockllm.server.config import ServerConfig
from mockllm.server.state import STATE
from mockllm.testing.background import BackgroundServer
from mockllm.testing.pytest_plugin import Mockllm, MockllmError

EXAMPLE = REPO / "examples" / "pytest"
#: A hang guard only.
TIMEOUT_S = 600
#: The token of the servers below that require one (as `--admin-token` or $MOCKLLM_ADMIN_TOKEN would set it).
ADMIN_TOKEN = "plugin-test-admin-token"


def plugin_args() -> list[str]:
    """`-p mockllm.testing.pytest_plugin` unless the installed package already registers the plugin (its entry point)."""
    installed = {ep.name for ep in importlib.metadata.entry_points(group="pytest11")}
    return [] if "mockllm" in installed else ["-p", "mockllm.testing.pytest_plugin"]


def run_pytest(folder: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *plugin_args(), *args]
    return subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, timeout=TIMEOUT_S)


def run_example(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run_pytest(EXAMPLE, env, "-n", "2")


def example_env(**more: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("MOCKLLM_URL", "MOCKLLM_ADMIN_TOKEN")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return {**env, **more}


def test_sample_project_16_tests_under_xdist_each_worker_its_own_server() -> None:
    done = run_example(example_env())
    assert done.returncode == 0, done.stdout + done.stderr
    assert "16 passed" in done.stdout


def test_sample_project_16_tests_under_xdist_sharing_one_server_that_requires_an_admin_token() -> None:
    """All workers on one server started elsewhere, like a CI service off loopback: its admin token comes from the environment."""
    config = ServerConfig(scenarios=EXAMPLE / "scenarios", speed=0, seed=1, admin_token=ADMIN_TOKEN)
    server = BackgroundServer(lambda: create_app(config)).start()
    try:
        done = run_example(example_env(MOCKLLM_URL=server.url, MOCKLLM_ADMIN_TOKEN=ADMIN_TOKEN))
        assert done.returncode == 0, done.stdout + done.stderr
        assert "16 passed" in done.stdout
        state = server.call(lambda: server.app[STATE])  # type: ignore[index]
        # Every test's requests were journaled under its own session, then its teardown forgot them.
        assert server.call(lambda: (len(state.journal), len(state.runtime), len(state.sessions))) == (0, 0, 0)
    finally:
        server.stop()


def test_the_admin_token_option_goes_with_every_admin_call(live_server: Callable[..., LiveServer], tmp_path: Path) -> None:
    """`--mockllm-admin-token`: the test's scenario, long-poll, journal and teardown reset all pass the server's guard."""
    server = live_server(admin_token=ADMIN_TOKEN)
    (tmp_path / "test_guarded.py").write_text(
        "def test_guarded(mockllm):\n"
        "    mockllm.scenario(steps=[{'say': 'behind the token'}])\n"
        "    reply = mockllm.openai_client().chat.completions.create(model='m', messages=[{'role': 'user', 'content': 'hi'}])\n"
        "    assert reply.choices[0].message.content == 'behind the token'\n"
        "    assert mockllm.wait_for_request(path='/v1/chat/completions')['status'] == 200\n"
        "    assert len(mockllm.journal()) == 1\n",
        encoding="utf-8",
    )
    done = run_pytest(tmp_path, example_env(MOCKLLM_URL=server.url), "--mockllm-admin-token", ADMIN_TOKEN)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout
    state = server.call(lambda: server.app[STATE])  # type: ignore[index]
    assert server.call(lambda: (len(state.journal), len(state.runtime), len(state.sessions))) == (0, 0, 0)


def test_without_the_token_a_guarded_server_refuses_and_says_why(live_server: Callable[..., LiveServer]) -> None:
    url = live_server(admin_token=ADMIN_TOKEN).url
    with pytest.raises(MockllmError, match=r"^mockllm refused GET /_mock/journal:\nAdmin routes need the admin token"):
        Mockllm(url, "no-token").journal()
    with pytest.raises(MockllmError, match=r"Admin routes need the admin token"):
        Mockllm(url, "wrong-token", admin_token="not-it").scenario(steps=[{"say": "x"}])
    assert Mockllm(url, "with-token", admin_token=ADMIN_TOKEN).journal() == []


@pytest.fixture
def handle(live_server: Any) -> Iterator[Mockllm]:
    mockllm = Mockllm(live_server().url, "plugin-test")
    yield mockllm
    mockllm.close()


def test_scenario_problems_raise_with_their_lines(handle: Mockllm) -> None:
    with pytest.raises(MockllmError) as raised:
        handle.scenario("schema: 1\nname: x\ndescription: d\nsteps:\n  - sya: hi\n")
    assert str(raised.value) == (
        "mockllm refused POST /_mock/scenarios:\n"
        "<posted>:5: steps[0].sya: unknown key 'sya'; did you mean 'say'? valid keys: disconnect, error, finish, pause, say, think, tool_call, usage"
    )


def test_dict_scenarios_get_the_defaults_and_answer_this_session(handle: Mockllm) -> None:
    assert handle.scenario(steps=[{"say": "mine"}]) == "default"
    assert handle.scenario({"name": "named", "steps": [{"say": "x"}]}) == "named"
    reply = handle.openai_client().chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}])
    assert reply.choices[0].message.content == "mine"
    someone_else = Mockllm(handle.url, "someone-else")
    other = someone_else.openai_client().chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}])
    someone_else.close()
    assert other.choices[0].message.content != "mine"


def test_wait_for_request_names_what_it_saw_when_nothing_matches(handle: Mockllm) -> None:
    handle.openai_client().chat.completions.create(model="hello", messages=[{"role": "user", "content": "hi"}])
    with pytest.raises(MockllmError, match=r"no request \(scenario='echo'\) finished within 0.05 s; this test's journal: \['POST /v1/chat/completions → hello 200'\]"):
        handle.wait_for_request(scenario="echo", timeout=0.05)


def test_reset_forgets_the_sessions_scenarios_journal_and_attempts(handle: Mockllm) -> None:
    handle.scenario(attempts=[[{"error": "rate_limited"}], [{"say": "ok"}]])
    handle.openai_client(max_retries=1).chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}])
    assert [e["attempt"] for e in handle.journal()] == [1, 2]
    handle.reset()
    assert handle.journal() == [] and handle._admin("GET", f"/_mock/sessions/{handle.session}") == []
    assert [s["origin"] for s in handle._admin("GET", "/_mock/scenarios")] == ["file"] * len(handle._admin("GET", "/_mock/scenarios"))


def test_coverage_lists_the_codes_this_tests_requests_delivered_and_how(handle: Mockllm) -> None:
    import openai

    with pytest.raises(openai.APIStatusError) as raised:
        handle.openai_client(max_retries=0).chat.completions.create(model="recharge-required", messages=[{"role": "user", "content": "hi"}])
    assert raised.value.status_code == 402
    report = handle.coverage()
    delivered = {c["key"]: c["delivered"] for c in report["codes"] if c["delivered"]["count"]}
    entry = handle.journal()[0]["id"]
    assert delivered == {"code 101": {"count": 1, "in_band": 0, "http_status": 1, "websocket_close": 0, "entries": [entry]}}
    assert report["session"] == handle.session and report["total"] > 10


def test_importing_the_plugin_loads_no_server_code() -> None:
    code = "import sys, mockllm.testing.pytest_plugin as p; print(sorted(m for m in sys.modules if m.startswith('mockllm')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=example_env(), timeout=TIMEOUT_S, check=True)
    assert done.stdout.strip() == "['mockllm', 'mockllm.testing', 'mockllm.testing.pytest_plugin']"


def test_the_plugin_declares_no_autouse_fixture() -> None:
    import mockllm.testing.pytest_plugin as plugin

    fixtures = [getattr(plugin, name) for name in ("mockllm", "mockllm_server")]
    markers = [getattr(f, "_fixture_function_marker", None) or getattr(f, "_pytestfixturefunction", None) for f in fixtures]
    assert all(marker is not None and not marker.autouse for marker in markers)


def test_the_entry_point_is_declared() -> None:
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert '[project.entry-points.pytest11]\nmockllm = "mockllm.testing.pytest_plugin"' in text



def test_report_reads_this_tests_session_and_assert_client_ok_passes_a_patient_client(handle: Mockllm) -> None:
    handle.openai_client().chat.completions.create(model="fail-twice-then-succeed", messages=[{"role": "user", "content": "hi"}])
    card = handle.report()
    assert card["session"] == "plugin-test" and card["requests"] == 3
    assert card["verdicts"]["retries"]["verdict"] == "pass"
    assert handle.assert_client_ok("retries", "backoff", "duplicates")["verdicts"]["retries"] == card["verdicts"]["retries"]


def test_assert_client_ok_names_the_verdict_that_failed_with_its_evidence(handle: Mockllm) -> None:
    handle.scenario(steps=[{"error": {"preset": "rate_limited", "headers": {"retry-after-ms": "1000"}}}])
    impatient = handle.openai_client(max_retries=0)
    for _ in range(2):
        with pytest.raises(Exception, match="429"):
            impatient.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}])
    handle.assert_client_ok("abandoned")  # the other verdicts are not asked for
    with pytest.raises(MockllmError, match=r"(?s)the client of session plugin-test misbehaved:\nretries: fail: a retry came before the asked wait \[\{\"request\": \d+"):
        handle.assert_client_ok("retries")
    with pytest.raises(MockllmError, match="unknown verdict retry; valid: retries, backoff, abandoned, duplicates, resume, stall"):
        handle.assert_client_ok("retry")
    with pytest.raises(MockllmError, match="stall_limit_ms must be a number >= 0; got 'soon'"):
        handle.report(stall_limit_ms="soon")  # type: ignore[arg-type]
