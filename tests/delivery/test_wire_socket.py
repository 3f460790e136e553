"""Wire options on a real socket: a client reading it directly sees the breaks each option promises.

Every HTTP chunk of the response is one server write; each read is recorded
with the body bytes it carried. Reads only ever end where writes end (small
writes arrive whole on loopback), and the gap between writes makes each write
a read of its own, so the promised breaks show up in the reads. The split and
merge tests use the default gap; the 7-byte slices (about 36 writes per OpenAI
frame) use `gap_ms=1` to keep the run short.
"""

from __future__ import annotations

import itertools

import pytest
from rawhttp import RawResponse, ends_inside_character, post

#: Timing-sensitive (real pacing, separate network reads): these run one at a time on one worker.
pytestmark = pytest.mark.xdist_group("serial")

#: (route, body) per dialect; the scenario comes from the X-Mock-Scenario header.
DIALECTS = {
    "openai": ("/v1/chat/completions", {"stream": True, "messages": [{"role": "user", "content": "hi"}]}),
    "miniprogram": ("/miniprogram/chat", {"message": "hi"}),
}

#: The frames after the last delta, which `frames_per_write` keeps out of the content frames' writes:
#: the finish chunk and `[DONE]`; the end marker.
CLOSING_FRAMES = {"openai": 2, "miniprogram": 1}


@pytest.fixture
def server(live_server):
    return live_server()


async def fetch(server, dialect: str, wire: str | None = None, scenario: str = "hello") -> RawResponse:
    route, body = DIALECTS[dialect]
    headers = {"X-Mock-Scenario": scenario}
    if wire is not None:
        headers["X-Mock-Wire"] = wire
    response = await post("127.0.0.1", server.port, route, body, headers)
    assert response.status == 200, response.body
    return response


def read_ends(response: RawResponse) -> set[int]:
    return set(itertools.accumulate(len(p) for p in response.payload_reads))


def write_ends(response: RawResponse) -> set[int]:
    return set(itertools.accumulate(len(c) for c in response.chunks))


def assert_same_bytes_reads_on_write_ends(response: RawResponse, unsplit: RawResponse) -> None:
    assert response.body == unsplit.body
    assert read_ends(response) <= write_ends(response)


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_split_utf8_gives_reads_that_end_inside_a_character(server, dialect):
    unsplit = await fetch(server, dialect)
    split = await fetch(server, dialect, "split_utf8=first")
    assert_same_bytes_reads_on_write_ends(split, unsplit)
    frames_with_multibyte = [f for f in unsplit.chunks if any(b >= 0x80 for b in f)]
    cut_writes = [c for c in split.chunks if ends_inside_character(c)]
    assert len(frames_with_multibyte) >= 10
    assert len(cut_writes) == len(frames_with_multibyte)
    assert any(ends_inside_character(read) for read in split.payload_reads)


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_split_utf8_every_cuts_every_character_across_writes(server, dialect):
    unsplit = await fetch(server, dialect)
    split = await fetch(server, dialect, "split_utf8=every")
    assert_same_bytes_reads_on_write_ends(split, unsplit)
    characters = sum(1 for b in unsplit.body if b >= 0xC0)
    assert sum(1 for c in split.chunks if ends_inside_character(c)) == characters


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_frames_per_write_puts_n_frames_in_one_read(server, dialect):
    unsplit = await fetch(server, dialect)
    merged = await fetch(server, dialect, "frames_per_write=3")
    assert_same_bytes_reads_on_write_ends(merged, unsplit)
    content, closing = unsplit.chunks[: -CLOSING_FRAMES[dialect]], unsplit.chunks[-CLOSING_FRAMES[dialect] :]
    assert merged.chunks == [b"".join(frames[i : i + 3]) for frames in (content, closing) for i in range(0, len(frames), 3)]
    three_frame_reads = [r for r in merged.payload_reads if r in merged.chunks[:-1]]
    assert three_frame_reads, "no read held exactly one merged write of 3 frames"


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_max_write_bytes_cuts_frames_at_n_bytes(server, dialect):
    unsplit = await fetch(server, dialect)
    sliced = await fetch(server, dialect, "max_write_bytes=7,gap_ms=1")
    assert_same_bytes_reads_on_write_ends(sliced, unsplit)
    assert sliced.chunks == [f[i : i + 7] for f in unsplit.chunks for i in range(0, len(f), 7)]
    frame_ends = write_ends(unsplit)
    reads_mid_frame = [end for end in read_ends(sliced) if end not in frame_ends]
    assert reads_mid_frame, "no read ended inside a frame"
    assert any(len(read) == 7 for read in sliced.payload_reads)


async def test_heartbeats_fill_quiet_periods_on_the_socket(server):
    unsplit = await fetch(server, "openai")
    beating = await fetch(server, "openai", "heartbeat_ms=100")
    beat = b": keep-alive\n\n"
    assert beating.chunks[0] == beat  # the 200 ms before the first token
    assert b"".join(c for c in beating.chunks if c != beat) == unsplit.body


@pytest.mark.parametrize("scenario", ["split-utf8", "merged-frames", "sliced-frames"])
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_shipped_wire_scenarios_keep_the_bytes(server, dialect, scenario):
    plain = "split_utf8=off,frames_per_write=1,max_write_bytes=none,gap_ms=none"
    unsplit = await fetch(server, dialect, plain, scenario=scenario)
    broken = await fetch(server, dialect, "gap_ms=1", scenario=scenario)
    assert_same_bytes_reads_on_write_ends(broken, unsplit)
    assert len(broken.chunks) != len(unsplit.chunks)


@pytest.mark.parametrize(
    "dialect, error_key", [("openai", b'{\n    "error": {'), ("miniprogram", b'{"code":400,"msg":')], ids=["openai", "miniprogram"]
)
async def test_a_bad_wire_header_is_a_400_in_the_dialects_shape(server, dialect, error_key):
    route, body = DIALECTS[dialect]
    response = await post("127.0.0.1", server.port, route, body, {"X-Mock-Wire": "frames_per_write=0"})
    assert response.status == 400
    assert error_key in response.body
    assert b"X-Mock-Wire (or ?mock_wire=): frames_per_write" in response.body


async def test_the_query_form_works_without_headers(server):
    route, body = DIALECTS["openai"]
    response = await post("127.0.0.1", server.port, route + "?mock_wire=max_write_bytes=5,gap_ms=0&scenario=hello", body)
    assert response.status == 200
    assert max(len(c) for c in response.chunks) == 5


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_closing_frames_arrive_as_their_own_read_at_speed_0(server, dialect):
    reads = (await fetch(server, dialect)).payload_reads
    closing = {"openai": (b'"finish_reason":"stop"', b"data: [DONE]"), "miniprogram": (b"0\r\n\r\n",)}[dialect]
    last_delta = max(i for i, read in enumerate(reads) if b'"content":"' in read)
    assert not any(frame in reads[last_delta] for frame in closing), reads[last_delta]
    assert reads[-1].endswith(closing[-1] + (b"\n\n" if dialect == "openai" else b""))


async def test_an_error_after_text_arrives_as_its_own_read(server):
    reads = (await fetch(server, "miniprogram", scenario="midstream-error")).payload_reads
    at = next(i for i, read in enumerate(reads) if b"event: error" in read)
    assert reads[at].startswith(b"event: error") and b"success:" not in reads[at], reads[at - 1 : at + 1]
    assert b"success:" in reads[at - 1]

