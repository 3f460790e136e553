"""Provider error presets: the official openai SDK raises what it raises against the real services."""

from __future__ import annotations

import http.client
import json
from pathlib import Path
from typing import Any

import openai
import pytest
from openai import OpenAI
from pydantic import ValidationError

from mockllm.scenarios.loading import load_catalog
from mockllm.scenarios.presets import PRESETS
from mockllm.scenarios.problems import ProblemsError
from mockllm.scenarios.steps import Step
from mockllm.server.state import STATE

MESSAGES: list[Any] = [{"role": "user", "content": "你好"}]
FAST = {"X-Mock-Speed": "0", "X-Mock-Seed": "7"}

#: preset → (SDK exception class, status, code, type, param, message) as the real service sends them
REAL: dict[str, tuple[type[openai.APIStatusError], int, str | None, str | None, str | None, str]] = {
    "rate_limited": (
        openai.RateLimitError, 429, "rate_limit_exceeded", "requests", None,
        ("Rate limit reached for gpt-4o-mini in organization org-mockllm on requests per min (RPM): Limit 500, Used 500, "
        "Requested 1. Please try again in 120ms. Visit https://platform.openai.com/account/rate-limits to learn more."),
    ),
    "insufficient_quota": (
        openai.RateLimitError, 429, "insufficient_quota", "insufficient_quota", None,
        ("You exceeded your current quota, please check your plan and billing details. For more information on this "
        "error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors."),
    ),
    "insufficient_balance": (openai.APIStatusError, 402, "invalid_request_error", "unknown_error", None, "Insufficient Balance"),
    "invalid_api_key": (
        openai.AuthenticationError, 401, "invalid_api_key", "invalid_request_error", None,
        ("Incorrect API key provided: sk-mock************************************1234. "
        "You can find your API key at https://platform.openai.com/account/api-keys."),
    ),
    "content_filter": (
        openai.BadRequestError, 400, "content_filter", None, "prompt",
        ("The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify "
        "your prompt and retry. To learn more about our content filtering policies please read our documentation: "
        "https://go.microsoft.com/fwlink/?linkid=2198766"),
    ),
    "context_length_exceeded": (
        openai.BadRequestError, 400, "context_length_exceeded", "invalid_request_error", "messages",
        ("This model's maximum context length is 128000 tokens. However, your messages resulted in 131072 tokens. "
        "Please reduce the length of the messages."),
    ),
    "server_error": (
        openai.InternalServerError, 500, None, "server_error", None,
        "The server had an error while processing your request. Sorry about that!",
    ),
    "bad_gateway": (openai.InternalServerError, 502, "502", "cf_bad_gateway", None, "Bad gateway."),
    "unavailable": (openai.InternalServerError, 503, "503", "cf_service_unavailable", None, "Service Unavailable."),
    "overloaded": (openai.InternalServerError, 529, None, "overloaded_error", None, "Overloaded"),
}


def write_scenarios(folder: Path, *documents: str) -> Path:
    """Write YAML scenario documents (plus a default) into `folder`."""
    text = "schema: 1\nname: default\ndescription: d\nsteps:\n  - say: hi\n"
    (folder / "s.yaml").write_text("\n---\n".join([text, *documents]), encoding="utf-8")
    return folder


def scenario(name: str, *steps: str, extra: str = "") -> str:
    """A scenario document with the given step lines."""
    lines = "".join(f"  - {step}\n" for step in steps)
    return f"schema: 1\nname: {name}\ndescription: d\n{extra}steps:\n{lines}"


@pytest.fixture
def presets_server(live_server: Any, tmp_path: Path) -> Any:
    """A live server with one scenario per preset, named after it, and a few overridden ones."""
    docs = [scenario(name, f"error: {name}") for name in PRESETS]
    docs += [
        scenario("no-retry", "error: {preset: server_error, retry: false}"),
        scenario("retry-400", "error: {preset: context_length_exceeded, retry: true, headers: {retry-after-ms: '1'}}"),
        scenario("overridden", "error: {preset: rate_limited, message: 慢一点, headers: {retry-after: '7'}}"),
        scenario("midway", "say: 半途", "error: rate_limited", extra="stream: {unit: char, first_token_ms: 0, delay_ms: 0}\n"),
    ]
    return live_server(scenarios=write_scenarios(tmp_path, *docs))


def client(server: Any, retries: int = 0) -> OpenAI:
    return OpenAI(base_url=server.url + "/v1", api_key="sk-unused", max_retries=retries)


def post(server: Any, name: str, stream: bool = True) -> tuple[int, dict[str, str], bytes]:
    """POST a chat request for scenario `name`; return status, headers (lower-case) and the raw body."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    body = json.dumps({"model": name, "stream": stream, "messages": MESSAGES})
    connection.request("POST", "/v1/chat/completions", body, {"Content-Type": "application/json", **FAST})
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, data


def requests_seen(server: Any, name: str) -> int:
    """How many requests the server's journal holds for scenario `name`."""
    assert server.app is not None
    return len(server.call(lambda: server.app[STATE].journal.entries(scenario=name)))


@pytest.mark.parametrize("stream", [True, False], ids=["stream", "whole"])
@pytest.mark.parametrize("name", list(REAL))
def test_sdk_raises_what_the_real_service_raises(presets_server: Any, name: str, stream: bool) -> None:
    kind, status, code, type_, param, message = REAL[name]
    with pytest.raises(openai.APIStatusError) as info:
        client(presets_server).chat.completions.create(
            model="gpt-4o-mini", messages=MESSAGES, stream=stream, extra_headers={**FAST, "X-Mock-Scenario": name}
        )
    error = info.value
    assert type(error) is kind
    assert (error.status_code, error.code, error.type, error.param) == (status, code, type_, param)
    assert error.message == f"Error code: {status} - {message}"


