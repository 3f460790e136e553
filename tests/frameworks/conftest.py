"""The framework tests' shared guard: what a framework leaves unclosed is collected after each test, quietly.

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
def _collect_what_the_framework_left_open() -> Iterator[None]:
    yield
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()
