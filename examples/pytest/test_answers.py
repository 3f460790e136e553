"""Each test posts its own answer and sees only its own requests, however many tests run at once."""

from __future__ import annotations

import pytest

WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"]


@pytest.mark.parametrize("word", WORDS)
def test_each_test_gets_its_own_answer_and_journal(mockllm, word):
    mockllm.scenario(steps=[{"say": f"you said {word}"}])
    client = mockllm.openai_client()

    reply = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": word}])

    assert reply.choices[0].message.content == f"you said {word}"
    [entry] = mockllm.journal()
    assert entry["body"]["messages"] == [{"role": "user", "content": word}]
    assert (entry["scenario"], entry["status"], entry["session"]) == ("default", 200, mockllm.session)


def test_streamed_answer_arrives_in_deltas(mockllm):
    mockllm.scenario(steps=[{"say": "one two three four"}], stream={"unit": "word"})
    client = mockllm.openai_client()

    stream = client.chat.completions.create(model="m", messages=[{"role": "user", "content": "count"}], stream=True)
    deltas = [chunk.choices[0].delta.content for chunk in stream if chunk.choices and chunk.choices[0].delta.content]

    assert "".join(deltas) == "one two three four" and len(deltas) == 4
    assert mockllm.wait_for_request()["stream"] is True


def test_a_shared_scenario_file_by_model_name(mockllm):
    client = mockllm.openai_client()
    reply = client.chat.completions.create(model="weather", messages=[{"role": "user", "content": "weather?"}])
    assert reply.choices[0].message.content == "Sunny, 24 °C."
    assert [e["scenario"] for e in mockllm.journal()] == ["weather"]


def test_the_async_client_too(mockllm):
    import asyncio

    mockllm.scenario(steps=[{"say": "awaited"}])

    async def ask():
        async with mockllm.async_openai_client() as client:
            reply = await client.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}])
            return reply.choices[0].message.content

    assert asyncio.run(ask()) == "awaited"
    assert len(mockllm.journal()) == 1
