"""The start-up banner: where to point a client, and a curl line to try."""

from __future__ import annotations

import shlex

from mockllm.scenarios.catalog import scenario_count as counted
from mockllm.server.config import ServerConfig
from mockllm.server.pairing import lan_addresses, phone_url, qr_terminal, serves_lan
from mockllm.server.upstream import record_folder

__all__ = ["admin_lines", "banner", "curl_line", "lan_addresses", "phone_lines", "try_scenario"]

_CURL_BODY = '{"model":"%s","stream":true,"messages":[{"role":"user","content":"你好"}]}'


def curl_line(base_url: str, scenario: str = "hello") -> str:
    """A ready-to-paste curl command that streams `scenario`."""
    body = shlex.quote(_CURL_BODY % scenario)
    return f"curl -N {base_url}/v1/chat/completions -H 'Content-Type: application/json' -d {body}"


def try_scenario(names: list[str], default: str) -> str:
    """The scenario the curl line streams: `hello` when the folder has it, else the default."""
    return "hello" if "hello" in names else default


def banner(config: ServerConfig, port: int, scenario_count: int, scenario: str = "hello") -> str:
    """The lines printed once the server listens; the curl line streams `scenario`."""
    wildcard = serves_lan(config.host)
    local_host = "127.0.0.1" if wildcard else config.host
    base = f"http://{_bracket(local_host)}:{port}"
    lines = [f"mockllm serving {counted(scenario_count)} from {config.scenarios}", f"  base URL: {base}/v1"]
    if wildcard:
        lines += [f"  LAN:      http://{ip}:{port}/v1" for ip in lan_addresses()]
    page = f"{base}/_mock/ui/" + (f"#token={config.admin_token}" if config.admin_token and not config.admin_open else "")
    lines.append(f"  page:     {page} (playground: scenarios, wire inspector, live demo control)")
    speed = "no waiting" if config.speed == 0 else f"x{config.speed:g}"
    lines.append(f"  speed {speed}, seed {config.seed if config.seed is not None else 'random per request'}, default scenario {config.default!r}")
    lines += admin_lines(config, wildcard)
    if config.upstream:
        lines.append(f"  upstream: {', '.join(config.upstream)} answers what no scenario matches; recorded into {record_folder(config)}")
    lines.append(f"  try:      {curl_line(base, scenario)}")
    if wildcard:
        lines += phone_lines(config, port, lan_addresses())
    return "\n".join(lines)


def phone_lines(config: ServerConfig, port: int, addresses: list[str]) -> list[str]:
    """The phone page on the first LAN address, and its QR code to scan (nothing when there is no LAN address)."""
    if not addresses:
        return []
    url = phone_url(addresses[0], port, None if config.admin_open else config.admin_token)
    return [f"  phone:    scan to open {url}", qr_terminal(url)]


def admin_lines(config: ServerConfig, wildcard: bool) -> list[str]:
    """How to reach the `/_mock/` control routes: the token to send, or a warning that they are open."""
    if config.admin_open and not _loopback_bind(config.host):
        return ["  admin:    /_mock/ routes OPEN to anyone who can reach this port (--admin-open)"]
    if config.admin_token:
        where = "LAN clients and scripts" if wildcard else "clients"
        return [f"  admin:    token {config.admin_token} ({where} send 'Authorization: Bearer <token>' on /_mock/ routes)"]
    return []


def _loopback_bind(host: str) -> bool:
    from mockllm.server.admin_access import is_loopback

    return is_loopback(host)


def _bracket(host: str) -> str:
    return f"[{host}]" if ":" in host else host
