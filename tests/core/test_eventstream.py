"""The AWS event-stream codec: what it encodes botocore decodes (CRCs checked), byte by byte, and what it decodes it checks."""

from __future__ import annotations

import struct

import pytest
from botocore.eventstream import ChecksumMismatch, EventStreamBuffer

from mockllm.core import eventstream

EVENTS = [
    eventstream.event("messageStart", b'{"p":"abc","role":"assistant"}'),
    eventstream.event("contentBlockDelta", '{"contentBlockIndex":0,"delta":{"text":"你好"}}'.encode()),
    eventstream.exception("throttlingException", b'{"message":"Too many requests, please wait before trying again."}'),
]


def test_botocore_decodes_every_message_fed_one_byte_at_a_time() -> None:
    data = b"".join(EVENTS)
    buffer, seen = EventStreamBuffer(), []
    for i in range(len(data)):
        buffer.add_data(data[i : i + 1])
        seen += [(message.headers, message.payload) for message in buffer]
    assert [headers[":message-type"] for headers, _ in seen] == ["event", "event", "exception"]
    assert seen[1] == ({":event-type": "contentBlockDelta", ":content-type": "application/json", ":message-type": "event"}, '{"contentBlockIndex":0,"delta":{"text":"你好"}}'.encode())
    assert seen[2][0][":exception-type"] == "throttlingException"


def test_the_prelude_holds_the_lengths_and_its_crc() -> None:
    message = EVENTS[0]
    total, headers_length = struct.unpack(">II", message[:8])
    assert total == len(message) and headers_length == len(message) - 12 - len(b'{"p":"abc","role":"assistant"}') - 4


def test_decoding_gives_back_what_was_encoded_with_the_offsets() -> None:
    decoded = list(eventstream.messages(b"".join(EVENTS)))
    assert [m.payload for m in decoded][0] == b'{"p":"abc","role":"assistant"}'
    assert [m.end for m in decoded] == [len(EVENTS[0]), len(EVENTS[0]) + len(EVENTS[1]), len(b"".join(EVENTS))]


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (EVENTS[0][:-1], "cut short"),
        (EVENTS[0][:5], "cut short"),
        (EVENTS[0][:-1] + bytes([EVENTS[0][-1] ^ 1]), "message CRC"),
        (EVENTS[0][:8] + b"\0\0\0\0" + EVENTS[0][12:], "prelude CRC"),
    ],
    ids=["last-byte-missing", "prelude-cut", "message-crc", "prelude-crc"],
)
def test_bad_bytes_are_refused_saying_why(data: bytes, problem: str) -> None:
    with pytest.raises(eventstream.Malformed, match=problem):
        list(eventstream.messages(data))


def test_botocore_refuses_a_flipped_byte_too() -> None:
    """The CRCs are the ones botocore checks: a changed payload byte fails there as here."""
    broken = bytearray(EVENTS[1])
    broken[-6] ^= 1
    buffer = EventStreamBuffer()
    buffer.add_data(bytes(broken))
    with pytest.raises(ChecksumMismatch):
        list(buffer)
