"""Fall-through: a request no scenario names or matches goes to a real API, and its answer is recorded for next time.

`mockllm serve --upstream URL` (or `--upstream anthropic=URL,openai=URL`, per
provider or dialect) forwards such a request with the client's own
credentials, streams the answer back as it arrives, and writes it with the
recorder into `--record-to` (by default `recorded/` inside the served
folder). The folder is then reloaded, so the same request is answered from
the new scenario (its `match` rule) without the upstream.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from aiohttp import web

from mockllm.dialects import DIALECTS
from mockllm.dialects.base import Dialect
from mockllm.server.config import ServerConfig
from mockllm.server.reload import reload_scenarios
from mockllm.server.selection import FORWARDED_WHY, WHY_HEADER
from mockllm.server.state import STATE

if TYPE_CHECKING:
    from mockllm.record.proxy import Relayed, Upstream

log = logging.getLogger("mockllm")
RECORDED = "recorded"
FORWARDED_HEADER = "X-Mock-Forwarded"


def parse_upstreams(values: tuple[str, ...]) -> dict[str, str]:
    """`URL` or `KEY=URL` entries (comma-separated too) as KEY → URL, `*` for every dialect; ValueError naming a bad entry.

    A KEY is a dialect's name (`vertex-gemini`) or a provider's (`anthropic`), in any case.
    """
    keys = {entry.name.lower() for entry in DIALECTS.entries()} | {entry.provider.lower() for entry in DIALECTS.entries() if entry.provider}
    found: dict[str, str] = {}
    for entry in (part.strip() for value in values for part in value.split(",") if part.strip()):
        key, _, url = entry.partition("=") if "=" in entry.split("://", 1)[0] else ("*", "", entry)
        key = key.strip().lower() or "*"
        if key != "*" and key not in keys:
            raise ValueError(f"--upstream {entry!r}: unknown provider or dialect {key!r}; known: {', '.join(sorted(keys))}")
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"--upstream {entry!r}: give an http:// or https:// URL")
        found[key] = url
    return found


def record_folder(config: ServerConfig) -> Path:
    """Where forwarded answers are written: `--record-to`, else `recorded/` in the served folder (so reloading finds them)."""
    if config.record_to is not None:
        return config.record_to
    folder = config.scenarios if config.scenarios.is_dir() else config.scenarios.parent
    return folder / RECORDED


@dataclass
class Upstreams:
    """The upstream APIs of a server, by the key they serve (`*`, a provider, a dialect), and the one recorder they share."""

    by_key: dict[str, Upstream] = field(default_factory=dict)

    @classmethod
    def of(cls, config: ServerConfig) -> Upstreams:
        """One `Upstream` per configured URL, each writing with the same recorder (no `default.yaml`: the folder has its own).

        The recorder's modules are imported only for a server that has upstreams.
        """
        configured = parse_upstreams(config.upstream)
        if not configured:
            return cls()
        from mockllm.record.proxy import Upstream
        from mockllm.record.writer import Recorder

        recorder = Recorder(record_folder(config), write_default=False)
        return cls({key: Upstream(url, recorder) for key, url in configured.items()})

    def for_dialect(self, dialect: Dialect) -> Upstream | None:
        """The upstream a dialect's requests fall through to: its own, its provider's, else the one for all (None: none)."""
        for key in (dialect.name.lower(), (dialect.provider or "").lower(), "*"):
            if key in self.by_key:
                return self.by_key[key]
        return None

    async def open(self) -> None:
        for upstream in self.by_key.values():
            await upstream.open()

    async def close(self) -> None:
        for upstream in self.by_key.values():
            await upstream.close()


UPSTREAMS = web.AppKey("upstreams", Upstreams)


def add_upstreams(app: web.Application, config: ServerConfig) -> None:
    """Give the app its upstreams, opened while it runs (none without `--upstream`)."""
    app[UPSTREAMS] = Upstreams.of(config)
    if app[UPSTREAMS].by_key:
        app.cleanup_ctx.append(_opened)


async def _opened(app: web.Application) -> Any:
    await app[UPSTREAMS].open()
    yield
    await app[UPSTREAMS].close()


def upstream_for(request: web.Request, dialect: Dialect) -> Upstream | None:
    """The upstream this request would fall through to (None: the server has none for its dialect)."""
    upstreams = request.app.get(UPSTREAMS)
    return upstreams.for_dialect(dialect) if upstreams is not None else None


async def forward(request: web.Request, body: bytes, dialect: Dialect, upstream: Upstream) -> Relayed:
    """Relay the request to `upstream`, recording the answer; once recorded, reload the folder so the next one is served from it."""
    state = request.app[STATE]

    async def reload(recorded: Path) -> None:
        for problem in await reload_scenarios(state):
            log.warning("recorded %s, but the folder does not load: %s", recorded, problem)

    found = upstream.found(dialect.name, dict(request.match_info))
    return await upstream.relay(request, body, found, headers={FORWARDED_HEADER: upstream.url, WHY_HEADER: FORWARDED_WHY}, then=reload)


def described(relayed: Relayed, upstream: Upstream, config: ServerConfig) -> tuple[str, Mapping[str, Any]]:
    """How a forwarded request ended, for the log line, and the journal's fields about it."""
    fields: dict[str, Any] = {"forwarded": upstream.url, "recorded": None}
    if relayed.response is None:
        return f"forwarded: {relayed.error}", fields
    if relayed.recorded is None:
        return f"forwarded to {upstream.url}", fields
    try:
        shown = relayed.recorded.relative_to(config.scenarios).as_posix()
    except ValueError:
        shown = str(relayed.recorded)
    fields["recorded"] = shown
    return f"forwarded to {upstream.url}, recorded as {shown}", fields
