"""The OpenAI Agents SDK against mockllm (its default Responses model): streaming, its tool loop, output types, errors."""

from __future__ import annotations

import openai
import pytest
from agents import Agent, ModelSettings, OpenAIChatCompletionsModel, OpenAIResponsesModel, Runner, function_tool  # noqa: E402
from agents.tracing import set_tracing_disabled  # noqa: E402
from framework_leaks import collect_what_the_framework_left_open  # noqa: F401 (an autouse fixture)
from openai.types.responses import ResponseTextDeltaEvent  # noqa: E402
from pydantic import BaseModel

HELLO = "你好！我是 mockllm，一个用于测试的模拟大模型。Hello! How can I help you today?"
set_tracing_disabled(True)  # traces would go to OpenAI's servers


class Weather(BaseModel):
    city: str
    temperature: int


@function_tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"{city}: sunny, 25°C"


@pytest.fixture
async def client(mockllm):
    """An AsyncOpenAI client of this test's session, closed on the test's own event loop."""
    client = mockllm.async_openai_client(max_retries=0)
    yield client
    await client.close()


def responses_model(client, name: str) -> OpenAIResponsesModel:
    return OpenAIResponsesModel(name, openai_client=client)


async def test_streamed_text_arrives_in_order(mockllm, client):
    run = Runner.run_streamed(Agent("assistant", model=responses_model(client, "hello")), "hi")
    deltas = [event.data.delta async for event in run.stream_events() if event.type == "raw_response_event" and isinstance(event.data, ResponseTextDeltaEvent)]
    assert "".join(deltas) == HELLO and len(deltas) > 5
    assert run.final_output == HELLO


async def test_the_agent_calls_its_tool_then_answers_with_the_result(mockllm, client):
    agent = Agent("assistant", model=responses_model(client, "gpt-4.1"), tools=[get_weather])
    result = await Runner.run(agent, "What is the weather in Beijing?")
    assert "sunny, 25°C" in result.final_output
    assert [item.type for item in result.new_items].count("tool_call_output_item") == 1


async def test_an_output_type_gets_a_valid_object(mockllm, client):
    result = await Runner.run(Agent("assistant", model=responses_model(client, "hello"), output_type=Weather), "weather?")
    assert isinstance(result.final_output, Weather)


async def test_a_required_tool_choice_gets_a_tool_call(mockllm, client):
    settings = ModelSettings(tool_choice="get_weather")
    agent = Agent("assistant", model=responses_model(client, "hello"), tools=[get_weather], model_settings=settings, tool_use_behavior="stop_on_first_tool")
    result = await Runner.run(agent, "weather?")
    assert result.final_output.endswith("sunny, 25°C")


async def test_the_chat_completions_model_with_an_output_type(mockllm, client):
    model = OpenAIChatCompletionsModel("hello", openai_client=client)
    result = await Runner.run(Agent("assistant", model=model, output_type=Weather), "weather?")
    assert isinstance(result.final_output, Weather)


async def test_a_rate_limit_raises_the_sdk_rate_limit_error(mockllm, client):
    with pytest.raises(openai.RateLimitError):
        await Runner.run(Agent("assistant", model=responses_model(client, "rate-limited")), "hi")


async def test_a_midstream_error_raises_after_the_partial_text(mockllm, client):
    run = Runner.run_streamed(Agent("assistant", model=responses_model(client, "midstream-error")), "hi")
    seen = []
    with pytest.raises(openai.APIError, match="The server had an error"):
        async for event in run.stream_events():
            if event.type == "raw_response_event" and isinstance(event.data, ResponseTextDeltaEvent):
                seen.append(event.data.delta)
    assert "".join(seen).startswith("好的，我先回答一部分")
