"""The official google-genai SDK against a live server: streamed and whole, thoughts, function calls, errors, retries."""

from __future__ import annotations

import pytest
from google import genai
from google.genai import errors, types

from mockllm.scenarios.presets import PROVIDER_PRESETS
from mockllm.server.state import STATE

QUESTION = "你好，请介绍一下你自己。"
WEATHER = types.FunctionDeclaration(
    name="get_weather",
    description="Current weather of a city.",
    parameters=types.Schema(
        type=types.Type.OBJECT,
        properties={"city": types.Schema(type=types.Type.STRING, enum=["北京", "上海"])},
        required=["city"],
    ),
)
TOOLS = types.GenerateContentConfig(tools=[types.Tool(function_declarations=[WEATHER])])


@pytest.fixture
def server(live_server):
    return live_server()


def client(server, api_version: str | None = None, **options) -> genai.Client:
    """A client of the live server (google-genai's default API version is v1; `v1beta` as the Node SDK uses)."""
    http = types.HttpOptions(base_url=server.url, api_version=api_version, **options)
    return genai.Client(api_key="mock-key", http_options=http)


def streamed_text(gemini: genai.Client, model: str, config: types.GenerateContentConfig | None = None) -> str:
    return "".join(chunk.text or "" for chunk in gemini.models.generate_content_stream(model=model, contents=QUESTION, config=config))


@pytest.mark.parametrize("api_version", [None, "v1beta"], ids=["v1", "v1beta"])
def test_streamed_text_equals_the_whole_answer(server, api_version):
    gemini = client(server, api_version)
    whole = gemini.models.generate_content(model="hello", contents=QUESTION)
    assert streamed_text(gemini, "hello") == whole.text and whole.text.startswith("你好！我是 mockllm")
    assert whole.candidates[0].finish_reason == types.FinishReason.STOP
    usage = whole.usage_metadata
    assert usage.prompt_token_count > 0 and usage.total_token_count == usage.prompt_token_count + usage.candidates_token_count
    assert whole.model_version == "hello" and whole.response_id


def test_the_path_model_selects_the_scenario_and_a_journal_entry_records_it(server):
    gemini = client(server)
    gemini.models.generate_content(model="echo", contents="请重复这句话")
    entry = server.call(lambda: server.app[STATE].journal.entries()[-1])
    assert entry["scenario"] == "echo" and entry["path"] == "/v1/models/echo:generateContent"


def test_thoughts_arrive_as_thought_parts_only_when_asked_for(server):
    gemini = client(server)
    thinking = types.GenerateContentConfig(thinking_config=types.ThinkingConfig(include_thoughts=True))
    chunks = list(gemini.models.generate_content_stream(model="think-then-answer", contents=QUESTION, config=thinking))
    parts = [part for chunk in chunks if chunk.candidates[0].content.parts for part in chunk.candidates[0].content.parts]
    thoughts = "".join(part.text for part in parts if part.thought)
    answer = "".join(part.text for part in parts if not part.thought)
    assert thoughts.startswith("用户想知道我是谁") and answer.startswith("我是 mockllm")
    assert chunks[-1].usage_metadata.thoughts_token_count > 0
    hidden = gemini.models.generate_content(model="think-then-answer", contents=QUESTION)
    assert not any(part.thought for part in hidden.candidates[0].content.parts) and hidden.text == answer
    assert hidden.usage_metadata.thoughts_token_count == chunks[-1].usage_metadata.thoughts_token_count


@pytest.mark.parametrize("stream", [True, False], ids=["stream", "whole"])
def test_a_function_call_arrives_whole_with_arguments_from_the_schema(server, stream):
    gemini = client(server)
    if stream:
        calls = [call for chunk in gemini.models.generate_content_stream(model="tool-call", contents=QUESTION, config=TOOLS) for call in chunk.function_calls or ()]
    else:
        calls = gemini.models.generate_content(model="tool-call", contents=QUESTION, config=TOOLS).function_calls
    assert [(call.name, call.args["city"] in ("北京", "上海")) for call in calls] == [("get_weather", True)]


