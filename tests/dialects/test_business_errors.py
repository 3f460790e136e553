"""Business errors over a real socket: codes 101 and -1 in each delivery mode, as a mini-program client reads them."""

from __future__ import annotations

import json
import shutil
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from conftest import SCENARIOS, shipped_catalog

#: shipped business-error scenario → (code, msg, HTTP status)
SHIPPED = {
    "login-required": (-1, "请先登录", 401),
    "recharge-required": (101, "余额不足，请充值后再试", 402),
    "quota-exhausted": (102, "今日免费次数已用完，开通会员可继续使用", 429),
    "generic-failure": (0, "请求失败，请稍后重试", 400),
    "invalid-params": (10001, "参数错误：message 不能为空", 400),
    "content-blocked": (11000, "内容包含敏感信息，已停止生成", 400),
    "server-error": (500, "服务器繁忙，请稍后再试", 500),
    "not-found": (404, "会话不存在或已删除", 404),
}


@dataclass
class RawResponse:
    """One HTTP/1.1 response as it came off the socket."""

    status_line: str
    headers: dict[str, str]
    raw_body: bytes
    body: bytes = b""
    chunks: list[bytes] = field(default_factory=list)

    @property
    def status(self) -> int:
        return int(self.status_line.split()[1])


def raw_request(port: int, method: str, target: str, body: bytes = b"", headers: dict[str, str] | None = None) -> RawResponse:
    """Send one request on a fresh connection and read the response to EOF; de-chunk a chunked body."""
    head = [f"{method} {target} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close", f"Content-Length: {len(body)}"]
    head += [f"{k}: {v}" for k, v in (headers or {}).items()]
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head_bytes, raw_body = data.split(b"\r\n\r\n", 1)
    status_line, *header_lines = head_bytes.decode("latin-1").split("\r\n")
    response = RawResponse(status_line, {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in header_lines)}, raw_body)
    if response.headers.get("transfer-encoding") == "chunked":
        response.chunks = dechunk(raw_body)
        response.body = b"".join(response.chunks)
    else:
        response.body = raw_body
    return response


def dechunk(raw: bytes) -> list[bytes]:
    """The chunks of a chunked body; asserts it ends with the zero-size chunk."""
    chunks = []
    while True:
        size_line, raw = raw.split(b"\r\n", 1)
        size = int(size_line, 16)
        if size == 0:
            assert raw == b"\r\n", "a chunked body ends with 0\\r\\n\\r\\n"
            return chunks
        chunks.append(raw[:size])
        assert raw[size : size + 2] == b"\r\n"
        raw = raw[size + 2 :]


def miniprogram_events(status: int, body: bytes) -> list[tuple[Any, ...]]:
    """What a mini-program client acts on: ('text', t), ('error', code, msg), ('done',); an HTTP error's JSON body is an error."""
    if not 200 <= status < 300:
        error = json.loads(body)
        return [("error", error["code"], error["msg"])]
    events: list[tuple[Any, ...]] = []
    lines = body.decode("utf-8").split("\r\n")
    for i, line in enumerate(lines):
        if line.startswith("success: "):
            events.append(("text", json.loads(line[len("success: ") :])["content"]))
        elif line.startswith("event: error\ndata: "):
            error = json.loads(line.split("data: ", 1)[1])
            events.append(("error", error["code"], error["msg"]))
        elif line == "0" and lines[i + 1 : i + 3] == ["", ""]:
            events.append(("done",))
            break
    return events


@pytest.fixture
def server(live_server: Any) -> Any:
    return live_server()


def ask(server: Any, scenario: str, delivery: str | None = None, framing: str = "miniprogram", **body: Any) -> RawResponse:
    headers = {"Content-Type": "application/json", "X-Mock-Scenario": scenario}
    if delivery:
        headers["X-Mock-Delivery"] = delivery
    payload = json.dumps({"message": "你好", **body}, ensure_ascii=False).encode()
    return raw_request(server.port, "POST", f"/{framing}/chat", payload, headers)


@pytest.mark.parametrize("scenario", ["recharge-required", "login-required"])
def test_in_band_is_a_200_stream_with_an_error_frame_and_the_end_marker(server: Any, scenario: str) -> None:
    code, msg, _ = SHIPPED[scenario]
    response = ask(server, scenario, "in_band")
    assert response.status_line == "HTTP/1.1 200 OK"
    assert response.headers["transfer-encoding"] == "chunked" and "content-length" not in response.headers
    assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
    frame = "event: error\ndata: " + json.dumps({"code": code, "msg": msg}, ensure_ascii=False, separators=(",", ":")) + "\r\n"
    assert response.body == frame.encode() + b"0\r\n\r\n"
    assert miniprogram_events(response.status, response.body) == [("error", code, msg), ("done",)]


