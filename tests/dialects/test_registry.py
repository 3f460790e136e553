"""The dialect registry: every dialect by name, in a fixed order, each module imported when first served."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mockllm.core import disk_cache
from mockllm.dialects import DIALECTS
from mockllm.dialects.apps.base import AppFraming
from mockllm.dialects.apps.routes import builtin_framing_names
from mockllm.dialects.apps.template import TemplateFramer
from mockllm.dialects.base import EventSocketDialect
from mockllm.dialects.registry import build_manifest, manifest
from mockllm.scenarios.framings import BUILTIN_FRAMINGS, EXTENDABLE_FRAMINGS

#: Run in a fresh interpreter: build an app, serve one Anthropic request, and say which dialect modules were imported when.
SERVE_ONE = """
import asyncio, json, sys
from aiohttp.test_utils import TestClient, TestServer
from mockllm.server.app import create_app
from mockllm.server.config import ServerConfig

def loaded():
    return sorted(name.removeprefix("mockllm.dialects.") for name in sys.modules if name.startswith("mockllm.dialects."))

async def main():
    app = create_app(ServerConfig(speed=0, seed=1))
    before = loaded()
    async with TestClient(TestServer(app)) as client:
        response = await client.post("/v1/messages", json={"model": "hello", "max_tokens": 50, "messages": [{"role": "user", "content": "hi"}]})
        body = await response.json()
    print(json.dumps({"before": before, "after": loaded(), "status": response.status, "type": body["type"]}))

asyncio.run(main())
"""


def test_the_manifest_describes_every_registered_dialect_in_order() -> None:
    built = build_manifest()
    assert manifest() == built
    assert list(DIALECTS) == [entry.name for entry in built]
    assert [entry.name for entry in built][:3] == ["openai", "openai-completions", "openai-embeddings"]
    for entry in built:
        dialect = DIALECTS[entry.name]
        assert type(dialect).__module__ == entry.module
        assert entry.routes == tuple(dialect.routes)
        assert entry.listings == tuple(dialect.listings())
        assert entry.provider == dialect.provider
        assert entry.socket == isinstance(dialect, EventSocketDialect)
        assert entry.framing == isinstance(dialect, AppFraming)


def test_the_file_formats_framing_names_are_the_served_ones() -> None:
    """`scenarios/` checks framing names without importing a dialect: its lists must be the registry's app framings."""
    assert sorted(BUILTIN_FRAMINGS) == builtin_framing_names()
    assert sorted(EXTENDABLE_FRAMINGS) == sorted(name for name in builtin_framing_names() if isinstance(DIALECTS[name], TemplateFramer))


def test_unknown_names_are_not_dialects() -> None:
    assert "nope" not in DIALECTS
    assert DIALECTS.get("nope") is None
    with pytest.raises(KeyError):
        DIALECTS["nope"]


def test_a_foreign_object_in_the_manifests_place_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOCKLLM_CACHE_DIR", str(tmp_path))
    disk_cache.write("dialects", disk_cache.code_stamp(), ("not", "entries"), keep=4)
    manifest.cache_clear()
    try:
        assert manifest() == build_manifest()
        assert disk_cache.read("dialects", disk_cache.code_stamp()) == manifest()  # replaced by the real one
    finally:
        manifest.cache_clear()


def test_a_server_imports_a_dialect_on_its_first_request(tmp_path: Path) -> None:
    """With the manifest kept, a fresh server imports no dialect its clients have not called; the first call imports it."""
    env = {**os.environ, "MOCKLLM_CACHE_DIR": str(tmp_path)}
    runs = [json.loads(subprocess.run([sys.executable, "-c", SERVE_ONE], env=env, capture_output=True, text=True, check=True).stdout) for _ in range(2)]
    first, second = runs
    assert "cohere" in first["before"]  # no manifest yet: it was built by importing every dialect
    assert "anthropic" not in second["before"] and "cohere" not in second["before"]
    assert "anthropic" in second["after"] and "cohere" not in second["after"]
    assert {"base", "registry", "openai"} <= set(second["before"])
    assert second["status"] == first["status"] == 200
    assert second["type"] == first["type"] == "message"
