"""Tell a script the server is up: the ready file (`--ready-file`) and the JSON start line (`--log-format json`)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from mockllm.server.config import ServerConfig


def ready_info(config: ServerConfig, port: int, names: list[str]) -> dict[str, Any]:
    """Where the server listens and what it serves: url (with no `/v1`), port, pid, scenario names."""
    host = "127.0.0.1" if config.host in ("0.0.0.0", "::", "") else config.host
    host = f"[{host}]" if ":" in host else host
    return {"url": f"http://{host}:{port}", "port": port, "pid": os.getpid(), "scenarios": names}


def write_ready_file(path: Path, info: dict[str, Any]) -> None:
    """Write `info` as JSON to `path` all at once (a reader never sees half of it)."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    partial.write_text(json.dumps(info, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(partial, path)


def remove_ready_file(path: Path) -> None:
    """Remove the ready file on shutdown, so a stale one never says a stopped server is up."""
    try:
        path.unlink()
    except FileNotFoundError:
        pass