@pytest.mark.parametrize("scenario", ["recharge-required", "login-required"])
def test_auto_is_in_band_on_app_routes(server: Any, scenario: str) -> None:
    assert ask(server, scenario).body == ask(server, scenario, "in_band").body


@pytest.mark.parametrize("scenario", ["recharge-required", "login-required"])
def test_chunked_is_an_http_error_with_a_chunked_json_body(server: Any, scenario: str) -> None:
    code, msg, status = SHIPPED[scenario]
    response = ask(server, scenario, "chunked")
    assert response.status == status and response.status_line.startswith(f"HTTP/1.1 {status} ")
    assert response.headers["transfer-encoding"] == "chunked" and "content-length" not in response.headers
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert json.loads(response.body) == {"code": code, "msg": msg}
    assert miniprogram_events(response.status, response.body) == [("error", code, msg)]


@pytest.mark.parametrize("scenario", ["recharge-required", "login-required"])
def test_length_is_an_http_error_with_content_length(server: Any, scenario: str) -> None:
    code, msg, status = SHIPPED[scenario]
    response = ask(server, scenario, "length")
    assert response.status == status and "transfer-encoding" not in response.headers
    assert int(response.headers["content-length"]) == len(response.raw_body) == len(response.body)
    assert json.loads(response.body) == {"code": code, "msg": msg}
    assert miniprogram_events(response.status, response.body) == [("error", code, msg)]


def test_delivery_chosen_in_the_scenario_file(live_server: Any, tmp_path: Path) -> None:
    shutil.copytree(SCENARIOS, tmp_path, dirs_exist_ok=True)
    (tmp_path / "pay.yaml").write_text(
        "schema: 1\nname: pay\ndescription: d\nsteps:\n  - error: {code: 101, msg: 余额不足, status: 402, delivery: length}\n", encoding="utf-8"
    )
    response = ask(live_server(scenarios=tmp_path), "pay")
    assert response.status == 402 and response.headers["content-length"] == str(len(response.body))
    assert response.body == '{"code":101,"msg":"余额不足"}'.encode()


def test_error_after_text_stays_in_band_whatever_the_delivery(server: Any) -> None:
    response = ask(server, "content-blocked", "length")
    events = miniprogram_events(response.status, response.body)
    assert response.status == 200 and events[0][0] == "text" and events[-2:] == [("error", 11000, SHIPPED["content-blocked"][1]), ("done",)]


@pytest.mark.parametrize("delivery, status", [("in_band", 200), ("length", 402)])
def test_whole_answer_errors(server: Any, delivery: str, status: int) -> None:
    response = ask(server, "recharge-required", delivery, stream=False)
    assert response.status == status and "content-length" in response.headers
    assert json.loads(response.body) == {"code": 101, "msg": SHIPPED["recharge-required"][1]}


@pytest.mark.parametrize(
    "framing, expected",
    [
        ("text", '\n{"code":101,"msg":"余额不足，请充值后再试"}'),
        ("sse-json", 'event: error\ndata: {"code":101,"msg":"余额不足，请充值后再试"}\n\ndata: [DONE]\n\n'),
        ("ndjson", '{"error":{"message":"余额不足，请充值后再试","type":"invalid_request_error","param":null,"code":101}}\n'),
    ],
)
def test_in_band_in_the_other_framings(server: Any, framing: str, expected: str) -> None:
    response = ask(server, "recharge-required", framing=framing)
    assert response.status == 200 and response.body.decode() == expected


def test_openai_route_keeps_auto_as_an_http_error(server: Any) -> None:
    body = json.dumps({"model": "recharge-required", "messages": [{"role": "user", "content": "hi"}], "stream": True}).encode()
    response = raw_request(server.port, "POST", "/v1/chat/completions", body, {"Content-Type": "application/json"})
    assert response.status == 402 and json.loads(response.body)["error"]["code"] == 101


def test_query_string_selects_delivery_for_clients_without_headers(server: Any) -> None:
    target = "/miniprogram/chat?" + urlencode({"q": "hi", "scenario": "login-required", "mock_delivery": "length"})
    response = raw_request(server.port, "GET", target)
    assert response.status == 401 and response.body == '{"code":-1,"msg":"请先登录"}'.encode()


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_business_error_scenarios(server: Any, name: str) -> None:
    code, msg, status = SHIPPED[name]
    scenario = shipped_catalog().scenarios[name]
    error = scenario.steps[-1].error
    assert error is not None and (error.code, error.message, error.status) == (code, msg, status)
    assert "should" in scenario.description
    assert miniprogram_events(*_status_body(ask(server, name)))[-2:] == [("error", code, msg), ("done",)]


def _status_body(response: RawResponse) -> tuple[int, bytes]:
    return response.status, response.body
