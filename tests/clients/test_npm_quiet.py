"""`npm ci` for the test clients prints no warnings on Node 20 (no EBADENGINE wall for packages that declare Node >= 22)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import REPO

BROWSER = REPO / "tests" / "browser"

pytestmark = pytest.mark.skipif(shutil.which("npm") is None, reason="needs npm")


def test_npm_ci_prints_no_engine_warnings(tmp_path: Path) -> None:
    for name in ("package.json", "package-lock.json", ".npmrc"):
        if (BROWSER / name).exists():
            shutil.copy(BROWSER / name, tmp_path / name)
    done = subprocess.run(
        ["npm", "ci", "--dry-run", "--offline", "--no-audit", "--no-fund", "--prefix", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    output = done.stdout + done.stderr
    assert "EBADENGINE" not in output
    assert [line for line in output.splitlines() if "warn" in line.lower()] == []