def test_every_preset_is_checked_against_the_real_service() -> None:
    assert list(REAL) == list(PRESETS)


def test_rate_limited_sends_the_retry_and_rate_limit_headers(presets_server: Any) -> None:
    status, headers, body = post(presets_server, "rate_limited")
    assert status == 429
    assert {k: v for k, v in headers.items() if k.startswith(("retry-after", "x-ratelimit-"))} == {
        "retry-after": "1",
        "retry-after-ms": "120",
        "x-ratelimit-limit-requests": "500",
        "x-ratelimit-limit-tokens": "200000",
        "x-ratelimit-remaining-requests": "0",
        "x-ratelimit-remaining-tokens": "199975",
        "x-ratelimit-reset-requests": "120ms",
        "x-ratelimit-reset-tokens": "7ms",
    }
    assert "x-should-retry" not in headers
    assert json.loads(body)["error"]["message"].startswith("Rate limit reached for rate_limited in organization")


def test_content_filter_body_has_azure_fields(presets_server: Any) -> None:
    status, _, body = post(presets_server, "content_filter", stream=False)
    error = json.loads(body)["error"]
    assert status == 400
    assert list(error) == ["message", "type", "param", "code", "status", "innererror"]
    assert (error["type"], error["status"], error["innererror"]["code"]) == (None, 400, "ResponsibleAIPolicyViolation")
    assert error["innererror"]["content_filter_result"]["violence"] == {"filtered": True, "severity": "medium"}


def test_retry_false_stops_the_sdk_retrying_a_500(presets_server: Any) -> None:
    status, headers, _ = post(presets_server, "no-retry")
    assert (status, headers["x-should-retry"]) == (500, "false")
    with pytest.raises(openai.InternalServerError):
        client(presets_server, retries=2).chat.completions.create(model="no-retry", messages=MESSAGES, extra_headers=FAST)
    assert requests_seen(presets_server, "no-retry") == 2  # the raw POST above, and the SDK's single attempt


def test_retry_true_makes_the_sdk_retry_a_400(presets_server: Any) -> None:
    with pytest.raises(openai.BadRequestError):
        client(presets_server, retries=2).chat.completions.create(model="retry-400", messages=MESSAGES, extra_headers=FAST)
    assert requests_seen(presets_server, "retry-400") == 3


def test_fields_override_the_preset_and_headers_merge(presets_server: Any) -> None:
    status, headers, body = post(presets_server, "overridden")
    error = json.loads(body)["error"]
    assert (status, error["message"], error["type"], error["code"]) == (429, "慢一点", "requests", "rate_limit_exceeded")
    assert (headers["retry-after"], headers["retry-after-ms"]) == ("7", "120")


def test_after_the_first_byte_a_preset_is_the_in_stream_error_frame(presets_server: Any) -> None:
    status, headers, body = post(presets_server, "midway")
    assert status == 200 and "retry-after" not in headers
    frames = body.decode().split("\n\n")
    assert frames[-2:] == [
        ('data: {"error":{"message":"Rate limit reached for midway in organization org-mockllm on requests per min (RPM): '
        "Limit 500, Used 500, Requested 1. Please try again in 120ms. Visit https://platform.openai.com/account/rate-limits "
        'to learn more.","type":"requests","param":null,"code":"rate_limit_exceeded"}}'),
        "",
    ]
    assert b"[DONE]" not in body


def test_the_sdk_raises_after_yielding_the_partial_text(presets_server: Any) -> None:
    stream = client(presets_server).chat.completions.create(model="midway", messages=MESSAGES, stream=True, extra_headers=FAST)
    received: list[str] = []
    with pytest.raises(openai.APIError) as info:
        for chunk in stream:
            received.append(chunk.choices[0].delta.content or "")
    assert "".join(received) == "半途"
    assert type(info.value) is openai.APIError and info.value.code == "rate_limit_exceeded"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("rate_limited", {"preset": "rate_limited"}, id="bare-name"),
        pytest.param({"preset": "overloaded", "retry": False}, {"preset": "overloaded", "retry": False}, id="mapping"),
        pytest.param({"msg": "余额不足", "code": 101}, {"message": "余额不足", "code": 101}, id="no-preset"),
    ],
)
def test_error_step_forms(value: Any, expected: dict[str, Any]) -> None:
    error = Step.model_validate({"error": value}).error
    assert error is not None and error.model_dump(include=set(expected)) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        pytest.param("rate_limit", "unknown error preset 'rate_limit'; did you mean 'rate_limited'? valid presets: rate_limited, insufficient_quota", id="unknown"),
        pytest.param({"status": 500}, "an error needs a message (or a preset: rate_limited, ", id="no-message"),
        pytest.param({"preset": "server_error", "rate": 2}, "less than or equal to 1", id="rate-above-1"),
    ],
)
def test_error_step_problems(value: Any, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        Step.model_validate({"error": value})
    assert message in str(info.value)


def test_unknown_preset_is_a_load_problem_at_its_line(tmp_path: Path) -> None:
    write_scenarios(tmp_path, scenario("typo", "say: hi", "error: {preset: rate_limit, retry: false}"))
    with pytest.raises(ProblemsError) as info:
        load_catalog(tmp_path)
    valid = ", ".join(PRESETS)
    assert [str(p) for p in info.value.problems] == [
        f"{tmp_path / 's.yaml'}:13: steps[1].error.preset: unknown error preset 'rate_limit'; did you mean 'rate_limited'? valid presets: {valid}"
    ]
