"""Server settings, with every default in one place."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mockllm.scenarios.catalog import SHIPPED

DEFAULT_SCENARIOS = SHIPPED


@dataclass(frozen=True)
class ServerConfig:
    """How the server runs; each field is also a flag and a `MOCKLLM_*` variable."""

    host: str = "127.0.0.1"
    port: int = 8000
    scenarios: Path = DEFAULT_SCENARIOS
    speed: float = 1.0
    seed: int | None = None
    default: str = "default"
    max_body_bytes: int = 16 * 1024 * 1024
    journal_size: int = 1000
    backlog: int = 4096
    max_stream_s: float = 300.0
    read_timeout_s: float = 5.0
    idle_timeout_s: float = 30.0
    max_connections: int = 0  # 0: the fd limit less a reserve
    journal_max_bytes: int = 32 * 1024 * 1024
    admin_token: str | None = None
    admin_open: bool = False
    ready_file: Path | None = None
    log_format: str = "text"
    watch: bool | None = None  # None: on when serving your own folder in a terminal
    workers: int = 1
    upstream: tuple[str, ...] = ()  # `URL` or `PROVIDER=URL` entries: where requests no scenario answers go
    record_to: Path | None = None  # None: `recorded/` in the scenarios folder
