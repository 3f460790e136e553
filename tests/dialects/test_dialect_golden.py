"""Golden files of the Gemini, Gemini embeddings, Ollama, Bedrock and Vertex dialects: each case at a fixed seed and speed 0, byte for byte.

After a deliberate change to the output, rewrite them with
`python scripts/regen_dialect_golden.py` and review the diff.
"""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from golden_files import readable_diff
from regen_dialect_golden import CASES, GOLDEN, capture
from regen_golden import golden_config

from mockllm.server.app import create_app


@pytest.fixture
async def client(aiohttp_client: Any) -> TestClient[Any, Any]:
    return await aiohttp_client(create_app(golden_config()))


@pytest.mark.parametrize("key", CASES)
async def test_matches_golden(client: TestClient[Any, Any], key: str) -> None:
    case = CASES[key]
    regen = "If the change is intended: python scripts/regen_dialect_golden.py"
    assert case.file.exists(), f"no golden file {key}. {regen}"
    actual, expected = await capture(client, case), case.file.read_bytes()
    if actual != expected:
        pytest.fail(f"{key} differs from its golden file:\n{readable_diff(expected, actual, key)}\n{regen}", pytrace=False)


@pytest.mark.parametrize("dialect", ["gemini", "gemini-embeddings", "ollama", "bedrock", "bedrock-invoke", "vertex-gemini", "vertex-anthropic"])
def test_no_stale_golden_files(dialect: str) -> None:
    stale = sorted(p.relative_to(GOLDEN).as_posix() for p in (GOLDEN / dialect).iterdir())
    assert set(stale) <= set(CASES), f"golden files without a case: {', '.join(sorted(set(stale) - set(CASES)))}; delete them"
