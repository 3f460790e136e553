"""Who may use the `/_mock/` control routes: a token off loopback, a Host allow-list on it, no cross-origin callers.

One middleware guards every path under `/_mock/`, so a control route added
later is protected without doing anything; `OPEN_ROUTES` lists the few that
anyone may read (health, the playground's static page).
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from dataclasses import dataclass, replace

from aiohttp import web

from mockllm.server.config import ServerConfig
from mockllm.server.middleware import Handler, error_response, is_admin_path, same_origin

TOKEN_HEADER = "X-Mock-Admin-Token"
#: The query form, for browser clients that cannot set headers (EventSource, WebSocket).
TOKEN_QUERY = "mock_admin_token"
#: (method, path) pairs open to anyone: read-only and without secrets.
OPEN_ROUTES = frozenset({("GET", "/_mock/health"), ("HEAD", "/_mock/health"), ("GET", "/_mock/metrics"), ("GET", "/_mock/ui"), ("HEAD", "/_mock/ui")})
#: Path prefixes whose GETs are open: the playground's static files.
OPEN_PREFIXES = ("/_mock/ui/",)  # the playground page and its files; its API calls carry the token
_LOOPBACK_NAMES = ("localhost", "localhost.", "ip6-localhost")


@dataclass(frozen=True)
class AdminAccess:
    """The admin policy of one server: the token (None = none needed) and the Host names allowed (None = any)."""

    token: str | None
    allowed_hosts: frozenset[str] | None

    @classmethod
    def of(cls, config: ServerConfig) -> AdminAccess:
        """The policy for `config` (call `with_admin_token` first so a generated token is known)."""
        hosts = frozenset({*_LOOPBACK_NAMES, "127.0.0.1", "::1", config.host.lower()}) if is_loopback(config.host) else None
        return cls(token=None if config.admin_open else config.admin_token, allowed_hosts=hosts)

    def refusal(self, request: web.Request) -> web.Response | None:
        """The 401/403 answer for an admin request this policy refuses, or None to serve it."""
        host = request.headers.get("Host")
        if self.allowed_hosts is not None and host is not None and not _host_allowed(host, self.allowed_hosts):
            return error_response(403, f"Host {host!r} may not use the admin routes (a DNS-rebinding guard); use localhost or 127.0.0.1.")
        if "Origin" in request.headers and not same_origin(request):
            return error_response(403, "Admin routes answer pages of this server only (same origin), not other sites.")
        if self.token is not None and not _token_matches(request, self.token):
            response = error_response(401, f"Admin routes need the admin token (printed at start-up): send 'Authorization: Bearer <token>', '{TOKEN_HEADER}: <token>' or ?{TOKEN_QUERY}=<token>.")
            response.headers["WWW-Authenticate"] = 'Bearer realm="mockllm admin"'
            return response
        return None


ACCESS = web.AppKey("admin_access", AdminAccess)


@web.middleware
async def guard_admin(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuse admin requests the server's policy does not allow; every other request passes untouched."""
    if not is_admin_path(request.path) or _is_open(request):
        return await handler(request)
    refusal = request.app[ACCESS].refusal(request)
    return refusal if refusal is not None else await handler(request)


def with_admin_token(config: ServerConfig) -> ServerConfig:
    """`config` with a generated admin token when it binds off loopback, names none, and is not `admin_open`."""
    if config.admin_token or config.admin_open or is_loopback(config.host):
        return config
    return replace(config, admin_token=secrets.token_urlsafe(24))


def is_loopback(host: str) -> bool:
    """Whether binding `host` serves this machine only."""
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _is_open(request: web.Request) -> bool:
    if request.method == "OPTIONS":
        return True  # a preflight: answered without CORS grants for other origins (see middleware)
    return (request.method, request.path) in OPEN_ROUTES or (request.method in ("GET", "HEAD") and request.path.startswith(OPEN_PREFIXES))


def _host_allowed(host: str, allowed: frozenset[str]) -> bool:
    """Whether a Host header (`name`, `name:port`, `[v6]:port`) names this machine."""
    name = host[1 : host.find("]")] if host.startswith("[") and "]" in host else host.split(":", 1)[0]
    name = name.lower()
    return name in allowed or name.endswith(".localhost") or is_loopback(name)


def _token_matches(request: web.Request, token: str) -> bool:
    given = request.headers.get(TOKEN_HEADER, "") or request.query.get(TOKEN_QUERY, "")
    auth = request.headers.get("Authorization", "")
    if not given and auth[:7].lower() == "bearer ":
        given = auth[7:].strip()
    return hmac.compare_digest(given.encode("utf-8", "replace"), token.encode())
