"""max_write_bytes: frames cut into pieces of at most N bytes, mid-JSON and mid-character."""

import pytest

from mockllm.core.events import Delay, Respond
from mockllm.stream.wire.slice import slice_writes

FRAME = 'data: {"content":"你好"}\n\n'.encode()


@pytest.mark.parametrize("size", [1, 7, len(FRAME) - 1, len(FRAME), 1000])
def test_pieces_are_at_most_n_bytes_and_join_to_the_frame(size):
    pieces = list(slice_writes([FRAME], size))
    assert b"".join(pieces) == FRAME
    assert all(len(piece) == size for piece in pieces[:-1])
    assert 0 < len(pieces[-1]) <= size


def test_seven_byte_cuts_fall_mid_json_and_mid_character():
    pieces = list(slice_writes([FRAME], 7))
    assert pieces[:3] == [b'data: {', b'"conten', b't":"\xe4\xbd\xa0']
    assert pieces[3] == b"\xe5\xa5\xbd\"}\n\n"


def test_empty_frames_vanish_and_other_items_pass():
    respond = Respond(400, b"{}")
    assert list(slice_writes([Delay(3), b"", b"abc", respond], 2)) == [Delay(3), b"ab", b"c", respond]
