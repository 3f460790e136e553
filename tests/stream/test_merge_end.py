"""The end marker as a write of its own, and `merge_end`: the closing frames put back into the write before them.

Pure generators first (`pace`, `coalesce`, `merge_end`), then a real socket:
on every app framing, over HTTP and WebSocket, at speed 0, an in-band error
frame and the end marker after it are separate writes that arrive as
separate reads; `merge_end=true` sends them as one; `frames_per_write`
(`merged-frames`) merges content frames only.
"""

from __future__ import annotations

import random
from typing import Any

import aiohttp
import pytest
from rawhttp import post

from mockllm.core.events import Abort, Delay, Error, Text
from mockllm.stream.transforms.pace import pace
from mockllm.stream.wire.coalesce import coalesce
from mockllm.stream.wire.merge_end import merge_end

pytestmark = pytest.mark.xdist_group("serial")  # the live tests read the writes as separate reads
OWN = Delay(30, own_write=True)
#: App framings and the end marker each sends last (ndjson and text end at the body's end).
END_MARKERS = {"miniprogram": b"0\r\n\r\n", "sse-json": b"data: [DONE]\n\n"}
APP_FRAMINGS = ("miniprogram", "sse-json", "ndjson", "text")


def test_an_error_first_is_followed_by_the_end_wait() -> None:
    assert list(pace([Error("x")], random.Random(0), delay_ms=30, first_token_ms=0)) == [Error("x"), OWN]


def test_an_error_after_text_has_its_own_wait_and_so_does_the_end() -> None:
    events = list(pace([Text("a"), Error("x")], random.Random(0), delay_ms=30, first_token_ms=0))
    assert events == [Text("a"), OWN, Error("x"), OWN]


def test_coalesce_merges_content_frames_only() -> None:
    items = [b"a", b"b", OWN, b"0"]
    assert list(coalesce(items, 3)) == [b"ab", OWN, b"0"]
    assert list(coalesce([b"a", Delay(30), b"b", b"c", b"d"], 3)) == [Delay(30), b"abc", b"d"]


def test_merge_end_joins_the_closing_frames_to_the_frame_before_the_last_own_wait() -> None:
    items: list[Any] = [b"a", Delay(30), b"b", OWN, b"err", OWN, b"0"]
    assert list(merge_end(items)) == [b"a", Delay(30), b"b", OWN, OWN, b"err0"]
    assert list(merge_end([b"err", OWN, b"0"])) == [OWN, b"err0"]
    assert list(merge_end([b"a", b"b", OWN, b"fin", b"[DONE]"])) == [b"a", OWN, b"bfin", b"[DONE]"]


def test_merge_end_leaves_a_stream_without_an_own_wait_and_keeps_order_around_faults() -> None:
    assert list(merge_end([b"a", Delay(30), b"b"])) == [b"a", Delay(30), b"b"]
    assert list(merge_end([b"a", OWN, Abort()])) == [b"a", OWN, Abort()]
    assert list(merge_end([OWN, b"0"])) == [OWN, b"0"]


@pytest.fixture
def server(live_server):
    return live_server()


async def writes(server: Any, framing: str, scenario: str, wire: str | None = None) -> Any:
    headers = {"X-Mock-Scenario": scenario, **({"X-Mock-Wire": wire} if wire else {})}
    response = await post("127.0.0.1", server.port, f"/{framing}/chat", {"message": "你好"}, headers)
    assert response.status == 200, response.body
    return response


@pytest.mark.parametrize("framing", APP_FRAMINGS)
@pytest.mark.parametrize("scenario", ["login-required", "midstream-error"])
async def test_at_speed_0_the_error_frame_and_the_end_are_writes_and_reads_of_their_own(server: Any, framing: str, scenario: str) -> None:
    response = await writes(server, framing, scenario)
    own = 2 if framing in END_MARKERS else 1  # the error frame, and the end marker when the framing has one
    if framing in END_MARKERS:
        assert response.chunks[-1] == END_MARKERS[framing]
    error_frame = response.chunks[-own]
    assert b'"code"' in error_frame and b"content" not in error_frame
    assert response.payload_reads[-own:] == response.chunks[-own:], "each went out as a read of its own"
    if len(response.chunks) > own:  # text came first: it is in the reads before
        assert response.chunks[-own - 1] in response.payload_reads[-own - 1]


@pytest.mark.parametrize("framing", ["miniprogram", "sse-json"])
async def test_merge_end_sends_the_error_frame_and_the_end_marker_in_one_write(server: Any, framing: str) -> None:
    plain = await writes(server, framing, "recharge-required")
    merged = await writes(server, framing, "recharge-required", "merge_end=true")
    assert merged.body == plain.body
    assert merged.chunks == [plain.chunks[-2] + plain.chunks[-1]]


async def test_merged_frames_keeps_the_end_marker_a_write_of_its_own(server: Any) -> None:
    response = await writes(server, "miniprogram", "merged-frames")
    assert response.chunks[-1] == b"0\r\n\r\n"
    assert response.chunks[0].count(b"success: ") == 3


async def test_on_a_websocket_the_error_frame_and_the_end_marker_are_separate_messages(server: Any) -> None:
    url = f"ws://127.0.0.1:{server.port}/ws/miniprogram/chat?scenario=recharge-required"
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as socket:
        await socket.send_str("你好")
        messages = [(await socket.receive()).data for _ in range(2)]
    assert messages == ['event: error\ndata: {"code":101,"msg":"余额不足，请充值后再试"}\r\n', "0\r\n\r\n"]
