"""Per-request overrides of speed, seed and delay, from headers or the query string."""

from __future__ import annotations

import pytest
from multidict import CIMultiDict

from mockllm.core.errors import RequestError
from mockllm.server.request_overrides import Overrides, new_seed, read_overrides


def test_nothing_asked_keeps_the_server_settings() -> None:
    assert read_overrides(CIMultiDict(), {}) == Overrides()
    assert read_overrides(CIMultiDict({"X-Mock-Speed": ""}), {}) == Overrides()


def test_headers() -> None:
    headers = CIMultiDict({"x-mock-speed": "0.5", "X-Mock-Seed": "42", "X-MOCK-DELAY-MS": "12.5"})
    assert read_overrides(headers, {}) == Overrides(speed=0.5, seed=42, delay_ms=12.5)


def test_query() -> None:
    assert read_overrides(CIMultiDict(), {"mock_speed": "0", "mock_seed": "7", "mock_delay_ms": "0"}) == Overrides(speed=0, seed=7, delay_ms=0)


def test_header_wins_over_query() -> None:
    assert read_overrides(CIMultiDict({"X-Mock-Seed": "1"}), {"mock_seed": "2"}).seed == 1


@pytest.mark.parametrize(
    "header, value, message",
    [
        pytest.param("X-Mock-Speed", "fast", "X-Mock-Speed (or ?mock_speed=) must be a number >= 0; got 'fast'.", id="speed-word"),
        pytest.param("X-Mock-Speed", "-1", "X-Mock-Speed (or ?mock_speed=) must be a number >= 0; got '-1'.", id="speed-negative"),
        pytest.param("X-Mock-Speed", "nan", "X-Mock-Speed (or ?mock_speed=) must be a number >= 0; got 'nan'.", id="speed-nan"),
        pytest.param("X-Mock-Speed", "inf", "X-Mock-Speed (or ?mock_speed=) must be a number >= 0; got 'inf'.", id="speed-inf"),
        pytest.param("X-Mock-Seed", "1.5", "X-Mock-Seed (or ?mock_seed=) must be a whole number >= 0; got '1.5'.", id="seed-fraction"),
        pytest.param("X-Mock-Seed", "-3", "X-Mock-Seed (or ?mock_seed=) must be a whole number >= 0; got '-3'.", id="seed-negative"),
        pytest.param("X-Mock-Delay-Ms", "10ms", "X-Mock-Delay-Ms (or ?mock_delay_ms=) must be a number >= 0; got '10ms'.", id="delay-with-unit"),
    ],
)
def test_bad_values_are_400_with_a_message(header: str, value: str, message: str) -> None:
    with pytest.raises(RequestError) as info:
        read_overrides(CIMultiDict({header: value}), {})
    error = info.value.error
    assert (error.status, error.param, error.message) == (400, header, message)


def test_bad_query_value_names_the_header_and_the_key() -> None:
    with pytest.raises(RequestError, match=r"\(or \?mock_seed=\) must be a whole number"):
        read_overrides(CIMultiDict(), {"mock_seed": "x"})


def test_new_seed_is_a_non_negative_int() -> None:
    seeds = {new_seed() for _ in range(20)}
    assert len(seeds) > 1 and all(isinstance(s, int) and s >= 0 for s in seeds)