def test_a_forced_function_is_the_one_called(server):
    second = types.FunctionDeclaration(name="get_time", parameters=types.Schema(type=types.Type.OBJECT, properties={}))
    config = types.GenerateContentConfig(
        tools=[types.Tool(function_declarations=[WEATHER, second])],
        tool_config=types.ToolConfig(function_calling_config=types.FunctionCallingConfig(mode="ANY", allowed_function_names=["get_time"])),
    )
    gemini = client(server)
    response = gemini.models.generate_content(model="tool-call", contents=QUESTION, config=config)
    assert [call.name for call in response.function_calls] == ["get_time"]


def test_a_two_turn_tool_loop_is_driven_by_the_agent_scenarios(server):
    gemini = client(server)
    question = types.Content(role="user", parts=[types.Part(text="北京天气怎么样？")])
    first = gemini.models.generate_content(model="gemini-2.5-flash", contents=[question], config=TOOLS)
    [call] = first.function_calls
    result = types.Part.from_function_response(name=call.name, response={"result": "晴，25°C"})
    contents = [question, first.candidates[0].content, types.Content(role="user", parts=[result])]
    answer = "".join(chunk.text or "" for chunk in gemini.models.generate_content_stream(model="gemini-2.5-flash", contents=contents, config=TOOLS))
    assert answer == '根据 get_weather 的结果：{"result":"晴，25°C"}'
    scenarios = server.call(lambda: [entry["scenario"] for entry in server.app[STATE].journal.entries()[-2:]])
    assert scenarios == ["agent-call-tool", "agent-answer"]


@pytest.mark.parametrize(
    ("scenario", "preset", "kind", "code", "status"),
    [
        ("rate-limited", "rate_limited", errors.ClientError, 429, "RESOURCE_EXHAUSTED"),
        ("insufficient-quota", "insufficient_quota", errors.ClientError, 429, "RESOURCE_EXHAUSTED"),
        ("insufficient-balance", "insufficient_balance", errors.ClientError, 429, "RESOURCE_EXHAUSTED"),
        ("invalid-api-key", "invalid_api_key", errors.ClientError, 400, "INVALID_ARGUMENT"),
        ("context-length-exceeded", "context_length_exceeded", errors.ClientError, 400, "INVALID_ARGUMENT"),
        ("internal-server-error", "server_error", errors.ServerError, 500, "INTERNAL"),
        ("unavailable", "unavailable", errors.ServerError, 503, "UNAVAILABLE"),
        ("overloaded", "overloaded", errors.ServerError, 503, "UNAVAILABLE"),
    ],
)
@pytest.mark.parametrize("stream", [True, False], ids=["stream", "whole"])
def test_an_error_preset_raises_the_sdk_error_the_real_service_causes(server, scenario, preset, kind, code, status, stream):
    gemini = client(server)
    with pytest.raises(kind) as raised:
        if stream:
            list(gemini.models.generate_content_stream(model=scenario, contents=QUESTION))
        else:
            gemini.models.generate_content(model=scenario, contents=QUESTION)
    assert (raised.value.code, raised.value.status) == (code, status)
    assert raised.value.message == PROVIDER_PRESETS["Gemini"][preset].message.replace("{{model}}", scenario)


def test_a_rate_limit_carries_the_retry_delay_google_sends_in_its_details(server):
    gemini = client(server)
    with pytest.raises(errors.ClientError) as raised:
        gemini.models.generate_content(model="rate-limited", contents=QUESTION)
    details = {detail["@type"].rsplit(".", 1)[1]: detail for detail in raised.value.details["error"]["details"]}
    assert details["RetryInfo"]["retryDelay"] == "1s" and details["QuotaFailure"]["violations"][0]["quotaDimensions"]["model"] == "rate-limited"
    assert "retry-after" not in raised.value.response.headers


