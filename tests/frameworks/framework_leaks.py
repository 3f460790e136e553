"""What a framework leaves unclosed is collected after each of its tests, quietly (import the fixture into a module to use it).

Some frameworks open event loops or clients of their own and never close
them; the sockets warn when the garbage collector finds them, at a moment
that lands in whatever test runs next. Collecting after each framework test,
with that warning ignored, keeps their leaks out of other tests' results.
"""

from __future__ import annotations

import gc
import warnings
from typing import Iterator

import pytest


@pytest.fixture(autouse=True)
def collect_what_the_framework_left_open() -> Iterator[None]:
    """Collect after the test, with the warnings of unclosed sockets ignored."""
    yield
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()
