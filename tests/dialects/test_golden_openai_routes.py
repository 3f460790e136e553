"""Golden files of the other OpenAI routes (completions, embeddings, Azure, structured Chat), byte for byte.

After a deliberate change to the output, rewrite them with
`python scripts/regen_openai_routes_golden.py [CASE ...]` and review the diff.
"""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from golden_files import readable_diff
from regen_golden import GOLDEN
from regen_openai_routes_golden import CASES, capture, golden_config, golden_path

from mockllm.server.app import create_app

DIALECT_FOLDERS = sorted({name.split("/")[0] for name in CASES})


@pytest.fixture
async def client(aiohttp_client: Any) -> TestClient[Any, Any]:
    return await aiohttp_client(create_app(golden_config()))


@pytest.mark.parametrize("name", CASES)
async def test_matches_golden(client: TestClient[Any, Any], name: str) -> None:
    path = golden_path(name)
    regen = f"If the change is intended: python scripts/regen_openai_routes_golden.py {name}"
    assert path.exists(), f"no golden file {name}. {regen}"
    actual = await capture(client, name)
    if actual != path.read_bytes():
        pytest.fail(f"{name} differs from its golden file:\n{readable_diff(path.read_bytes(), actual, name)}\n{regen}", pytrace=False)


@pytest.mark.parametrize("folder", DIALECT_FOLDERS)
def test_no_stale_golden_files(folder: str) -> None:
    stale = sorted(f"{folder}/{p.name}" for p in (GOLDEN / folder).iterdir())
    assert not [name for name in stale if name not in CASES], "golden files without a case; delete them"
