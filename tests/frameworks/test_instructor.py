"""instructor against mockllm: its default Mode.TOOLS, Mode.JSON / MD_JSON with the schema in the prompt, partial streaming, errors."""

from __future__ import annotations

import instructor  # installed by the test command: pip install --no-deps instructor==1.16.0 (docs/frameworks.md)
import openai
import pytest
from framework_leaks import collect_what_the_framework_left_open  # noqa: F401 (an autouse fixture)
from instructor.core.exceptions import InstructorRetryException  # noqa: E402
from pydantic import BaseModel


class Weather(BaseModel):
    city: str
    temperature: int


def patched(mockllm, mode=None):
    client = mockllm.openai_client(max_retries=0)
    return instructor.from_openai(client) if mode is None else instructor.from_openai(client, mode=mode)


ASK = [{"role": "user", "content": "What is the weather in Beijing?"}]


def test_the_default_tools_mode_gets_a_valid_object(mockllm):
    weather = patched(mockllm).chat.completions.create(model="hello", response_model=Weather, messages=ASK, max_retries=0)
    assert isinstance(weather, Weather)
    body = mockllm.journal()[-1]["body"]
    assert body["tool_choice"] == {"type": "function", "function": {"name": "Weather"}}


@pytest.mark.parametrize("mode", ["JSON", "JSON_SCHEMA"])
def test_json_modes_follow_the_schema(mockllm, mode):
    client = patched(mockllm, getattr(instructor.Mode, mode))
    weather = client.chat.completions.create(model="hello", response_model=Weather, messages=ASK, max_retries=0)
    assert isinstance(weather, Weather)


def test_partial_objects_stream_and_end_valid(mockllm):
    client = patched(mockllm)
    partials = list(client.chat.completions.create_partial(model="hello", response_model=Weather, messages=ASK, max_retries=0))
    assert len(partials) > 1
    Weather.model_validate(partials[-1].model_dump())


def test_a_rate_limit_is_a_retry_exception_caused_by_the_sdk_error(mockllm):
    with pytest.raises(InstructorRetryException) as raised:
        patched(mockllm).chat.completions.create(model="rate-limited", response_model=Weather, messages=ASK, max_retries=0)
    assert isinstance(raised.value.__cause__, openai.RateLimitError)


def test_a_midstream_error_ends_a_partial_stream(mockllm):
    client = patched(mockllm)
    with pytest.raises(InstructorRetryException, match="The server had an error") as raised:
        list(client.chat.completions.create_partial(model="midstream-error", response_model=Weather, messages=ASK, max_retries=0))
    assert isinstance(raised.value.__cause__, openai.APIError)
