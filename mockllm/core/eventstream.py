"""The AWS event-stream framing (`application/vnd.amazon.eventstream`): messages as bytes, and bytes back as messages.

A message is a 12-byte prelude (total length, headers length, both big-endian
u32, and the CRC32 of those 8 bytes), the headers, the payload, and the CRC32
of everything before it. A header is its name's length (u8), the name, a
value type (u8) and the value; only strings (type 7: a u16 length, then UTF-8)
are written here, which is all Bedrock sends.
"""

from __future__ import annotations

import functools
import struct
import zlib
from typing import Iterator, Mapping, NamedTuple

CONTENT_TYPE = "application/vnd.amazon.eventstream"
PRELUDE = struct.Struct(">II")
CRC = struct.Struct(">I")
STRING = 7
_PRELUDE_LENGTH = PRELUDE.size + CRC.size


def header(name: str, value: str) -> bytes:
    """One string header."""
    raw_name, raw_value = name.encode(), value.encode()
    return bytes((len(raw_name),)) + raw_name + bytes((STRING,)) + struct.pack(">H", len(raw_value)) + raw_value


def message(headers: Mapping[str, str], payload: bytes) -> bytes:
    """One whole message: prelude, headers, payload, CRCs."""
    return framed(b"".join(header(name, value) for name, value in headers.items()), payload)


def framed(encoded: bytes, payload: bytes) -> bytes:
    """One whole message of headers already encoded (see `header`) and a payload."""
    prelude = PRELUDE.pack(_PRELUDE_LENGTH + len(encoded) + len(payload) + CRC.size, len(encoded))
    head = prelude + CRC.pack(zlib.crc32(prelude))
    body = head + encoded + payload
    return body + CRC.pack(zlib.crc32(body))


@functools.lru_cache(maxsize=64)
def event_headers(event_type: str, content_type: str = "application/json") -> bytes:
    """The encoded headers of an event message (`:event-type`, `:content-type`, `:message-type: event`), built once per type."""
    return b"".join(header(name, value) for name, value in ((":event-type", event_type), (":content-type", content_type), (":message-type", "event")))


def event(event_type: str, payload: bytes, content_type: str = "application/json") -> bytes:
    """An event message (`:message-type: event`)."""
    return framed(event_headers(event_type, content_type), payload)


def exception(exception_type: str, payload: bytes, content_type: str = "application/json") -> bytes:
    """An exception message (`:message-type: exception`), which ends a stream with an error."""
    return message({":exception-type": exception_type, ":content-type": content_type, ":message-type": "exception"}, payload)


class Message(NamedTuple):
    """One decoded message: its headers, its payload, and the offset just past it in the bytes it came in."""

    headers: dict[str, str]
    payload: bytes
    end: int


class Malformed(ValueError):
    """Bytes that are not a well-formed event-stream message."""


def messages(data: bytes) -> Iterator[Message]:
    """Each message of `data` in order; raises Malformed on a bad length or CRC, or a message cut short."""
    pos = 0
    while pos < len(data):
        if len(data) - pos < _PRELUDE_LENGTH:
            raise Malformed(f"a message is cut short at byte {pos}")
        total, headers_length = PRELUDE.unpack_from(data, pos)
        (prelude_crc,) = CRC.unpack_from(data, pos + PRELUDE.size)
        if zlib.crc32(data[pos : pos + PRELUDE.size]) != prelude_crc:
            raise Malformed(f"the prelude CRC of the message at byte {pos} does not match")
        end = pos + total
        if total < _PRELUDE_LENGTH + headers_length + CRC.size or end > len(data):
            raise Malformed(f"the message at byte {pos} is cut short")
        (crc,) = CRC.unpack_from(data, end - CRC.size)
        if zlib.crc32(data[pos : end - CRC.size]) != crc:
            raise Malformed(f"the message CRC of the message at byte {pos} does not match")
        start = pos + _PRELUDE_LENGTH
        yield Message(_headers(data[start : start + headers_length]), data[start + headers_length : end - CRC.size], end)
        pos = end


def _headers(raw: bytes) -> dict[str, str]:
    headers = {}
    pos = 0
    while pos < len(raw):
        size = raw[pos]
        name = raw[pos + 1 : pos + 1 + size].decode()
        pos += 1 + size
        if raw[pos] != STRING:
            raise Malformed(f"header {name!r} is not a string (type {raw[pos]})")
        (length,) = struct.unpack_from(">H", raw, pos + 1)
        headers[name] = raw[pos + 3 : pos + 3 + length].decode()
        pos += 3 + length
    return headers
