"""Business-code coverage: what the scenarios can send, and what one session's requests delivered, and how."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest

from mockllm.scenarios.loading import load_catalog
from mockllm.server.coverage import deliverable, delivered, error_key


@pytest.fixture
def server(live_server):
    return live_server()


async def request_json(server: Any, method: str, path: str, **options: Any) -> Any:
    """The status and the body (JSON when it is JSON, else the text) of one request read to its end."""
    async with aiohttp.ClientSession() as session, session.request(method, f"http://127.0.0.1:{server.port}{path}", **options) as response:
        text = await response.text()
        return response.status, json.loads(text) if response.content_type == "application/json" else text


def code(report: dict[str, Any], key: str) -> dict[str, Any]:
    return next(c for c in report["codes"] if c["key"] == key)


async def test_one_recharge_required_request_is_code_101_delivered_in_band_once(server: Any) -> None:
    headers = {"X-Mock-Scenario": "recharge-required", "X-Mock-Session": "s"}
    status, _ = await request_json(server, "POST", "/miniprogram/chat", json={"message": "你好"}, headers=headers)
    assert status == 200
    status, report = await request_json(server, "GET", "/_mock/coverage?session=s")
    assert status == 200
    assert code(report, "code 101")["delivered"] == {"count": 1, "in_band": 1, "http_status": 0, "websocket_close": 0, "entries": [1]}
    assert code(report, "code 101")["scenarios"] == ["recharge-required"]
    assert [c["key"] for c in report["codes"] if c["delivered"]["count"]] == ["code 101"]
    assert (report["session"], report["covered"], report["others"]) == ("s", 1, [])
    _, other = await request_json(server, "GET", "/_mock/coverage?session=t")
    assert other["covered"] == 0


async def test_an_http_status_and_a_websocket_close_are_told_apart(server: Any) -> None:
    body = {"model": "rate-limited", "messages": [{"role": "user", "content": "hi"}]}
    status, _ = await request_json(server, "POST", "/v1/chat/completions", json=body, headers={"X-Mock-Session": "h"})
    assert status == 429
    url = f"ws://127.0.0.1:{server.port}/ws/miniprogram/chat?scenario=socket-close-4001&mock_session=h"
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as socket:
        await socket.send_str("你好")
        while (await socket.receive()).type != aiohttp.WSMsgType.CLOSE:
            pass
        assert socket.close_code == 4001
    _, report = await request_json(server, "GET", "/_mock/coverage?session=h")
    assert code(report, "code rate_limit_exceeded")["delivered"]["http_status"] == 1
    assert code(report, "close 4001")["delivered"]["websocket_close"] == 1
    assert code(report, "close 4001")["message"] == "login required"


def test_every_shipped_business_code_is_listed_once_with_its_scenarios(base_config: Any) -> None:
    listed = deliverable(load_catalog(base_config.scenarios))
    keys = [item["key"] for item in listed]
    assert len(keys) == len(set(keys))
    for key in ("code -1", "code 101", "code 102", "code 0", "code 10001", "code 11000", "code 500", "code 404", "close 4001"):
        assert key in keys
    assert next(i for i in listed if i["key"] == "type server_error")["scenarios"] == ["chaos-20", "internal-server-error", "midstream-error"]


def test_keys_and_tallies() -> None:
    assert [error_key(101, None, 402), error_key(None, "server_error", 500), error_key(None, None, 503)] == ["code 101", "type server_error", "status 503"]
    entries = [
        {"id": 1, "status": 200, "errors": [{"code": 101, "type": None, "status": 402}]},
        {"id": 2, "status": 402, "errors": [{"code": 101, "type": None, "status": 402}]},
        {"id": 3, "status": 200, "errors": [], "close": {"code": 4001, "reason": "x"}},
    ]
    assert delivered(entries) == {
        "code 101": {"count": 2, "in_band": 1, "http_status": 1, "websocket_close": 0, "entries": [1, 2]},
        "close 4001": {"count": 1, "in_band": 0, "http_status": 0, "websocket_close": 1, "entries": [3]},
    }
