"""split_utf8: writes cut right after the lead byte of a multibyte character; the bytes never change."""

import pytest
from rawhttp import ends_inside_character

from mockllm.core.events import Delay, Respond
from mockllm.stream.wire.split_utf8 import cut_points, split_utf8, utf8_length


@pytest.mark.parametrize(
    "char, length", [("a", 1), ("é", 2), ("你", 3), ("😀", 4)], ids=["ascii", "two-byte", "cjk", "emoji"]
)
def test_utf8_length_reads_the_lead_byte(char, length):
    assert utf8_length(char.encode()[0]) == length


def test_first_cuts_each_frame_once_after_a_lead_byte():
    frame = 'data: {"content":"你好"}\n\n'.encode()
    pieces = list(split_utf8([frame], "first"))
    assert b"".join(pieces) == frame
    assert len(pieces) == 2
    assert pieces[0].endswith(b"\xe4")  # the lead byte of 你
    assert ends_inside_character(pieces[0])


def test_every_cuts_inside_every_multibyte_character():
    frame = "好的😀é!".encode()
    pieces = list(split_utf8([frame], "every"))
    assert b"".join(pieces) == frame
    assert len(pieces) == 5
    assert all(ends_inside_character(piece) for piece in pieces[:-1])
    assert pieces[-1] == "\xa9!".encode("latin-1")  # é's continuation byte, then '!'


def test_four_byte_emoji_is_cut_after_its_first_byte():
    frame = "😀".encode()
    assert list(split_utf8([frame], "first")) == [frame[:1], frame[1:]]


@pytest.mark.parametrize("mode", ["first", "every"])
@pytest.mark.parametrize(
    "frame",
    [b"", b'data: {"content":"hi"}\n\n', b'{"content":"\\u4f60\\u597d"}\r\n'],
    ids=["empty", "ascii", "escaped-json"],
)
def test_frames_without_multibyte_characters_pass_unchanged(mode, frame):
    assert list(split_utf8([frame], mode)) == [frame]


def test_a_character_already_cut_by_an_earlier_break_is_not_counted():
    whole = "你".encode()
    head, tail = whole[:2], whole[2:] + "好".encode()
    assert cut_points(head, every=True) == []
    assert cut_points(tail, every=True) == [2]  # 好 starts at offset 1; its lead byte ends at 2


def test_other_items_pass_through_in_order():
    respond = Respond(500, b"{}")
    items = [Delay(5), "你".encode(), Delay(7), respond, "好".encode()]
    out = list(split_utf8(items, "every"))
    assert out == [Delay(5), b"\xe4", b"\xbd\xa0", Delay(7), respond, b"\xe5", b"\xa5\xbd"]
