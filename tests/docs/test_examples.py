"""The Python examples of the README and the getting-started pages run as a reader would copy them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import pytest
from conftest import REPO, LiveServer

DOCUMENTS = [REPO / "README.md", *sorted((REPO / "docs" / "getting-started").glob("*.md"))]
BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)
DOCUMENTED_URL = "http://127.0.0.1:8000"
TIMEOUT_S = 120


def blocks(tests: bool) -> list[Any]:
    """The ```python blocks that are pytest tests (`tests=True`) or scripts, each with an id naming its page."""
    found = []
    for document in DOCUMENTS:
        for index, code in enumerate(BLOCK.findall(document.read_text(encoding="utf-8"))):
            if ("def test_" in code) == tests:
                found.append(pytest.param(code, id=f"{document.stem}-{index}"))
    return found


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run a Python command as a reader would, with no SDK settings (base URLs, keys) from this environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "ANTHROPIC_", "MOCKLLM_"))}
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT_S)


def test_the_pages_have_examples_of_both_kinds() -> None:
    assert len(blocks(tests=False)) >= 5 and len(blocks(tests=True)) >= 1


@pytest.mark.parametrize("code", blocks(tests=False))
def test_a_script_example_runs_and_prints(code: str, live_server: Callable[..., LiveServer], tmp_path: Path) -> None:
    assert DOCUMENTED_URL in code, "an example that talks to no server"
    result = run(["-c", code.replace(DOCUMENTED_URL, live_server().url)], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip(), "the example printed nothing"


@pytest.mark.parametrize("code", blocks(tests=True))
def test_a_pytest_example_passes_with_the_fixture(code: str, tmp_path: Path) -> None:
    (tmp_path / "test_example.py").write_text(code, encoding="utf-8")
    result = run(["-m", "pytest", "-q", "-p", "no:cacheprovider", "test_example.py"], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
