"""Golden files: every shipped scenario at a fixed seed and speed 0, byte for byte.

After a deliberate change to the output, rewrite them with
`python scripts/regen_golden.py [NAME ...]` and review the diff.
"""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from golden_files import readable_diff
from regen_golden import (
    GOLDEN,
    GOLDEN_SEED,
    SCENARIOS,
    VARIANTS,
    capture,
    golden_config,
    golden_names,
    golden_path,
)

from mockllm.scenarios.loading import load_catalog
from mockllm.scenarios.text import FakerText
from mockllm.server.app import create_app

NAMES = sorted(golden_names())
FAKER_NAMES = [
    name
    for name, scenario in load_catalog(SCENARIOS).scenarios.items()
    if any(isinstance(step.say or step.think, FakerText) for step in scenario.steps)
]


@pytest.fixture
async def client(aiohttp_client: Any) -> TestClient[Any, Any]:
    return await aiohttp_client(create_app(golden_config()))


@pytest.mark.parametrize("suffix", VARIANTS)
@pytest.mark.parametrize("name", NAMES)
async def test_matches_golden(client: TestClient[Any, Any], name: str, suffix: str) -> None:
    path = golden_path(name, suffix)
    actual = await capture(client, name, suffix)
    regen = f"If the change is intended: python scripts/regen_golden.py {name}"
    assert path.exists(), f"no golden file {path.name}. {regen}"
    expected = path.read_bytes()
    if actual != expected:
        pytest.fail(f"{name}.{suffix} differs from its golden file:\n{readable_diff(expected, actual, path.name)}\n{regen}", pytrace=False)


def test_no_stale_golden_files() -> None:
    expected = {golden_path(name, suffix).name for name in NAMES for suffix in VARIANTS}
    stale = sorted({p.name for p in GOLDEN.iterdir() if p.is_file()} - expected)
    assert not stale, f"golden files without a shipped scenario: {', '.join(stale)}; delete them"


@pytest.mark.parametrize("name", NAMES)
async def test_same_seed_same_bytes(client: TestClient[Any, Any], name: str) -> None:
    assert await capture(client, name, "stream.txt", seed=5) == await capture(client, name, "stream.txt", seed=5)


@pytest.mark.parametrize("name", FAKER_NAMES)
async def test_different_seed_different_text(client: TestClient[Any, Any], name: str) -> None:
    assert await capture(client, name, "whole.json", seed=5) != await capture(client, name, "whole.json", seed=6)


def test_golden_seed_is_recorded() -> None:
    assert GOLDEN_SEED == 20250101 and FAKER_NAMES
