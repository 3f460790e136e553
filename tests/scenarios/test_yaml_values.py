"""A value PyYAML cannot build, and a misspelt key, are `file:line: path: message` problems at their own line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mockllm.scenarios.loading import load_catalog
from mockllm.scenarios.problems import ProblemsError
from mockllm.scenarios.yaml_source import parse_documents
from mockllm.server.app import create_app
from mockllm.server.config import ServerConfig

GOOD = "schema: 1\nname: default\ndescription: fine\nsteps:\n  - say: hi\n"
TIMESTAMP = "schema: 1\nname: default\ndescription: !!timestamp 'x'\nsteps:\n  - say: hi\n"


def problems_of(text: str) -> list[str]:
    with pytest.raises(ProblemsError) as raised:
        list(parse_documents("f.yaml", text))
    return [str(p) for p in raised.value.problems]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        pytest.param(TIMESTAMP, "f.yaml:3: description: invalid YAML value: 'x' is not a valid !!timestamp", id="timestamp"),
        pytest.param(
            "schema: 1\nsteps:\n  - say: hi\n  - say: !!timestamp '2020-13-45'\n",
            "f.yaml:4: steps[1].say: invalid YAML value: '2020-13-45' is not a valid !!timestamp (month must be in 1..12)",
            id="deep-timestamp",
        ),
        pytest.param("a: 1\nb: !!float 'nope'\n", "f.yaml:2: b: invalid YAML value: 'nope' is not a valid !!float (could not convert string to float: 'nope')", id="float"),
        pytest.param("a:\n  - 1\n  - !!int 'x1'\n", "f.yaml:3: a[1]: invalid YAML value: 'x1' is not a valid !!int (invalid literal for int() with base 10: 'x1')", id="int"),
    ],
)
def test_a_value_yaml_cannot_build_is_a_problem_at_its_line(text: str, problem: str) -> None:
    assert problems_of(text) == [problem]


def test_a_misspelt_key_is_reported_at_the_key_not_at_its_value(tmp_path: Path) -> None:
    path = tmp_path / "default.yaml"
    path.write_text("schema: 1\nname: default\ndescription: d\n\nstpes:\n  - say: hi\n", encoding="utf-8")
    with pytest.raises(ProblemsError) as raised:
        load_catalog(path)
    assert [(p.line, p.message.split(";")[0]) for p in raised.value.problems if p.path == "stpes"] == [(5, "unknown key 'stpes'")]


def test_check_reports_it_without_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "default.yaml").write_text(TIMESTAMP, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "mockllm", "check", str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr == f"{tmp_path / 'default.yaml'}:3: description: invalid YAML value: 'x' is not a valid !!timestamp\n"
    assert "Traceback" not in done.stdout + done.stderr


def test_start_up_refuses_it_with_the_problem(tmp_path: Path) -> None:
    (tmp_path / "default.yaml").write_text(TIMESTAMP, encoding="utf-8")
    with pytest.raises(ProblemsError) as raised:
        create_app(ServerConfig(scenarios=tmp_path))
    assert [str(p) for p in raised.value.problems] == [f"{tmp_path / 'default.yaml'}:3: description: invalid YAML value: 'x' is not a valid !!timestamp"]


async def test_a_reload_answers_422_with_the_problem_and_keeps_serving(tmp_path: Path, aiohttp_client: Any) -> None:
    (tmp_path / "default.yaml").write_text(GOOD, encoding="utf-8")
    client = await aiohttp_client(create_app(ServerConfig(scenarios=tmp_path, speed=0, seed=1)))
    (tmp_path / "default.yaml").write_text(TIMESTAMP, encoding="utf-8")
    response = await client.post("/_mock/reload")
    assert response.status == 422
    assert (await response.json())["problems"] == [f"{tmp_path / 'default.yaml'}:3: description: invalid YAML value: 'x' is not a valid !!timestamp"]
    assert (await client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "hi"}]})).status == 200
