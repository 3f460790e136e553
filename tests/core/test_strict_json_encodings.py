"""JSON bodies in UTF-16 or UTF-32 (which json.loads detects itself) are decoded strictly: a lone surrogate is refused."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from mockllm.core.strict_json import parse_json
from mockllm.server.app import create_app
from mockllm.server.config import ServerConfig

LONE = '{"model": "fail-twice-then-succeed", "messages": [{"role": "user", "content": "a\\ud800b"}]}'


def raw_lone(encoding: str) -> bytes:
    """LONE with its escape turned into the code unit itself, encoded as `encoding` (surrogates passed through)."""
    return json.dumps(json.loads(LONE), ensure_ascii=False).encode(encoding, "surrogatepass")


@pytest.mark.parametrize(
    ("encoding", "error"),
    [("utf-16-le", "the body is not valid UTF-16"), ("utf-16-be", "the body is not valid UTF-16"), ("utf-32-le", "the body is not valid UTF-32")],
)
def test_a_raw_lone_surrogate_in_utf16_or_utf32_is_refused(encoding: str, error: str) -> None:
    assert parse_json(raw_lone(encoding)) == (None, error)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-32"])
def test_well_formed_text_in_each_encoding_json_allows_still_parses(encoding: str) -> None:
    assert parse_json('{"a": "你好😀"}'.encode(encoding)) == ({"a": "你好😀"}, None)


async def test_the_fuzzed_request_gets_a_400_not_a_500(aiohttp_client: Any) -> None:
    """`Content-Type: ...; charset=latin-1`, a chunked body in UTF-16 holding a lone surrogate, naming a scenario with attempts.

    Its session key (a hash of the messages) could not be encoded: a 500 from `take_attempt`.
    """
    client = await aiohttp_client(create_app(ServerConfig(speed=0, seed=1)))
    body = raw_lone("utf-16-le")
    head = (
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json; charset=latin-1\r\n"
        b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    reader, writer = await asyncio.open_connection(client.host, client.port)
    writer.write(head + b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n")
    await writer.drain()
    raw = await asyncio.wait_for(reader.read(-1), 10)
    writer.close()
    status_line, _, rest = raw.partition(b"\r\n")
    assert status_line == b"HTTP/1.1 400 Bad Request"
    assert b"the body is not valid UTF-16" in rest
