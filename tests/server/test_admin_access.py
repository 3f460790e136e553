"""Admin safety: a token off loopback, a Host allow-list on it, CORS for admin routes same-origin only."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any, Callable, Iterator

import pytest
from aiohttp.test_utils import TestClient
from conftest import SCENARIOS
from test_serve_process import ServeProcess

from mockllm.server.admin_access import OPEN_ROUTES, AdminAccess, is_loopback, with_admin_token
from mockllm.server.app import create_app
from mockllm.server.config import ServerConfig
from mockllm.server.state import STATE

Client = TestClient[Any, Any]
CHAT = "/v1/chat/completions"
HI = [{"role": "user", "content": "hi"}]
#: Every control route the server has today (a later one is guarded the same way: the guard is keyed on /_mock/).
CONTROL_ROUTES = [
    ("GET", "/_mock/scenarios"),
    ("POST", "/_mock/scenarios"),
    ("DELETE", "/_mock/scenarios"),
    ("DELETE", "/_mock/scenarios/x"),
    ("GET", "/_mock/journal"),
    ("DELETE", "/_mock/journal"),
    ("POST", "/_mock/reload"),
    ("GET", "/_mock/sessions"),
    ("DELETE", "/_mock/sessions"),
    ("GET", "/_mock/sessions/s1"),
    ("DELETE", "/_mock/sessions/s1"),
    ("GET", "/_mock/routes"),
    ("GET", "/_mock/report"),
    ("GET", "/_mock/not-yet-written"),
]


@pytest.fixture
def serve() -> Iterator[Callable[..., ServeProcess]]:
    started: list[ServeProcess] = []

    def start(*args: str) -> ServeProcess:
        started.append(ServeProcess(*args))
        return started[-1]

    yield start
    for process in started:
        process.finish()
        for pipe in (process.proc.stdout, process.proc.stderr):
            if pipe is not None:
                pipe.close()


def http(port: int, method: str, path: str, headers: dict[str, str] | None = None, data: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
    """A request to 127.0.0.1 (only loopback traffic, whatever the server binds)."""
    data = data if data is not None else b"{}" if method == "POST" else None
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def banner_of(process: ServeProcess) -> tuple[int, str | None]:
    lines = process.read_banner()
    port = int(lines[1].split(":")[-1].removesuffix("/v1"))
    token = next((line.split()[2] for line in lines if line.strip().startswith("admin:    token")), None)
    return port, token


def test_on_all_interfaces_every_control_route_needs_the_printed_token(serve: Callable[..., ServeProcess]) -> None:
    """Bound to 0.0.0.0 on a free port (traffic only to 127.0.0.1): 401 without the token, served with it."""
    port, token = banner_of(serve("--host", "0.0.0.0", "--port", "0", "--speed", "0", "--scenarios", str(SCENARIOS)))
    assert token and len(token) >= 24
    for method, path in CONTROL_ROUTES:
        status, headers, body = http(port, method, path)
        assert status == 401, (method, path)
        assert "admin token" in json.loads(body)["error"]["message"] and headers["WWW-Authenticate"].startswith("Bearer")
        assert http(port, method, path, {"Authorization": "Bearer wrong"})[0] == 401
    assert http(port, "GET", "/_mock/journal", {"Authorization": f"Bearer {token}"})[0] == 200
    assert http(port, "POST", "/_mock/reload", {"X-Mock-Admin-Token": token})[0] == 200
    assert http(port, "GET", f"/_mock/sessions?mock_admin_token={token}")[0] == 200  # for EventSource and WebSocket clients
    assert http(port, "GET", "/_mock/health")[0] == 200  # read-only health stays open
    chat = json.dumps({"model": "hello", "messages": HI, "stream": False}).encode()
    status, headers, _ = http(port, "POST", CHAT, {"Content-Type": "application/json", "Origin": "http://app.example"}, chat)
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "http://app.example"  # model routes stay open


def test_the_playground_opens_off_loopback_and_its_api_calls_carry_the_token(serve: Callable[..., ServeProcess]) -> None:
    """The page and its files load without a token; the banner's page link carries it for the page's own calls."""
    process = serve("--host", "0.0.0.0", "--port", "0", "--admin-token", "page-token", "--scenarios", str(SCENARIOS))
    lines = process.read_banner()
    port = int(lines[1].split(":")[-1].removesuffix("/v1"))
    assert any(line.strip().startswith("page:") and line.split()[1].endswith("/_mock/ui/#token=page-token") for line in lines), lines
    for path in ("/_mock/ui/", "/_mock/ui/app.js", "/_mock/ui/dom.js"):
        assert http(port, "GET", path)[0] == 200, path
    page_js = http(port, "GET", "/_mock/ui/dom.js")[2].decode()
    assert "X-Mock-Admin-Token" in page_js and "location.hash" in page_js
    assert http(port, "GET", "/_mock/metrics")[0] == 200  # scrapers and probes need no token
    assert http(port, "GET", "/_mock/overrides")[0] == 401
    assert http(port, "GET", "/_mock/overrides", {"X-Mock-Admin-Token": "page-token"})[0] == 200


def test_a_given_token_and_admin_open(serve: Callable[..., ServeProcess]) -> None:
    port, token = banner_of(serve("--host", "0.0.0.0", "--port", "0", "--admin-token", "given-token", "--scenarios", str(SCENARIOS)))
    assert token == "given-token"
    assert http(port, "GET", "/_mock/journal", {"Authorization": "Bearer given-token"})[0] == 200
    assert http(port, "GET", "/_mock/journal")[0] == 401
    process = serve("--host", "0.0.0.0", "--port", "0", "--admin-open", "--scenarios", str(SCENARIOS))
    lines = process.read_banner()
    assert any("OPEN to anyone" in line for line in lines)
    assert http(int(lines[1].split(":")[-1].removesuffix("/v1")), "GET", "/_mock/journal")[0] == 200


def test_loopback_needs_no_token_unless_one_is_given() -> None:
    assert with_admin_token(ServerConfig(host="127.0.0.1")).admin_token is None
    assert with_admin_token(ServerConfig(host="::1")).admin_token is None
    assert with_admin_token(ServerConfig(host="0.0.0.0")).admin_token
    assert with_admin_token(ServerConfig(host="0.0.0.0", admin_open=True)).admin_token is None
    assert AdminAccess.of(ServerConfig(host="127.0.0.1", admin_token="t")).token == "t"
    assert [is_loopback(h) for h in ("localhost", "127.0.0.2", "[::1]", "0.0.0.0", "192.168.1.5", "::")] == [True, True, True, False, False, False]
    assert ("GET", "/_mock/health") in OPEN_ROUTES


@pytest.fixture
async def client(aiohttp_client: Any) -> Client:
    return await aiohttp_client(create_app(ServerConfig(scenarios=SCENARIOS, speed=0, seed=1)))


@pytest.mark.parametrize("host", ["evil.example", "evil.example:80", "127.0.0.1.nip.io", "[2001:db8::1]:8000"])
async def test_host_allow_list_guards_admin_routes_on_loopback(client: Client, host: str) -> None:
    """DNS rebinding: a page on evil.example resolved to 127.0.0.1 sends `Host: evil.example`."""
    response = await client.get("/_mock/journal", headers={"Host": host})
    assert response.status == 403 and "DNS-rebinding" in (await response.json())["error"]["message"]
    assert (await client.post(CHAT, json={"model": "hello", "messages": HI}, headers={"Host": host})).status == 200
    assert (await client.get("/_mock/health", headers={"Host": host})).status == 200


@pytest.mark.parametrize("host", ["localhost", "localhost:8000", "127.0.0.1:9", "[::1]:8000", "app.localhost:3000"])
async def test_loopback_host_names_pass(client: Client, host: str) -> None:
    assert (await client.get("/_mock/journal", headers={"Host": host})).status == 200


async def test_admin_cors_is_same_origin_only(client: Client) -> None:
    host = f"127.0.0.1:{client.port}"
    own = await client.get("/_mock/journal", headers={"Origin": f"http://{host}", "Host": host})
    assert own.status == 200 and own.headers["Access-Control-Allow-Origin"] == f"http://{host}"
    other = await client.get("/_mock/journal", headers={"Origin": "http://evil.example"})
    assert other.status == 403 and "Access-Control-Allow-Origin" not in other.headers
    forged = await client.post("/_mock/reload", headers={"Origin": "null"})  # a sandboxed page or a form post
    assert forged.status == 403
    preflight = await client.options("/_mock/journal", headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "DELETE"})
    assert "Access-Control-Allow-Origin" not in preflight.headers
    model = await client.options(CHAT, headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"})
    assert model.headers["Access-Control-Allow-Origin"] == "http://evil.example"


async def test_create_app_off_loopback_makes_a_token(aiohttp_client: Any) -> None:
    app = create_app(ServerConfig(scenarios=SCENARIOS, host="0.0.0.0"))
    token = app[STATE].config.admin_token
    client = await aiohttp_client(app)
    assert token and (await client.get("/_mock/scenarios")).status == 401
    assert (await client.get("/_mock/scenarios", headers={"Authorization": f"bearer {token}"})).status == 200
