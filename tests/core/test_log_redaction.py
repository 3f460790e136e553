"""The server log's request lines never hold a secret: query values under secret names are redacted, as in the journal."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from conftest import SCENARIOS

from mockllm.core.redact import redact_target
from mockllm.ops.logs import JsonFormatter
from mockllm.server.app import create_app
from mockllm.server.config import ServerConfig

SECRET = "AIzaSy-s3cr3t"
HELLO = {"contents": [{"role": "user", "parts": [{"text": "你好"}]}]}


@pytest.mark.parametrize(
    ("target", "logged"),
    [
        ("/v1beta/models/m:generateContent?alt=sse&key=AIza", "/v1beta/models/m:generateContent?alt=sse&key=<redacted>"),
        ("/x?api%5Fkey=1&max_tokens=5&access_token=t&token", "/x?api%5Fkey=<redacted>&max_tokens=5&access_token=<redacted>&token"),
        ("/x?q=%E4%BD%A0%E5%A5%BD&scenario=echo", "/x?q=%E4%BD%A0%E5%A5%BD&scenario=echo"),
        ("/x?", "/x?"),
        ("/v1/chat/completions", "/v1/chat/completions"),
    ],
)
def test_secret_query_values_are_redacted_and_the_rest_kept_as_sent(target: str, logged: str) -> None:
    assert redact_target(target) == logged


@pytest.fixture
async def client(aiohttp_client: Any) -> TestClient[Any, Any]:
    return await aiohttp_client(create_app(ServerConfig(scenarios=SCENARIOS, speed=0, seed=1)))


async def test_a_gemini_key_in_the_query_never_reaches_the_log(client: TestClient[Any, Any], caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="mockllm")
    # whole answers and errors: the request's last line is logged before its response goes out
    answered = await client.post(f"/v1beta/models/hello:generateContent?alt=json&key={SECRET}", json=HELLO)
    failed = await client.post(f"/v1beta/models/rate-limited:generateContent?key={SECRET}", json=HELLO)
    unrouted = await client.get(f"/v1beta/cachedContents?key={SECRET}")
    assert (answered.status, failed.status, unrouted.status) == (200, 429, 404)
    formatters = (JsonFormatter(), logging.Formatter("%(asctime)s %(message)s"))
    lines = [formatter.format(record) for record in caplog.records for formatter in formatters]
    assert len(caplog.records) == 5 and not [line for line in lines if SECRET in line]
    assert sum("key=<redacted>" in record.getMessage() for record in caplog.records) == 5
