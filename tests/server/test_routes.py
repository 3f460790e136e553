"""App routes: `/{framing}/…`, routes maps (exact paths, scenarios, methods), and what other paths still get."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from conftest import SCENARIOS

from mockllm.scenarios.loading import load_catalog
from mockllm.scenarios.problems import ProblemsError
from mockllm.server.app import create_app
from mockllm.server.config import ServerConfig

Client = TestClient[Any, Any]
QUICK = {"X-Mock-Speed": "0", "X-Mock-Seed": "1"}
ROUTES = """schema: 1
kind: routes
routes:
  /chat: miniprogram
  /api/v2/stream: {framing: text, scenario: hello, methods: [POST]}
  /text/special: {framing: sse-json, scenario: fast}
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    shutil.copytree(SCENARIOS, tmp_path, dirs_exist_ok=True)
    (tmp_path / "routes.yaml").write_text(ROUTES, encoding="utf-8")
    return tmp_path


@pytest.fixture
async def client(folder: Path, aiohttp_client: Any) -> Client:
    return await aiohttp_client(create_app(ServerConfig(scenarios=folder, speed=0, seed=1)))


async def test_exact_path_in_its_framing(client: Client) -> None:
    response = await client.post("/chat", json={"message": "hi"}, headers={**QUICK, "X-Mock-Scenario": "fast"})
    assert response.status == 200 and (await response.text()).endswith("\r\n0\r\n\r\n")


async def test_route_scenario_unless_the_request_names_one(client: Client) -> None:
    bound = await client.post("/api/v2/stream", json={"q": "hi"}, headers=QUICK)
    assert bound.headers["X-Mock-Scenario"] == "hello" and (await bound.text()).startswith("你好！")
    for named in ({"headers": {**QUICK, "X-Mock-Scenario": "echo"}}, {"params": {"scenario": "echo"}, "headers": QUICK}):
        response = await client.post("/api/v2/stream", json={"q": "回声"}, **named)
        assert response.headers["X-Mock-Scenario"] == "echo" and await response.text() == "回声"
    body_named = await client.post("/api/v2/stream", json={"q": "回声", "mock_scenario": "echo"}, headers=QUICK)
    assert await body_named.text() == "回声"


async def test_route_methods(client: Client) -> None:
    response = await client.get("/api/v2/stream", params={"q": "hi"})
    assert response.status == 405 and (await response.json())["error"]["message"] == "Method GET is not allowed on /api/v2/stream; use POST."


async def test_routes_map_wins_over_the_framing_prefix(client: Client) -> None:
    response = await client.get("/text/special", params={"q": "hi"}, headers=QUICK)
    assert response.headers["X-Mock-Scenario"] == "fast" and (await response.text()).endswith("data: [DONE]\n\n")


@pytest.mark.parametrize("path", ["/miniprogram", "/miniprogram/chat", "/sse-json/a/b/c.php", "/ndjson/tool/chatgpt/stream_qa"])
async def test_framing_prefix_takes_any_tail(client: Client, path: str) -> None:
    response = await client.get(path, params={"q": "hi", "scenario": "fast"}, headers=QUICK)
    assert response.status == 200 and response.headers["X-Mock-Scenario"] == "fast"


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
async def test_other_methods_on_a_framing_are_405(client: Client, method: str) -> None:
    response = await client.request(method, "/miniprogram/chat")
    assert response.status == 405 and "use GET, POST" in (await response.json())["error"]["message"]


async def test_unknown_framing_lists_the_known_ones(client: Client) -> None:
    response = await client.post("/miniprgram/chat", json={"q": "hi"})
    message = (await response.json())["error"]["message"]
    assert response.status == 404
    assert message == (
        "No route POST /miniprgram/chat. See GET /_mock/routes for what this server answers. "
        "App streams are served at /{framing}/{any/path} with a framing of: ai-sdk, miniprogram, ndjson, sse-json, text; "
        "or at a path of a routes map."
    )