def test_an_invalid_key_says_api_key_invalid_in_its_error_info(server):
    gemini = client(server)
    with pytest.raises(errors.ClientError) as raised:
        gemini.models.generate_content(model="invalid-api-key", contents=QUESTION)
    assert raised.value.details["error"]["details"][0]["reason"] == "API_KEY_INVALID"


@pytest.mark.parametrize("stream", [True, False], ids=["stream", "whole"])
def test_a_content_filter_is_a_blocked_prompt_the_sdk_returns_without_raising(server, stream):
    gemini = client(server)
    if stream:
        [response] = list(gemini.models.generate_content_stream(model="content-filter", contents=QUESTION))
    else:
        response = gemini.models.generate_content(model="content-filter", contents=QUESTION)
    assert response.prompt_feedback.block_reason == types.BlockedReason.PROHIBITED_CONTENT
    assert response.candidates is None and response.text is None and response.usage_metadata.prompt_token_count > 0


def test_a_midstream_error_raises_after_the_partial_text(server):
    gemini, received = client(server), []
    with pytest.raises(errors.ServerError) as raised:
        for chunk in gemini.models.generate_content_stream(model="midstream-error", contents=QUESTION):
            received.append(chunk.text or "")
    assert "".join(received) == "好的，我先回答一部分，The answer starts"
    assert (raised.value.code, raised.value.status, raised.value.message) == (500, "INTERNAL", PROVIDER_PRESETS["Gemini"]["server_error"].message)


def test_the_sdk_retries_advance_an_attempts_scenario(server):
    retry = types.HttpRetryOptions(attempts=3, initial_delay=0.01, max_delay=0.02, jitter=0)
    gemini = client(server, retry_options=retry)
    response = gemini.models.generate_content(model="fail-twice-then-succeed", contents=QUESTION)
    assert response.text.startswith("你好！我是 mockllm")
    statuses = server.call(lambda: [entry["status"] for entry in server.app[STATE].journal.entries()[-3:]])
    assert statuses == [429, 429, 200]


def test_the_sdk_retries_an_overloaded_model_and_not_an_invalid_key(server):
    retry = types.HttpRetryOptions(attempts=2, initial_delay=0.01, max_delay=0.02, jitter=0)
    gemini = client(server, retry_options=retry)
    for scenario, kind in (("overloaded", errors.ServerError), ("invalid-api-key", errors.ClientError)):
        with pytest.raises(kind):
            gemini.models.generate_content(model=scenario, contents=QUESTION)
    scenarios = server.call(lambda: [entry["scenario"] for entry in server.app[STATE].journal.entries()])
    assert (scenarios.count("overloaded"), scenarios.count("invalid-api-key")) == (2, 1)


def test_count_tokens_matches_the_prompt_token_count(server):
    gemini = client(server)
    counted = gemini.models.count_tokens(model="hello", contents=QUESTION)
    assert counted.total_tokens == gemini.models.generate_content(model="hello", contents=QUESTION).usage_metadata.prompt_token_count


@pytest.mark.parametrize("api_version", [None, "v1beta"], ids=["v1", "v1beta"])
def test_models_are_listed_and_fetched(server, api_version):
    gemini = client(server, api_version)
    names = [model.name for model in gemini.models.list()]
    assert "models/hello" in names and gemini.models.get(model="hello").display_name == "hello"
    with pytest.raises(errors.ClientError) as missing:
        gemini.models.get(model="no-such-model")
    assert (missing.value.code, missing.value.status) == (404, "NOT_FOUND")


@pytest.mark.parametrize("api_version", [None, "v1beta"], ids=["v1", "v1beta"])
def test_a_path_no_route_answers_raises_not_found_in_googles_shape(server, api_version):
    gemini = client(server, api_version)
    with pytest.raises(errors.ClientError) as raised:
        gemini.caches.list()
    assert (raised.value.code, raised.value.status) == (404, "NOT_FOUND") and raised.value.message.startswith("No route GET /")
