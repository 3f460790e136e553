"""gaps: a real-time Gap between consecutive non-empty writes."""

import pytest

from mockllm.core.events import Delay, Gap, Respond
from mockllm.stream.wire.gaps import gaps

#: Timing-sensitive (real pacing, separate network reads): these run one at a time on one worker.
pytestmark = pytest.mark.xdist_group("serial")


def test_a_gap_goes_between_writes_not_before_the_first():
    assert list(gaps([b"a", b"b", Delay(5), b"c"], 10)) == [b"a", Gap(10), b"b", Delay(5), Gap(10), b"c"]


def test_empty_writes_and_other_items_get_no_gap():
    respond = Respond(500, b"")
    assert list(gaps([respond, b"", b"a", b""], 10)) == [respond, b"", b"a", b""]
