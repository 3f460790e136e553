"""WireConfig: defaults change nothing, bad values are clear, the gap default follows the break options."""

import pytest
from pydantic import ValidationError

from mockllm.scenarios.wire import DEFAULT_BREAK_GAP_MS, WireConfig


def test_defaults_change_nothing():
    config = WireConfig()
    assert not config.breaks_writes
    assert config.write_gap_ms == 0


@pytest.mark.parametrize(
    "given, mode", [(True, "first"), (False, "off"), ("true", "first"), ("every", "every")], ids=str
)
def test_split_utf8_takes_booleans_and_modes(given, mode):
    assert WireConfig(split_utf8=given).split_utf8 == mode


@pytest.mark.parametrize(
    "options", [{"split_utf8": "every"}, {"frames_per_write": 3}, {"max_write_bytes": 7}], ids=lambda o: next(iter(o))
)
def test_break_options_default_to_a_gap_between_writes(options):
    assert WireConfig(**options).write_gap_ms == DEFAULT_BREAK_GAP_MS
    assert WireConfig(**options, gap_ms=0).write_gap_ms == 0


def test_gap_ms_alone_spaces_every_write():
    assert WireConfig(gap_ms=25).write_gap_ms == 25


@pytest.mark.parametrize(
    "options, where",
    [
        ({"frames_per_write": 0}, "frames_per_write"),
        ({"max_write_bytes": 0}, "max_write_bytes"),
        ({"gap_ms": -1}, "gap_ms"),
        ({"heartbeat_ms": 0}, "heartbeat_ms"),
        ({"line_ending": "cr"}, "line_ending"),
        ({"split_utf8": "sometimes"}, "split_utf8"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_bad_values_name_their_key(options, where):
    with pytest.raises(ValidationError) as info:
        WireConfig(**options)
    assert info.value.errors()[0]["loc"][0] == where


def test_unknown_keys_list_the_valid_ones():
    with pytest.raises(ValidationError, match="valid keys: data_space, frames_per_write"):
        WireConfig.model_validate({"frames_per_writes": 2})
