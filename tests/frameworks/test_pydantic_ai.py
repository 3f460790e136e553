"""PydanticAI against mockllm: streaming, its tool loop, its default structured output (an output tool), errors."""

from __future__ import annotations

import pytest
from framework_leaks import collect_what_the_framework_left_open  # noqa: F401 (an autouse fixture)
from pydantic import BaseModel
from pydantic_ai import Agent  # noqa: E402
from pydantic_ai.exceptions import ModelHTTPError  # noqa: E402
from pydantic_ai.models.anthropic import AnthropicModel  # noqa: E402
from pydantic_ai.models.google import GoogleModel  # noqa: E402
from pydantic_ai.models.openai import OpenAIChatModel  # noqa: E402
from pydantic_ai.providers.anthropic import AnthropicProvider  # noqa: E402
from pydantic_ai.providers.google import GoogleProvider  # noqa: E402
from pydantic_ai.providers.openai import OpenAIProvider  # noqa: E402

HELLO = "你好！我是 mockllm，一个用于测试的模拟大模型。Hello! How can I help you today?"


class Weather(BaseModel):
    city: str
    temperature: int


@pytest.fixture
async def client(mockllm):
    """An AsyncOpenAI client of this test's session, closed on the test's own event loop."""
    client = mockllm.async_openai_client(max_retries=0)
    yield client
    await client.close()


def openai_model(client, name: str) -> OpenAIChatModel:
    return OpenAIChatModel(name, provider=OpenAIProvider(openai_client=client))


def weather_agent(model) -> Agent:
    agent = Agent(model)

    @agent.tool_plain
    def get_weather(city: str) -> str:
        """The weather in a city."""
        return f"{city}: sunny, 25°C"

    return agent


async def test_streamed_text_arrives_in_order(mockllm, client):
    agent = Agent(openai_model(client, "hello"))
    async with agent.run_stream("hi") as run:
        deltas = [delta async for delta in run.stream_text(delta=True, debounce_by=None)]
    assert "".join(deltas) == HELLO and len(deltas) > 5


async def test_the_agent_calls_its_tool_then_answers_with_the_result(mockllm, client):
    result = await weather_agent(openai_model(client, "gpt-4o-mini")).run("What is the weather in Beijing?")
    assert "sunny, 25°C" in result.output
    calls = [part.tool_name for message in result.all_messages() for part in message.parts if part.part_kind == "tool-call"]
    assert calls == ["get_weather"]


async def test_the_default_output_type_gets_a_valid_object(mockllm, client):
    result = await Agent(openai_model(client, "hello"), output_type=Weather).run("weather in Beijing?")
    assert isinstance(result.output, Weather)
    assert mockllm.journal()[-1]["body"]["tool_choice"] == "required"


async def test_a_tool_loop_ending_in_the_output_tool(mockllm, client):
    agent = Agent(openai_model(client, "gpt-4o-mini"), output_type=Weather)

    @agent.tool_plain
    def get_weather(city: str) -> str:
        """The weather in a city."""
        return f"{city}: sunny, 25°C"

    result = await agent.run("What is the weather in Beijing?")
    assert isinstance(result.output, Weather)


async def test_anthropic_and_gemini_output_tools_get_valid_objects(mockllm, client):
    anthropic_client = AnthropicProvider(api_key="mockllm", base_url=mockllm.base_url)
    anthropic_client.client._custom_headers.update({**mockllm.headers, "X-Mock-Scenario": "hello"})
    claude = AnthropicModel("claude-sonnet-4-5", provider=anthropic_client)
    assert isinstance((await Agent(claude, output_type=Weather).run("weather?")).output, Weather)
    google = GoogleProvider(api_key="mockllm", base_url=mockllm.base_url)
    gemini = GoogleModel("hello", provider=google)
    assert isinstance((await Agent(gemini, output_type=Weather).run("weather?")).output, Weather)


async def test_a_rate_limit_is_a_429_model_http_error(mockllm, client):
    with pytest.raises(ModelHTTPError) as raised:
        await Agent(openai_model(client, "rate-limited")).run("hi")
    assert raised.value.status_code == 429


async def test_a_midstream_error_raises_after_the_partial_text(mockllm, client):
    agent = Agent(openai_model(client, "midstream-error"))
    seen = []
    with pytest.raises(ModelHTTPError) as raised:  # ModelServerError, for the stream's server_error
        async with agent.run_stream("hi") as run:
            async for delta in run.stream_text(delta=True, debounce_by=None):
                seen.append(delta)
    assert "The server had an error" in str(raised.value), repr(raised.value)
    # PydanticAI may drop the deltas still queued when the error arrives in the same network read (a loaded machine):
    # what it did yield is a prefix of the partial answer.
    assert "好的，我先回答一部分，The answer starts".startswith("".join(seen)), (seen, repr(raised.value))
