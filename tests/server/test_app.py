"""The app in-process over a real socket: headers, CORS, bad input, models and the admin routes."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any, Awaitable, Callable

import pytest
from aiohttp.test_utils import TestClient
from conftest import SCENARIOS

from mockllm.scenarios.loading import load_catalog
from mockllm.scenarios.steps import Step
from mockllm.server.app import create_app
from mockllm.server.config import ServerConfig
from mockllm.server.state import STATE

Client = TestClient[Any, Any]
MakeClient = Callable[..., Awaitable[Client]]
HI = [{"role": "user", "content": "你好"}]
CHAT = "/v1/chat/completions"


@pytest.fixture
def make_client(aiohttp_client: Any) -> MakeClient:
    """Start the app with `ServerConfig(**changes)` (shipped scenarios, speed 0, seed 1 by default)."""

    async def start(**changes: Any) -> Client:
        config = ServerConfig(**{"scenarios": SCENARIOS, "speed": 0, "seed": 1, **changes})
        return await aiohttp_client(create_app(config))

    return start


@pytest.fixture
async def client(make_client: MakeClient) -> Client:
    return await make_client()


def scenario_file(folder: Path, name: str, steps: str = "  - say: hi\n", extra: str = "") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.yaml").write_text(f"schema: 1\nname: {name}\ndescription: d\n{extra}steps:\n{steps}", encoding="utf-8")


async def error_json(response: Any, status: int) -> dict[str, Any]:
    """Assert an OpenAI-shaped JSON error with `status`; return its `error` object."""
    assert response.status == status, await response.text()
    assert response.content_type == "application/json"
    body = await response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"message", "type", "param", "code"}
    return body["error"]


# --- streamed responses ------------------------------------------------------------------------


async def test_stream_headers(client: Client) -> None:
    response = await client.post(CHAT, json={"model": "hello", "messages": HI, "stream": True}, headers={"Accept-Encoding": "gzip, br"})
    assert response.status == 200
    headers = response.headers
    assert headers["Content-Type"] == "text/event-stream; charset=utf-8"
    assert headers["Cache-Control"] == "no-cache"
    assert headers["X-Accel-Buffering"] == "no"
    assert headers["Transfer-Encoding"] == "chunked"
    assert "Content-Encoding" not in headers and "Content-Length" not in headers
    assert (headers["X-Mock-Scenario"], headers["X-Mock-Seed"]) == ("hello", "1")
    assert headers["openai-version"] == "2020-10-01" and headers["x-request-id"].startswith("req_")
    body = await response.read()
    assert body.startswith(b"data: {") and body.endswith(b"data: [DONE]\n\n")


async def test_whole_response_headers(client: Client) -> None:
    response = await client.post(CHAT, json={"model": "hello", "messages": HI})
    assert response.status == 200
    assert response.content_type == "application/json"
    assert int(response.headers["Content-Length"]) == len(await response.read())
    assert (response.headers["X-Mock-Scenario"], response.headers["X-Mock-Seed"]) == ("hello", "1")
    body = await response.json()
    assert body["object"] == "chat.completion" and body["choices"][0]["message"]["content"].startswith("你好！")


async def test_seed_override_is_echoed_and_replays(client: Client) -> None:
    ask: dict[str, Any] = {"json": {"messages": HI, "stream": True}, "headers": {"X-Mock-Seed": "77", "X-Mock-Scenario": "default"}}
    first, second = await client.post(CHAT, **ask), await client.post(CHAT, **ask)
    assert first.headers["X-Mock-Seed"] == "77"
    assert await first.read() == await second.read()


async def test_server_without_seed_sends_a_fresh_one(make_client: MakeClient) -> None:
    client = await make_client(seed=None)
    seeds = {(await client.post(CHAT, json={"model": "hello", "messages": HI})).headers["X-Mock-Seed"] for _ in range(3)}
    assert len(seeds) == 3 and all(s.isdigit() for s in seeds)


@pytest.mark.parametrize(
    "how",
    [
        pytest.param({"headers": {"X-Mock-Scenario": "echo"}}, id="header"),
        pytest.param({"params": {"scenario": "echo"}}, id="query"),
        pytest.param({"params": {"mock_scenario": "echo"}}, id="query-mock_scenario"),
        pytest.param({"body": {"mock_scenario": "echo"}}, id="body"),
        pytest.param({"body": {"model": "echo"}}, id="model"),
    ],
)
async def test_scenario_selected_per_request(client: Client, how: dict[str, Any]) -> None:
    body = {"messages": [{"role": "user", "content": "回声 echo"}], **how.get("body", {})}
    response = await client.post(CHAT, json=body, headers=how.get("headers"), params=how.get("params"))
    assert response.headers["X-Mock-Scenario"] == "echo"
    assert (await response.json())["choices"][0]["message"]["content"] == "回声 echo"


async def test_unknown_scenario_is_404_pointing_to_the_names(client: Client) -> None:
    response = await client.post(CHAT, json={"messages": HI}, headers={"X-Mock-Scenario": "nope"})
    error = await error_json(response, 404)
    names = load_catalog(SCENARIOS).names
    assert error["message"] == f"Unknown scenario 'nope' (from header X-Mock-Scenario). GET /_mock/scenarios lists the {len(names)} known scenarios."
    assert error["code"] == "scenario_not_found"


async def test_delay_override_and_speed_override(client: Client) -> None:
    response = await client.post(CHAT, json={"model": "hello", "messages": HI}, headers={"X-Mock-Delay-Ms": "0", "X-Mock-Speed": "0"})
    assert response.status == 200


async def test_error_scenarios_on_the_wire(make_client: MakeClient, tmp_path: Path) -> None:
    error = '  - error: {message: "余额不足", status: 402, code: 101, headers: {Retry-After: "2"}, delivery: %s}\n'
    for delivery in ("auto", "chunked", "length", "in_band"):
        scenario_file(tmp_path, f"err-{delivery.replace('_', '-')}", error % delivery)
    scenario_file(tmp_path, "late-error", "  - say: 好\n" + error % "auto")
    scenario_file(tmp_path, "default")
    client = await make_client(scenarios=tmp_path)
    expected_body = {"error": {"message": "余额不足", "type": "invalid_request_error", "param": None, "code": 101}}

    for name, transfer in (("err-auto", None), ("err-length", None), ("err-chunked", "chunked")):
        response = await client.post(CHAT, json={"model": name, "messages": HI, "stream": True})
        assert response.status == 402
        assert response.headers["Retry-After"] == "2" and response.headers["X-Mock-Scenario"] == name
        assert response.headers.get("Transfer-Encoding") == transfer
        assert ("Content-Length" in response.headers) is (transfer is None)
        assert await response.json() == expected_body

    in_band = await client.post(CHAT, json={"model": "err-in-band", "messages": HI, "stream": True})
    assert in_band.status == 200
    assert await in_band.read() == 'data: {"error":{"message":"余额不足","type":"invalid_request_error","param":null,"code":101}}\n\n'.encode()

    late = await client.post(CHAT, json={"model": "late-error", "messages": HI, "stream": True})
    assert late.status == 200
    frames = (await late.read()).decode().split("\n\n")
    assert frames[-2] == 'data: {"error":{"message":"余额不足","type":"invalid_request_error","param":null,"code":101}}'
    assert "[DONE]" not in frames[-1] and frames[-1] == ""


# --- CORS --------------------------------------------------------------------------------------


async def test_cors_headers_on_a_stream(client: Client) -> None:
    origin = "http://localhost:5173"
    response = await client.post(CHAT, json={"model": "hello", "messages": HI, "stream": True}, headers={"Origin": origin})
    assert response.headers["Access-Control-Allow-Origin"] == origin
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert response.headers["Vary"] == "Origin"
    exposed = {h.strip() for h in response.headers["Access-Control-Expose-Headers"].split(",")}
    assert {"X-Mock-Scenario", "X-Mock-Seed", "X-Mock-Session", "X-Mock-Attempt", "x-should-retry", "x-ratelimit-remaining-requests"} <= exposed


async def test_cors_preflight(client: Client) -> None:
    response = await client.options(
        CHAT,
        headers={
            "Origin": "http://example.test",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, authorization, x-mock-scenario",
        },
    )
    assert response.status == 204
    assert response.headers["Access-Control-Allow-Origin"] == "http://example.test"
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert response.headers["Access-Control-Allow-Headers"] == "content-type, authorization, x-mock-scenario"
    assert response.headers["Access-Control-Max-Age"] == "86400"


async def test_cors_on_errors(client: Client) -> None:
    response = await client.post(CHAT, data=b"{", headers={"Origin": "http://example.test"})
    assert response.status == 400
    assert response.headers["Access-Control-Allow-Origin"] == "http://example.test"


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "request_kwargs, status, message",
    [
        pytest.param({"data": b"{not json"}, 400, "We could not parse the JSON body of your request (Expecting property name enclosed in double quotes at line 1 column 2). Send a JSON object with Content-Type: application/json.", id="invalid-json"),
        pytest.param({"data": b""}, 400, "We could not parse the JSON body of your request (the body is empty). Send a JSON object with Content-Type: application/json.", id="empty-body"),
        pytest.param({"data": b"{\"a\": \"\xe4\"}"}, 400, "We could not parse the JSON body of your request (the body is not UTF-8). Send a JSON object with Content-Type: application/json.", id="not-utf8"),
        pytest.param({"data": b"[" * 100_000 + b"]" * 100_000}, 400, "We could not parse the JSON body of your request (it nests arrays or objects too deeply). Send a JSON object with Content-Type: application/json.", id="too-deep"),
        pytest.param({"json": {"model": "hello"}}, 400, "'messages' must be a non-empty array of message objects.", id="missing-messages"),
        pytest.param({"json": {"messages": {"role": "user"}}}, 400, "'messages' must be a non-empty array of message objects.", id="messages-object"),
        pytest.param({"json": {"messages": [{"role": "user", "content": 1}]}}, 400, "'messages[0].content' must be a string or an array of content parts.", id="content-number"),
        pytest.param({"json": {"messages": HI, "stream_options": {"include_usage": True}}}, 400, "The 'stream_options' parameter is only allowed when 'stream' is enabled.", id="stream-options-without-stream"),
        pytest.param({"json": {"messages": HI, "n": 2}}, 400, "mockllm answers with one choice; 'n' must be 1.", id="n-2"),
        pytest.param({"json": {"messages": HI}, "headers": {"X-Mock-Speed": "fast"}}, 400, "X-Mock-Speed (or ?mock_speed=) must be a number >= 0; got 'fast'.", id="bad-speed"),
        pytest.param({"json": {"messages": HI}, "params": {"mock_seed": "-1"}}, 400, "X-Mock-Seed (or ?mock_seed=) must be a whole number >= 0; got '-1'.", id="bad-seed-query"),
    ],
)
async def test_bad_chat_requests(client: Client, request_kwargs: dict[str, Any], status: int, message: str) -> None:
    error = await error_json(await client.post(CHAT, **request_kwargs), status)
    assert error["message"] == message and error["type"] == "invalid_request_error"


async def test_oversize_body_is_413(make_client: MakeClient) -> None:
    client = await make_client(max_body_bytes=1000)
    error = await error_json(await client.post(CHAT, json={"messages": [{"role": "user", "content": "x" * 2000}]}), 413)
    assert error["message"] == "Request body too large: Maximum request body size 1000 exceeded."
    assert "1000" in error["message"]


async def test_wrong_method_is_405(client: Client) -> None:
    error = await error_json(await client.put(CHAT), 405)
    assert error["message"] == "Method PUT is not allowed on /v1/chat/completions; use GET, POST."


async def test_unknown_route_is_404(client: Client) -> None:
    error = await error_json(await client.post("/v1/nope", json={}), 404)
    assert error["message"] == "No route POST /v1/nope. See GET /_mock/routes for what this server answers."


async def test_bad_input_is_journaled_with_its_status(client: Client) -> None:
    await client.post(CHAT, data=b"{", headers={"Authorization": "Bearer sk-secret"})
    (entry,) = await (await client.get("/_mock/journal")).json()
    assert (entry["status"], entry["body"], entry["scenario"]) == (400, "{", None)
    assert entry["headers"]["Authorization"] == "<redacted>"


# --- models and admin --------------------------------------------------------------------------


async def test_models_list_one_per_scenario(client: Client) -> None:
    body = await (await client.get("/v1/models")).json()
    names = load_catalog(SCENARIOS).names
    assert body["object"] == "list"
    assert [m["id"] for m in body["data"]] == names
    assert all(m == {"id": m["id"], "object": "model", "created": 1735689600, "owned_by": "mockllm"} for m in body["data"])


async def test_model_by_id(client: Client) -> None:
    assert (await (await client.get("/v1/models/hello")).json())["id"] == "hello"
    error = await error_json(await client.get("/v1/models/gpt-9"), 404)
    assert "The model 'gpt-9' does not exist" in error["message"]


async def test_health(client: Client) -> None:
    body = await (await client.get("/_mock/health")).json()
    assert body.pop("tasks") >= 1
    assert body == {"status": "ok", "scenarios": len(load_catalog(SCENARIOS).names), "open_streams": 0}


async def test_scenarios_listing(make_client: MakeClient, tmp_path: Path) -> None:
    scenario_file(tmp_path, "default")
    scenario_file(tmp_path, "matched", extra='match: {message: "充值", path: "^/v1/"}\n')
    client = await make_client(scenarios=tmp_path)
    listed = await (await client.get("/_mock/scenarios")).json()
    assert [{k: s[k] for k in ("name", "description", "origin", "file", "match")} for s in listed] == [
        {"name": "default", "description": "d", "origin": "file", "file": str(tmp_path / "default.yaml"), "match": None},
        {"name": "matched", "description": "d", "origin": "file", "file": str(tmp_path / "matched.yaml"), "match": {"message": "充值", "path": "^/v1/"}},
    ]


async def test_journal_records_requests_and_clears(client: Client) -> None:
    body = {"model": "hello", "messages": HI, "stream": True}
    await (await client.post(CHAT, json=body, headers={"Authorization": "Bearer sk-secret", "X-Api-Key": "k", "X-Mock-Seed": "5"})).read()
    await (await client.post(CHAT, json={"model": "echo", "messages": HI}, params={"a": "b"})).read()
    entries = await (await client.get("/_mock/journal")).json()
    assert [e["id"] for e in entries] == [1, 2]
    first = entries[0]
    assert (first["method"], first["path"], first["body"], first["scenario"], first["seed"], first["status"]) == ("POST", CHAT, body, "hello", 5, 200)
    assert (first["stream"], first["ended"]) == (True, "complete")
    assert first["writes"] > 2 and first["bytes"] > 0
    assert first["headers"]["Authorization"] == "<redacted>" and first["headers"]["X-Api-Key"] == "<redacted>"
    assert "sk-secret" not in json.dumps(entries)
    assert entries[1]["query"] == {"a": "b"} and entries[1]["stream"] is False

    assert [e["scenario"] for e in await (await client.get("/_mock/journal", params={"scenario": "echo"})).json()] == ["echo"]
    assert [e["id"] for e in await (await client.get("/_mock/journal", params={"limit": "1"})).json()] == [2]
    assert (await error_json(await client.get("/_mock/journal", params={"limit": "x"}), 400))["message"] == "?limit= must be a whole number; got 'x'."

    assert await (await client.delete("/_mock/journal")).json() == {"cleared": 2}
    assert await (await client.get("/_mock/journal")).json() == []


async def test_journal_keeps_only_the_head_of_a_large_body(client: Client) -> None:
    body = json.dumps({"model": "echo", "messages": [{"role": "user", "content": "长" * 40_000}]})
    await (await client.post(CHAT, data=body.encode(), headers={"Content-Type": "application/json"})).read()
    (entry,) = await (await client.get("/_mock/journal")).json()
    assert entry["status"] == 200
    assert entry["body"] == body.encode()[: 64 * 1024].decode("utf-8", "replace")


async def test_reload(make_client: MakeClient, tmp_path: Path) -> None:
    scenario_file(tmp_path, "default")
    client = await make_client(scenarios=tmp_path)
    scenario_file(tmp_path, "added", "  - say: new\n")
    response = await client.post("/_mock/reload")
    assert (response.status, await response.json()) == (200, {"reloaded": True, "scenarios": ["added", "default"]})
    assert (await (await client.post(CHAT, json={"model": "added", "messages": HI})).json())["choices"][0]["message"]["content"] == "new"

    (tmp_path / "broken.yaml").write_text("schema: 1\nname: broken\ndescription: d\nsteps:\n  - shout: x\n", encoding="utf-8")
    response = await client.post("/_mock/reload")
    assert response.status == 422
    assert await response.json() == {
        "reloaded": False,
        "problems": [f"{tmp_path}/broken.yaml:5: steps[0].shout: unknown key 'shout'; valid keys: {', '.join(sorted(Step.valid_keys()))}"],
    }
    assert (await client.post(CHAT, json={"model": "added", "messages": HI})).status == 200


async def test_reload_without_the_default_keeps_the_old_catalog(make_client: MakeClient, tmp_path: Path) -> None:
    scenario_file(tmp_path, "default")
    client = await make_client(scenarios=tmp_path)
    (tmp_path / "default.yaml").rename(tmp_path / "default.yaml.off")
    scenario_file(tmp_path, "other")
    response = await client.post("/_mock/reload")
    assert (response.status, await response.json()) == (422, {"reloaded": False, "problems": [
        f"{tmp_path}:1: default scenario 'default' not found; add default.yaml or pick one with --default NAME; known: other"
    ]})
    assert (await client.post(CHAT, json={"messages": HI})).headers["X-Mock-Scenario"] == "default"


async def test_routes_listing(client: Client) -> None:
    routes = await (await client.get("/_mock/routes")).json()
    assert {"POST /v1/chat/completions", "GET /v1/models", "GET /_mock/health", "POST /_mock/reload"} <= set(routes)


# --- a client that goes away -------------------------------------------------------------------


async def test_client_leaving_mid_stream_is_journaled_and_leaves_no_task(live_server: Any, tmp_path: Path) -> None:
    scenario_file(tmp_path, "default")
    scenario_file(tmp_path, "slow", "  - say: {faker: words, locale: en_US, count: 500}\n", "stream: {unit: word, delay_ms: 20, first_token_ms: 0}\n")
    server = live_server(speed=1, scenarios=tmp_path)
    body = json.dumps({"model": "slow", "stream": True, "messages": HI}).encode()
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    await writer.drain()
    received = b""
    while received.count(b"data: ") < 3:
        received += await asyncio.wait_for(reader.read(4096), 10)
    assert received.startswith(b"HTTP/1.1 200 OK\r\n")
    assert server.call(lambda: len(server.app[STATE].tasks)) == 1
    writer.close()
    await writer.wait_closed()

    await wait_until(lambda: server.call(lambda: len(server.app[STATE].tasks)) == 0)
    await wait_until(lambda: server.call(lambda: server.app[STATE].journal.entries()[-1].get("ended")) == "client went away")
    entry = server.call(lambda: server.app[STATE].journal.entries()[-1])
    assert (entry["scenario"], entry["status"]) == ("slow", 200)
    assert 3 <= entry["writes"] < 500


async def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Poll `condition` until it holds; fail after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.01)
