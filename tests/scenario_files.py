"""Write scenario files for a test: YAML documents into a folder a server can serve."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from mockllm.server.config import ServerConfig


def scenario(name: str, steps: list[Any], **fields: Any) -> dict[str, Any]:
    """One scenario document (schema 1) at speed-friendly pacing."""
    return {"schema": 1, "name": name, "description": f"test scenario {name}", "stream": {"first_token_ms": 0}, "steps": steps, **fields}


def write_scenarios(folder: Path, *documents: dict[str, Any]) -> Path:
    """Write the documents as one multi-document YAML file in `folder`; return the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "test.yaml").write_text(yaml.safe_dump_all(documents, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder


def serving(folder: Path, *documents: dict[str, Any]) -> ServerConfig:
    """Settings serving these scenarios (the first is the default), instant and seeded."""
    return ServerConfig(scenarios=write_scenarios(folder, *documents), speed=0, seed=1, default=documents[0]["name"])