async def test_provider_and_admin_routes_keep_working(client: Client) -> None:
    chat = await client.post("/v1/chat/completions", json={"model": "fast", "messages": [{"role": "user", "content": "hi"}]})
    assert chat.status == 200 and (await chat.json())["object"] == "chat.completion"
    assert (await client.get("/_mock/health")).status == 200 and (await client.get("/v1/models")).status == 200
    assert (await client.put("/v1/chat/completions")).status == 405
    assert (await client.put("/_mock/journal")).status == 405
    plain = await (await client.post("/v1/nope", json={})).json()
    assert plain["error"]["message"] == "No route POST /v1/nope. See GET /_mock/routes for what this server answers."
    assert (await client.options("/miniprogram/chat", headers={"Origin": "http://x", "Access-Control-Request-Method": "POST"})).status == 204


async def test_app_requests_are_journaled(client: Client) -> None:
    await (await client.post("/chat", json={"message": "你好"}, headers={**QUICK, "X-Mock-Scenario": "fast"})).read()
    [entry] = await (await client.get("/_mock/journal", params={"path": "/chat"})).json()
    assert entry["scenario"] == "fast" and entry["body"] == {"message": "你好"} and entry["status"] == 200


async def test_reload_picks_up_new_framings_and_routes(client: Client, folder: Path) -> None:
    assert (await client.get("/acme/x", params={"q": "hi"})).status == 404
    (folder / "acme.yaml").write_text("kind: framing\nname: acme\nframe: '<{text}>'\nline_ending: ''\n", encoding="utf-8")
    (folder / "routes.yaml").write_text(ROUTES + "  /legacy/ask.php: acme\n", encoding="utf-8")
    assert (await (await client.post("/_mock/reload")).json())["reloaded"] is True
    for path in ("/acme/x", "/legacy/ask.php"):
        response = await client.get(path, params={"q": "hi", "scenario": "echo"}, headers=QUICK)
        assert await response.text() == "<h><i>"


BROKEN = {
    "unknown-framing": ("routes:\n  /chat: minprogram\n", "r.yaml:4: routes./chat: unknown framing 'minprogram'; known: ai-sdk, miniprogram, ndjson, sse-json, text"),
    "unknown-framing-long": ("routes:\n  /chat: {framing: acme}\n", "r.yaml:4: routes./chat.framing: unknown framing 'acme'; known: ai-sdk, miniprogram, ndjson, sse-json, text"),
    "unknown-scenario": ("routes:\n  /chat:\n    framing: text\n    scenario: nope\n", "r.yaml:6: routes./chat.scenario: unknown scenario 'nope'; known: "),
    "relative-path": ("routes:\n  chat: text\n", "r.yaml:4: routes.chat: a route path starts with '/'; got 'chat'"),
    "bad-method": ("routes:\n  /chat: {framing: text, methods: [PUT]}\n", "r.yaml:4: routes./chat.methods[0]: input should be 'GET' or 'POST'"),
    "unknown-key": ("routes:\n  /chat: {framing: text, scenaro: hello}\n", "r.yaml:4: routes./chat.scenaro: unknown key 'scenaro'; did you mean 'scenario'? valid keys: framing, methods, scenario"),
    "empty": ("routes: {}\n", "r.yaml:3: routes: dictionary should have at least 1 item after validation, not 0"),
}


@pytest.mark.parametrize("name", BROKEN)
def test_broken_routes_map(tmp_path: Path, name: str) -> None:
    shutil.copytree(SCENARIOS, tmp_path, dirs_exist_ok=True)
    text, expected = BROKEN[name]
    (tmp_path / "r.yaml").write_text("schema: 1\nkind: routes\n" + text, encoding="utf-8")
    with pytest.raises(ProblemsError) as caught:
        load_catalog(tmp_path)
    [problem] = [str(p).replace(str(tmp_path) + "/", "") for p in caught.value.problems]
    assert problem.startswith(expected)


def test_a_path_is_routed_once(tmp_path: Path) -> None:
    shutil.copytree(SCENARIOS, tmp_path, dirs_exist_ok=True)
    for file in ("a.yaml", "b.yaml"):
        (tmp_path / file).write_text("schema: 1\nkind: routes\nroutes:\n  /chat: text\n", encoding="utf-8")
    with pytest.raises(ProblemsError) as caught:
        load_catalog(tmp_path)
    assert [str(p).replace(str(tmp_path) + "/", "") for p in caught.value.problems] == ["b.yaml:4: routes./chat: path '/chat' is already routed in a.yaml"]
