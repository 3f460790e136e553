"""frames_per_write: N frames per write, delays kept, other items flush what is held."""

from mockllm.core.events import Delay, Respond
from mockllm.stream.wire.coalesce import coalesce

FRAMES = [f"data: {i}\n\n".encode() for i in range(7)]


def test_groups_of_n_frames_become_one_write():
    out = list(coalesce(FRAMES, 3))
    assert out == [b"".join(FRAMES[0:3]), b"".join(FRAMES[3:6]), FRAMES[6]]
    assert b"".join(out) == b"".join(FRAMES)


def test_delays_pass_before_the_merged_write_so_it_goes_when_its_last_frame_was_due():
    items = [Delay(100), FRAMES[0], Delay(30), FRAMES[1], Delay(30), FRAMES[2]]
    assert list(coalesce(items, 2)) == [Delay(100), Delay(30), FRAMES[0] + FRAMES[1], Delay(30), FRAMES[2]]


def test_another_item_flushes_the_frames_held_before_it():
    respond = Respond(200, b"x")
    items = [FRAMES[0], respond, FRAMES[1]]
    assert list(coalesce(items, 3)) == [FRAMES[0], respond, FRAMES[1]]


def test_one_frame_per_write_changes_nothing():
    items = [Delay(1), FRAMES[0], FRAMES[1]]
    assert list(coalesce(items, 1)) == items


def test_empty_frames_count_as_frames():
    assert list(coalesce([b"", b"a", b"", b"b"], 2)) == [b"a", b"b"]
