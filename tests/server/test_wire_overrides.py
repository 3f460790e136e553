"""Per-request wire options: `X-Mock-Wire` / `?mock_wire=` over the scenario's block, 400 when bad."""

import pytest

from mockllm.core.errors import RequestError
from mockllm.scenarios.wire import WireConfig
from mockllm.server.wire_overrides import parse_options, request_wire

SCENARIO_WIRE = WireConfig(frames_per_write=2, line_ending="crlf")


def test_parse_options_reads_pairs_none_and_escapes():
    assert parse_options(" split_utf8=every , max_write_bytes = none,heartbeat_text=:\\n\\n,") == {
        "split_utf8": "every",
        "max_write_bytes": None,
        "heartbeat_text": ":\n\n",
    }


def test_the_header_changes_only_what_it_names():
    wire = request_wire(SCENARIO_WIRE, {"X-Mock-Wire": "split_utf8=true,max_write_bytes=7"}, {})
    assert wire == WireConfig(frames_per_write=2, line_ending="crlf", split_utf8="first", max_write_bytes=7)


def test_the_query_works_for_clients_without_headers_and_the_header_wins():
    assert request_wire(SCENARIO_WIRE, {}, {"mock_wire": "frames_per_write=5"}).frames_per_write == 5
    both = request_wire(SCENARIO_WIRE, {"X-Mock-Wire": "frames_per_write=4"}, {"mock_wire": "frames_per_write=5"})
    assert both.frames_per_write == 4


def test_none_clears_a_scenario_option():
    assert request_wire(SCENARIO_WIRE, {"X-Mock-Wire": "line_ending=none"}, {}).line_ending is None


def test_no_override_keeps_the_scenario_block():
    assert request_wire(SCENARIO_WIRE, {}, {}) is SCENARIO_WIRE


@pytest.mark.parametrize(
    "raw, message",
    [
        ("frames_per_write=0", "frames_per_write: input should be greater than or equal to 1; got '0'."),
        ("max_write_bytes=seven", "max_write_bytes: input should be a valid integer"),
        ("split_utf8=maybe", "split_utf8: input should be 'off', 'first' or 'every'; got 'maybe'."),
        ("frames=3", "unknown key 'frames'; valid keys: data_space, frames_per_write,"),
        ("split_utf8", "expected key=value pairs separated by commas; got 'split_utf8'."),
        ("=3", "expected key=value pairs separated by commas; got '=3'."),
    ],
    ids=["below-minimum", "not-a-number", "bad-mode", "unknown-key", "no-value", "no-key"],
)
def test_bad_values_are_400_with_a_clear_message(raw, message):
    with pytest.raises(RequestError) as info:
        request_wire(WireConfig(), {"X-Mock-Wire": raw}, {})
    error = info.value.error
    assert error.status == 400
    assert error.message.startswith("X-Mock-Wire (or ?mock_wire=): ")
    assert message in error.message
