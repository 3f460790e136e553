"""The splice: faults applied to a lazy dialect's frames, at their points, whatever the framing."""

from __future__ import annotations

from mockllm.core.events import Abort, Close, Delay, Fault, Hang, Respond, Text
from mockllm.core.request import ChatRequest
from mockllm.dialects import DIALECTS
from mockllm.scenarios.faults import StreamFacts, parse_fault
from mockllm.scenarios.scenario import Scenario
from mockllm.stream.call import Call
from mockllm.stream.faults import with_faults
from mockllm.stream.pipeline import wire_items

EVENTS = [Delay(100), Text("a"), Delay(50), Text("b"), Delay(50), Text("c")]


def sse(events):
    """A lazy toy framing: one frame per delta, a closing frame at the end."""
    for event in events:
        if isinstance(event, Text):
            yield f"data: {event.text}\n\n".encode()
        else:
            yield event
    yield b"data: [DONE]\n\n"


def run(*faults, events=EVENTS, facts=None):
    return list(with_faults(events, [parse_fault(f) for f in faults], sse, facts))


A, B, C, DONE = b"data: a\n\n", b"data: b\n\n", b"data: c\n\n", b"data: [DONE]\n\n"
NORMAL = [Delay(100), A, Delay(50), B, Delay(50), C, DONE]


def test_no_faults_changes_nothing():
    assert run() == NORMAL


def test_reset_after_deltas_ends_after_that_frame_without_the_closing_frame():
    assert run({"fault": "reset", "after_deltas": 2}) == [Delay(100), A, Delay(50), B, Abort()]


def test_close_by_default_drops_only_the_closing_frames():
    assert run({"fault": "close"}) == [Delay(100), A, Delay(50), B, Delay(50), C, Close(True)]


def test_hang_after_ms_strikes_inside_the_delay():
    assert run({"fault": "hang", "after_ms": 120, "ms": 500}) == [Delay(100), A, Delay(20), Hang(500)]


def test_before_headers_strikes_before_the_dialect_runs():
    assert run({"fault": "reset", "before_headers": True}) == [Abort()]
    assert run("no_response") == [Hang(None)]


def test_duplicate_repeats_the_frame_of_delta_n():
    assert run({"fault": "duplicate", "after_deltas": 2}) == [Delay(100), A, Delay(50), B, B, Delay(50), C, DONE]


def test_malformed_follows_the_frame_with_a_truncated_copy():
    frame = b'data: {"content":"abcdef"}\n\n'
    events = [Text("x")]

    def framing(items):
        for item in items:
            if isinstance(item, Text):
                yield frame

    faults = [parse_fault({"fault": "malformed", "after_deltas": 1})]
    assert list(with_faults(events, faults, framing)) == [frame, b'data: {"content"\n\n']


def test_missing_separator_defaults_to_the_last_frame():
    assert run("missing_separator") == [*NORMAL[:-1], b"data: [DONE]\n"]


def test_missing_separator_after_deltas_runs_two_frames_together():
    assert run({"fault": "missing_separator", "after_deltas": 1}) == [Delay(100), b"data: a\n", Delay(50), B, Delay(50), C, DONE]


def test_a_frame_fault_without_a_frame_at_its_point_takes_the_next_frame():
    assert run({"fault": "duplicate", "after_ms": 120}) == [Delay(100), A, Delay(20), Delay(30), B, B, Delay(50), C, DONE]
    assert run({"fault": "duplicate", "before_headers": True}) == [Delay(100), A, A, Delay(50), B, Delay(50), C, DONE]


def test_trickle_from_a_point_reshapes_every_later_frame():
    out = run({"fault": "trickle", "after_deltas": 2, "bytes_per_s": 1000, "chunk_bytes": 4})
    assert out[:3] == [Delay(100), A, Delay(50)]
    rest = out[3:]
    assert b"".join(i for i in rest if isinstance(i, bytes)) == B + C + DONE
    assert all(len(i) <= 4 for i in rest if isinstance(i, bytes))
    assert [i for i in rest if isinstance(i, Delay)].count(Delay(4.0)) == len([i for i in rest if isinstance(i, bytes)])


def test_keepalive_sends_the_heartbeat_while_queued():
    out = run({"fault": "keepalive", "every_ms": 400, "for_ms": 1000}, facts=StreamFacts(b": ping\n\n"))
    beat = b": ping\n\n"
    assert out == [beat, Delay(400), beat, Delay(400), beat, Delay(200), *NORMAL]


def test_keepalive_without_heartbeat_bytes_only_waits():
    assert run({"fault": "keepalive", "every_ms": 600, "for_ms": 1000}) == [Delay(600), Delay(400), *NORMAL]


def test_slow_first_token_adds_a_wait_before_anything():
    assert run({"fault": "slow_first_token", "ms": 3000}) == [Delay(3000), *NORMAL]


def test_a_fault_event_from_a_step_strikes_where_it_stands():
    events = [Text("a"), Fault(parse_fault("reset")), Text("b")]
    assert list(with_faults(events, [], sse)) == [A, Abort()]


def test_the_dialect_is_closed_after_a_fault_ends_the_stream():
    closed = []

    def framing(items):
        try:
            yield from sse(items)
        finally:
            closed.append(True)

    out = list(with_faults(EVENTS, [parse_fault({"fault": "reset", "after_deltas": 1})], framing))
    assert out[-1] == Abort() and closed == [True]


def call_of(steps, faults, stream=True):
    scenario = Scenario.model_validate(
        {"schema": 1, "name": "t", "description": "d", "stream": {"unit": "char"}, "steps": steps, "faults": faults}
    )
    chat = ChatRequest(messages=(("user", "hi"),), model="m", stream=stream)
    return Call(chat, scenario, seed=1, seeded=True, speed=0, stream_config=scenario.stream)


def openai_frames(call):
    return [item for item in wire_items(call, DIALECTS["openai"]) if not isinstance(item, Delay)]


def test_openai_close_drops_finish_and_done():
    normal = openai_frames(call_of([{"say": "你好"}], []))
    closed = openai_frames(call_of([{"say": "你好"}], ["close"]))
    assert normal[-1] == b"data: [DONE]\n\n" and b'"finish_reason":"stop"' in normal[-2]
    assert closed == [*normal[:-2], Close(True)]


def test_openai_reset_after_one_delta_keeps_the_role_frame_and_that_delta():
    normal = openai_frames(call_of([{"say": "你好"}], []))
    reset = openai_frames(call_of([{"say": "你好"}], [{"fault": "reset", "after_deltas": 1}]))
    assert reset == [*normal[:2], Abort()]


def test_openai_whole_answer_resets_instead_of_responding():
    items = list(wire_items(call_of([{"say": "你好"}], ["reset"], stream=False), DIALECTS["openai"]))
    assert items[-1] == Abort() and not any(isinstance(i, bytes) for i in items)


def test_openai_whole_answer_with_keepalive_only_waits():
    items = list(wire_items(call_of([{"say": "你好"}], [{"fault": "keepalive", "every_ms": 50, "for_ms": 100}], stream=False), DIALECTS["openai"]))
    assert items[:2] == [Delay(50), Delay(50)] and isinstance(items[-1], Respond)
    assert not any(isinstance(i, bytes) for i in items)
