"""The suite's xdist groups work: tests sharing an `xdist_group` run in one worker.

pytest-xdist's `--dist loadgroup` marks a grouped test by adding `@GROUP` to its
node id; pytest 9.2 stopped honouring that (pytest-dev/pytest-xdist#1386) and
every group, the timing-sensitive "serial" one included, was then spread over
all workers without a word.
"""

import subprocess
import sys
from pathlib import Path

GROUPED = '''
import os

import pytest

pytestmark = pytest.mark.xdist_group("serial")


@pytest.mark.parametrize("n", range(6))
def test_note_the_worker(n):
    with open("workers.txt", "a") as seen:
        seen.write(os.environ["PYTEST_XDIST_WORKER"] + "\\n")
'''


def test_grouped_tests_run_in_one_worker(tmp_path: Path) -> None:
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    for name in ("test_a.py", "test_b.py"):
        (tmp_path / name).write_text(GROUPED)
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "3", "--dist", "loadgroup"]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    workers = (tmp_path / "workers.txt").read_text().split()
    assert len(workers) == 12 and len(set(workers)) == 1, workers
