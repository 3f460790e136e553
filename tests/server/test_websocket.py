"""WebSocket transport: app framings as messages, paced by the pacer, with socket faults, on real sockets."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import shutil
import struct
import subprocess
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from mockllm.delivery.transports.websocket import BINARY, CONTINUATION, TEXT, close_frame, frame, message_frames
from mockllm.scenarios.catalog import SHIPPED

BROWSER = Path(__file__).resolve().parents[1] / "browser"
END = "0\r\n\r\n"
SSE_END = "data: [DONE]\n\n"
EXTRA = """
schema: 1
kind: routes
routes:
  /chat-socket: {framing: miniprogram, transport: websocket}
---
schema: 1
name: fail-then-answer
description: A 429 on the first attempt of a session, then the answer.
attempts:
  - [{error: rate_limited}]
  - [{say: "第二次成功"}]
"""


@pytest.fixture
def server(live_server, tmp_path: Path):
    shutil.copytree(SHIPPED, tmp_path, dirs_exist_ok=True)
    (tmp_path / "extra.yaml").write_text(EXTRA, encoding="utf-8")
    return live_server(scenarios=tmp_path)


def ws_url(server: Any, path: str) -> str:
    return f"ws://127.0.0.1:{server.port}{path}"


async def answer(socket: aiohttp.ClientWebSocketResponse, request: Any, end: str = END) -> list[Any]:
    """Send one request and collect its messages up to the end marker (or the socket's end)."""
    await socket.send_str(request if isinstance(request, str) else json.dumps(request, ensure_ascii=False))
    messages: list[Any] = []
    while True:
        message = await socket.receive(timeout=30)
        if message.type not in (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY):
            return messages
        messages.append(message.data)
        if message.data in (end, end.encode()):
            return messages


def frames_text(messages: list[str]) -> str:
    return "".join(json.loads(m[len("success: ") :])["content"] for m in messages if m.startswith("success: "))


def test_server_frames_follow_rfc_6455() -> None:
    assert frame(TEXT, b"hi") == b"\x81\x02hi"
    assert frame(BINARY, b"x" * 200)[:4] == b"\x82\x7e\x00\xc8"
    assert frame(TEXT, b"x" * 70000)[:10] == b"\x81\x7f" + struct.pack("!Q", 70000)
    assert message_frames("你".encode(), TEXT, [b"\xe4", b"\xbd\xa0"]) == b"\x01\x01\xe4\x80\x02\xbd\xa0"
    assert close_frame(4001, "login required") == b"\x88\x10\x0f\xa1login required"


async def test_each_frame_is_a_message_and_one_socket_serves_requests_in_turn(server):
    async with aiohttp.ClientSession() as session, session.ws_connect(ws_url(server, "/ws/miniprogram/chat?scenario=hello")) as socket:
        first = await answer(socket, {"message": "你好"})
        second = await answer(socket, "再来一次")  # plain text is the prompt
    assert first == second and first[-1] == END
    assert all(m.startswith("success: ") and m.endswith("\r\n") for m in first[:-1])
    assert frames_text(first).startswith("你好！我是 mockllm")


async def test_every_answer_on_a_socket_is_journaled_with_the_socket_session(server):
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(ws_url(server, "/ws/sse-json/chat?scenario=hello")) as socket:
            await answer(socket, {"message": "一"}, SSE_END)
            await answer(socket, {"message": "二"}, SSE_END)
        journal = await (await session.get(f"{server.url}/_mock/journal")).json()
    sockets = [e for e in journal if e.get("transport") == "websocket"]
    assert [e["body"] for e in sockets] == [{"message": "一"}, {"message": "二"}]
    assert len({e["session"] for e in sockets}) == 1 and sockets[0]["session"].startswith("ws-")
    assert all(e["ended"] == "complete" for e in sockets)


async def test_attempts_advance_per_socket(server):
    async with aiohttp.ClientSession() as session:
        for _ in range(2):  # each socket starts over at attempt 1
            async with session.ws_connect(ws_url(server, "/ws/miniprogram/chat?scenario=fail-then-answer")) as socket:
                first = await answer(socket, {"message": "hi"})
                second = await answer(socket, {"message": "hi"})
            assert first[0].startswith("event: error") and '"code":"rate_limit_exceeded"' in first[0]
            assert frames_text(second) == "第二次成功"


async def test_a_close_fault_sends_a_close_frame_with_the_apps_code(server):
    async with aiohttp.ClientSession() as session, session.ws_connect(ws_url(server, "/ws/miniprogram/chat?scenario=socket-close-4001")) as socket:
        messages = await answer(socket, {"message": "hi"})
        assert frames_text(messages) == "好的，正在"
        assert socket.close_code == 4001


async def test_a_reset_drops_the_socket_without_a_close_frame(server):
    async with aiohttp.ClientSession() as session, session.ws_connect(ws_url(server, "/ws/miniprogram/chat?scenario=reset-midstream")) as socket:
        messages = await answer(socket, {"message": "hi"})
        assert messages and END not in messages
        assert socket.close_code == aiohttp.WSCloseCode.ABNORMAL_CLOSURE


async def test_malformed_and_duplicate_frames_are_messages_too(server):
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(ws_url(server, "/ws/miniprogram/chat?scenario=malformed-frame")) as socket:
            malformed = await answer(socket, {"message": "hi"})
        async with session.ws_connect(ws_url(server, "/ws/miniprogram/chat?scenario=duplicate-frame")) as socket:
            duplicated = await answer(socket, {"message": "hi"})
    assert any(_not_json(m) for m in malformed if m.startswith("success: "))
    assert len(duplicated) != len(set(duplicated))


def _not_json(message: str) -> bool:
    try:
        json.loads(message[len("success: ") :])
    except ValueError:
        return True
    return False


async def test_split_utf8_cuts_messages_into_continuation_frames_inside_characters(server):
    frames = await raw_frames(server, "/ws/miniprogram/chat?scenario=split-utf8", {"message": "hi"})
    opcodes = [(fin, opcode) for fin, opcode, _ in frames]
    assert (False, TEXT) in opcodes and (True, CONTINUATION) in opcodes
    first = next(i for i, (fin, opcode, _) in enumerate(frames) if opcode == TEXT and not fin)
    with pytest.raises(UnicodeDecodeError):
        frames[first][2].decode("utf-8")
    messages, current = [], b""
    for fin, _, payload in frames:
        current += payload
        if fin:
            messages.append(current.decode("utf-8"))
            current = b""
    assert messages[-1] == END


async def test_binary_option_sends_binary_messages(server):
    async with aiohttp.ClientSession() as session, session.ws_connect(ws_url(server, "/ws/text/chat?scenario=hello&binary=true")) as socket:
        await socket.send_str('{"message":"hi"}')
        message = await socket.receive(timeout=30)
    assert message.type == aiohttp.WSMsgType.BINARY and isinstance(message.data, bytes)


async def test_a_routes_map_path_with_transport_websocket_upgrades(server):
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(ws_url(server, "/chat-socket?scenario=hello")) as socket:
            assert (await answer(socket, {"message": "hi"}))[-1] == END
        plain = await session.get(f"{server.url}/chat-socket")
        assert plain.status == 426
        assert (await session.get(f"{server.url}/ws/miniprogram/chat")).status == 426
        unknown = await session.get(f"{server.url}/ws/nope/chat", headers={"Upgrade": "websocket", "Connection": "Upgrade"})
        assert unknown.status == 404 and "miniprogram" in (await unknown.json())["error"]["message"]


async def test_a_bad_request_message_gets_the_framings_error_as_a_message(server):
    async with aiohttp.ClientSession() as session, session.ws_connect(ws_url(server, "/ws/miniprogram/chat?scenario=nope")) as socket:
        await socket.send_str('{"message":"hi"}')
        message = await socket.receive(timeout=30)
    assert "Unknown scenario 'nope'" in message.data


async def test_the_server_answers_pings_unless_told_not_to(server):
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(ws_url(server, "/ws/miniprogram/chat"), autoping=False) as socket:
            await socket.ping(b"1")
            assert (await socket.receive(timeout=30)).type == aiohttp.WSMsgType.PONG
        async with session.ws_connect(ws_url(server, "/ws/miniprogram/chat?mock_pong=false&scenario=hello"), autoping=False) as socket:
            await socket.ping(b"1")
            answered = await answer(socket, {"message": "hi"})  # the next thing that comes is the answer, not a pong
            assert answered[-1] == END


async def raw_frames(server: Any, path: str, request: Any) -> list[tuple[bool, int, bytes]]:
    """Handshake by hand, send one masked text frame, and read the server's frames up to the end marker."""
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(
        (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode()
    )
    await reader.readuntil(b"\r\n\r\n")
    payload = json.dumps(request).encode()
    mask = os.urandom(4)
    writer.write(bytes([0x81, 0x80 | len(payload)]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))
    frames: list[tuple[bool, int, bytes]] = []
    message = b""
    while True:
        head = await asyncio.wait_for(reader.readexactly(2), 30)
        size = head[1] & 0x7F
        if size == 126:
            size = struct.unpack("!H", await reader.readexactly(2))[0]
        elif size == 127:
            size = struct.unpack("!Q", await reader.readexactly(8))[0]
        data = await reader.readexactly(size)
        fin = bool(head[0] & 0x80)
        frames.append((fin, head[0] & 0x0F, data))
        message += data
        if fin and message == END.encode():
            break
        if fin:
            message = b""
    writer.close()
    return frames


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node")
@pytest.mark.parametrize(
    ("scenario", "code"), [("hello", 1000), ("socket-close-4001", 4001), ("reset-midstream", 1006)], ids=["answer", "close-4001", "abort"]
)
def test_a_chromium_page_websocket_gets_the_messages_and_the_close_code(server, scenario: str, code: int):
    done = subprocess.run(
        ["node", str(BROWSER / "chromium_websocket.mjs")],
        input=json.dumps({"origin": server.url, "url": ws_url(server, f"/ws/miniprogram/chat?scenario={scenario}"), "request": {"message": "你好"}}),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["close"]["code"] == code
    assert seen["messages"] and all(m.startswith(("success: ", "0")) for m in seen["messages"])
    if scenario == "socket-close-4001":
        assert seen["close"]["reason"] == "login required"
