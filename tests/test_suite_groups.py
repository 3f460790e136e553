"""The suite's xdist groups reach the scheduler: a timing-sensitive test really runs in the one "serial" worker.

pytest-xdist's `--dist loadgroup` marks a grouped test by adding `@GROUP` to its
node id; pytest 9.2 stopped honouring that (pytest-dev/pytest-xdist#1386) and
every group was then spread over all workers without a word.
"""

import pytest

pytestmark = pytest.mark.xdist_group("serial")


def test_a_serial_test_carries_its_group_to_the_scheduler(request: pytest.FixtureRequest) -> None:
    if not hasattr(request.config, "workerinput"):
        pytest.skip("run serially (-n 0): there is no scheduler to group for")
    assert request.config.getoption("dist") == "no" and request.config.getvalue("loadgroup")
    assert request.node.nodeid.endswith("@serial"), request.node.nodeid
