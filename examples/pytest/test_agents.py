"""Tool calls, retries and errors, as the official SDK sees them."""

from __future__ import annotations

import json
import threading

import openai
import pytest

TOOLS = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]

AGENT = """
schema: 1
name: call-the-tool
description: First turn, the model calls the tool.
match: {turn: 0}
steps:
  - tool_call: {name: get_weather, arguments: {city: Paris}}
---
schema: 1
name: use-the-result
description: With the tool's result, the model answers with it.
match: {tool_result: get_weather}
steps:
  - say: "It is {{tool_result}} in Paris."
"""


def test_tool_call_then_an_answer_using_its_result(mockllm):
    mockllm.scenario(AGENT)
    client = mockllm.openai_client()
    messages = [{"role": "user", "content": "Weather in Paris?"}]

    first = client.chat.completions.create(model="m", messages=messages, tools=TOOLS)
    call = first.choices[0].message.tool_calls[0]
    assert (first.choices[0].finish_reason, call.function.name, json.loads(call.function.arguments)) == ("tool_calls", "get_weather", {"city": "Paris"})

    messages += [first.choices[0].message.model_dump(exclude_none=True), {"role": "tool", "tool_call_id": call.id, "content": "sunny"}]
    second = client.chat.completions.create(model="m", messages=messages, tools=TOOLS)

    assert second.choices[0].message.content == "It is sunny in Paris."
    assert [e["scenario"] for e in mockllm.journal()] == ["call-the-tool", "use-the-result"]


def test_the_sdk_retries_a_rate_limit_on_its_own(mockllm):
    mockllm.scenario(attempts=[[{"error": "rate_limited"}], [{"error": "rate_limited"}], [{"say": "third time lucky"}]])
    reply = mockllm.openai_client().chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}])
    assert reply.choices[0].message.content == "third time lucky"
    assert [(e["status"], e["attempt"]) for e in mockllm.journal()] == [(429, 1), (429, 2), (200, 3)]


def test_a_bad_key_is_an_authentication_error(mockllm):
    mockllm.scenario(steps=[{"error": "invalid_api_key"}])
    with pytest.raises(openai.AuthenticationError):
        mockllm.openai_client().chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}])
    assert [e["status"] for e in mockllm.journal()] == [401]


def test_wait_for_a_request_made_elsewhere(mockllm):
    mockllm.scenario(steps=[{"say": "from a thread"}])
    client = mockllm.openai_client()
    worker = threading.Thread(target=lambda: client.chat.completions.create(model="m", messages=[{"role": "user", "content": "bg"}]))
    worker.start()
    entry = mockllm.wait_for_request(path="/v1/chat/completions")
    worker.join()
    assert entry["body"]["messages"][0]["content"] == "bg" and entry["status"] == 200


def test_a_wrong_path_shows_in_the_journal(mockllm):
    client = mockllm.openai_client(base_url=mockllm.base_url + "/v2", max_retries=0)
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}])
    assert [(e["path"], e["status"]) for e in mockllm.journal()] == [("/v2/chat/completions", 404)]
