"""The app request reader (JSON, form, query) and the business-error delivery rule of app framings."""

from __future__ import annotations

import json
from typing import Any

import pytest
from multidict import CIMultiDict

from mockllm.core.errors import RequestError
from mockllm.core.events import Delay, Error, Text
from mockllm.core.incoming import Incoming
from mockllm.dialects.apps.base import AppRequest, app_errors, business_code, read_app_request

HI = [{"role": "user", "content": "你好"}]


def incoming(body: Any = None, *, method: str = "POST", query: dict[str, str] | None = None, content_type: str = "", headers: dict[str, str] | None = None) -> Incoming:
    """An Incoming as the handler builds it: JSON parsed when the body is JSON."""
    raw = body if isinstance(body, bytes) else (json.dumps(body).encode() if body is not None else b"")
    try:
        parsed, error = json.loads(raw), None
    except ValueError as exc:
        parsed, error = None, str(exc) if raw.strip() else "the body is empty"
    all_headers = CIMultiDict(headers or {})
    if content_type:
        all_headers["Content-Type"] = content_type
    return Incoming(method, "/miniprogram/chat", query or {}, all_headers, raw, parsed, error)


@pytest.mark.parametrize(
    "body, expected",
    [
        ({"messages": [{"role": "system", "content": "s"}, *HI]}, (("system", "s"), ("user", "你好"))),
        ({"message_list": [{"role": "assistant", "content": "a"}, "你好"]}, (("assistant", "a"), ("user", "你好"))),
        ({"message": "你好"}, (("user", "你好"),)),
        ({"message": {"role": "user", "content": "你好"}}, (("user", "你好"),)),
        ({"prompt": "你好"}, (("user", "你好"),)),
        ({"q": 42}, (("user", "42"),)),
        ({"message": "", "prompt": "你好"}, (("user", "你好"),)),
        ({"question": "not a known field"}, ()),
    ],
    ids=["messages", "message_list", "message", "message-object", "prompt", "q-number", "empty-skipped", "none"],
)
def test_message_from_json_body(body: dict[str, Any], expected: tuple[tuple[str, str], ...]) -> None:
    assert read_app_request(incoming(body)).messages == expected


def test_form_fields() -> None:
    body = b"message=%E4%BD%A0%E5%A5%BD&stream=false&mock_scenario=hello"
    chat = read_app_request(incoming(body, content_type="application/x-www-form-urlencoded"))
    assert chat.messages == (("user", "你好"),) and chat.stream is False and chat.scenario == "hello"


def test_form_messages_as_json_text() -> None:
    body = "messages=" + json.dumps(HI)
    chat = read_app_request(incoming(body.encode(), content_type="application/x-www-form-urlencoded"))
    assert chat.last_user_message == "你好"


def test_get_reads_the_query_string() -> None:
    chat = read_app_request(incoming(method="GET", query={"q": "你好", "stream": "0", "model": "m"}))
    assert chat.messages == (("user", "你好"),) and chat.stream is False and chat.model == "m"


def test_body_wins_over_query() -> None:
    chat = read_app_request(incoming({"prompt": "body"}, query={"prompt": "query", "stream": "false"}))
    assert chat.last_user_message == "body" and chat.stream is False


def test_plain_text_body_is_the_prompt() -> None:
    assert read_app_request(incoming("你好".encode(), content_type="text/plain; charset=utf-8")).last_user_message == "你好"


@pytest.mark.parametrize("value, stream", [(None, True), (True, True), (False, False), ("false", False), ("0", False), ("No", False), ("true", True), ("1", True), (0, False), (1, True)])
def test_stream_flag(value: Any, stream: bool) -> None:
    body = {"q": "x"} if value is None else {"q": "x", "stream": value}
    assert read_app_request(incoming(body)).stream is stream


def test_route_scenario_unless_the_body_names_one() -> None:
    assert read_app_request(incoming({"q": "x"}), route_scenario="hello").scenario == "hello"
    assert read_app_request(incoming({"q": "x", "mock_scenario": "echo"}), route_scenario="hello").scenario == "echo"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"body": [1, 2]}, "Send a JSON object (or form fields); got a JSON list."),
        ({"body": b"{oops", "content_type": "application/json"}, "We could not parse the JSON body of your request"),
        ({"body": {"q": "x", "stream": "maybe"}}, "'stream' must be true or false; got 'maybe'."),
        ({"body": {"messages": "not json"}}, "'messages' must be a JSON array of messages."),
        ({"body": {"messages": {"role": "user"}}}, "'messages' must be an array of messages; got dict."),
        ({"body": {"messages": [{"role": "robot", "content": "x"}]}}, "'messages[0].role' must be one of"),
        ({"body": {"prompt": True}}, "'prompt' must be a string; got bool."),
        ({"body": b"\xff\xfe", "content_type": "application/x-www-form-urlencoded"}, "The request body is not UTF-8."),
        ({"body": {"q": "x"}, "query": {"mock_delivery": "sideways"}}, "X-Mock-Delivery (or ?mock_delivery=) must be one of auto, in_band, chunked, length"),
    ],
    ids=["json-list", "bad-json", "stream-word", "messages-text", "messages-object", "bad-role", "prompt-bool", "not-utf8", "bad-delivery"],
)
def test_bad_requests_say_what_to_fix(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(RequestError) as caught:
        read_app_request(incoming(**kwargs))
    assert caught.value.error.message.startswith(message) and caught.value.error.status == 400


def test_delivery_from_header_or_query() -> None:
    assert read_app_request(incoming({"q": "x"}, headers={"X-Mock-Delivery": "length"})).delivery == "length"
    assert read_app_request(incoming({"q": "x"}, query={"mock_delivery": "chunked"})).delivery == "chunked"
    assert read_app_request(incoming({"q": "x"})).delivery is None


@pytest.mark.parametrize(
    "scenario_delivery, asked, expected",
    [("auto", None, "in_band"), ("chunked", None, "chunked"), ("length", None, "length"), ("in_band", "length", "length"), ("length", "auto", "in_band")],
    ids=["auto-is-in-band", "chunked-kept", "length-kept", "request-wins", "request-auto"],
)
def test_app_errors_delivery(scenario_delivery: str, asked: str | None, expected: str) -> None:
    events = [Delay(5), Text("a"), Error("m", delivery=scenario_delivery)]
    out = list(app_errors(events, AppRequest(messages=(), delivery=asked)))
    assert out[:2] == events[:2] and isinstance(out[2], Error) and out[2].delivery == expected


def test_business_code_falls_back_to_the_status() -> None:
    assert business_code(Error("m", status=503, code=101)) == 101
    assert business_code(Error("m", status=503, code=0)) == 0
    assert business_code(Error("m", status=503)) == 503
