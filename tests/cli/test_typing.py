"""The package type-checks: mypy with the pydantic plugin, as configured in pyproject.toml."""

import subprocess
import sys

from conftest import REPO


def test_mypy_finds_no_type_errors_in_the_package() -> None:
    result = subprocess.run([sys.executable, "-m", "mypy", "mockllm"], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
