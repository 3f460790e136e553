"""OpenAI Chat Completions: request parsing, and the exact bytes of streamed and whole answers."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

import pytest

from mockllm.core.errors import RequestError
from mockllm.core.events import Delay, Error, Gap, Respond
from mockllm.core.incoming import Incoming
from mockllm.dialects.openai import DONE, OBFUSCATION_BLOCK, OpenAIChat, read_messages
from mockllm.stream.pipeline import wire_items

DIALECT = OpenAIChat()
HEAD = (
    'data: {"id":"chatcmpl-wGyMIZ3VMtv9CFil7SSP0fkHtJP5D","object":"chat.completion.chunk","created":1735689600,'
    '"model":"gpt-test","service_tier":"default","system_fingerprint":"fp_18e6f6cd4e","choices":'
)
ROLE = '[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}]'
INSTANT = {"first_token_ms": 0, "delay_ms": 0}
#: The last field of every chunk: `obfuscation` padding (pinned byte for byte by the golden files; taken off here).
OBFUSCATION = re.compile(rb',"obfuscation":"([A-Za-z0-9]+)"\}\n\n$')


def frame(choices: str, usage: str | None = None) -> bytes:
    """One chunk frame; `usage` is the raw JSON after `"usage":` (include_usage streams)."""
    tail = f',"usage":{usage}' if usage is not None else ""
    return (HEAD + choices + tail + "}\n\n").encode()


def content(text: str) -> str:
    return '[{"index":0,"delta":{"content":' + json.dumps(text, ensure_ascii=False) + '},"logprobs":null,"finish_reason":null}]'


def finish(reason: str = "stop") -> str:
    return '[{"index":0,"delta":{},"logprobs":null,"finish_reason":"' + reason + '"}]'


def wire(make_call: Any, steps: list[Any], *, keep_delays: bool = False, **options: Any) -> list[Any]:
    """The stream's items, the `obfuscation` field taken off each chunk (every chunk must have one)."""
    options.setdefault("stream", INSTANT)
    call = make_call(steps, model="gpt-test", **options)
    items = [item for item in wire_items(call, DIALECT) if not isinstance(item, Gap) and (keep_delays or not isinstance(item, Delay))]
    return [unpadded(item) for item in items]


def unpadded(item: Any) -> Any:
    if not isinstance(item, bytes) or not item.startswith(b"data: {") or item.startswith(b'data: {"error"'):
        return item
    stripped, found = OBFUSCATION.subn(b"}\n\n", item)
    assert found == 1, item
    return stripped


def test_every_chunk_carries_seeded_obfuscation_padding_to_a_block(make_call: Any) -> None:
    """As the service sends it: the last field of every chunk, letters and digits, the same for the same seed."""
    steps = [{"say": "你好 world"}]
    first = [item for item in wire_items(make_call(steps, model="gpt-test", stream=INSTANT), DIALECT) if isinstance(item, bytes)]
    again = [item for item in wire_items(make_call(steps, model="gpt-test", stream=INSTANT), DIALECT) if isinstance(item, bytes)]
    assert first == again
    chunks = [json.loads(item[6:]) for item in first if item != DONE]
    assert len(chunks) == 5 and all(list(chunk)[-1] == "obfuscation" and chunk["obfuscation"].isalnum() for chunk in chunks)
    texts = [chunk["choices"][0]["delta"]["content"] for chunk in chunks[1:-1]]
    assert all((len(text) + len(chunk["obfuscation"])) % OBFUSCATION_BLOCK == 0 for text, chunk in zip(texts, chunks[1:-1]))


def test_include_obfuscation_false_turns_the_padding_off(make_call: Any) -> None:
    call = make_call([{"say": "你好"}], model="gpt-test", stream=INSTANT, include_usage=True)
    call.chat = replace(call.chat, body={"stream_options": {"include_usage": True, "include_obfuscation": False}})
    frames = [item for item in wire_items(call, DIALECT) if isinstance(item, bytes)]
    assert len(frames) == 6 and not any(b"obfuscation" in frame for frame in frames)


def test_stream_bytes(make_call: Any) -> None:
    assert wire(make_call, [{"say": "你好 world"}], stream={**INSTANT, "unit": "word"}) == [
        frame(ROLE),
        frame(content("你")),
        frame(content("好")),
        frame(content(" world")),
        frame(finish()),
        DONE,
    ]
    assert DONE == b"data: [DONE]\n\n"


def test_stream_with_include_usage(make_call: Any) -> None:
    items = wire(make_call, [{"say": "你好"}, {"finish": "length"}], stream={**INSTANT, "unit": "char"}, include_usage=True)
    usage = (
        '{"prompt_tokens":8,"completion_tokens":2,"total_tokens":10,'
        '"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},'
        '"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,'
        '"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}'
    )
    assert items == [
        frame(ROLE, "null"),
        frame(content("你"), "null"),
        frame(content("好"), "null"),
        frame(finish("length"), "null"),
        frame("[]", usage),
        DONE,
    ]


def test_usage_step_overrides_counts(make_call: Any) -> None:
    items = wire(make_call, [{"say": "hi"}, {"usage": {"prompt_tokens": 100, "completion_tokens": 5}}], include_usage=True)
    usage = json.loads(items[-2][len(b"data: ") :])["usage"]
    assert (usage["prompt_tokens"], usage["completion_tokens"], usage["total_tokens"]) == (100, 5, 105)


def test_think_is_reasoning_content_and_counted(make_call: Any) -> None:
    items = wire(make_call, [{"think": "嗯"}, {"say": "好"}], include_usage=True)
    assert items[1] == frame('[{"index":0,"delta":{"content":null,"reasoning_content":"嗯"},"logprobs":null,"finish_reason":null}]', "null")
    usage = json.loads(items[-2][len(b"data: ") :])["usage"]
    assert (usage["completion_tokens"], usage["completion_tokens_details"]["reasoning_tokens"]) == (2, 1)


def test_no_text_still_sends_role_finish_and_done(make_call: Any) -> None:
    assert wire(make_call, [{"finish": "content_filter"}]) == [frame(ROLE), frame(finish("content_filter")), DONE]


def test_delays_pass_through_in_place(make_call: Any) -> None:
    items = wire(make_call, [{"pause": 50}, {"say": "a"}], keep_delays=True, stream={"first_token_ms": 100, "delay_ms": 0})
    assert items == [Delay(50), Delay(100), frame(ROLE), frame(content("a")), frame(finish()), DONE]


ERROR_BODY = (
    b'{\n    "error": {\n        "message": "\xe4\xbd\x99\xe9\xa2\x9d\xe4\xb8\x8d\xe8\xb6\xb3",\n'
    b'        "type": "rate_limit_error",\n        "param": null,\n        "code": 101\n    }\n}\n'
)
ERROR = {"message": "余额不足", "status": 429, "code": 101, "headers": {"Retry-After": "1"}}


@pytest.mark.parametrize("streamed", [True, False], ids=["stream", "whole"])
def test_error_before_first_byte_is_an_http_response(make_call: Any, streamed: bool) -> None:
    items = wire(make_call, [{"pause": 10}, {"error": ERROR}, {"say": "never"}], streamed=streamed)
    assert items == [Respond(429, ERROR_BODY, headers=(("Retry-After", "1"),))]


def test_error_after_first_byte_is_an_in_stream_frame_without_done(make_call: Any) -> None:
    items = wire(make_call, [{"say": "a"}, {"error": ERROR}, {"say": "never"}], include_usage=True)
    assert items == [
        frame(ROLE, "null"),
        frame(content("a"), "null"),
        'data: {"error":{"message":"余额不足","type":"rate_limit_error","param":null,"code":101}}\n\n'.encode(),
    ]


def test_error_after_text_in_a_whole_answer_is_the_error_response(make_call: Any) -> None:
    assert wire(make_call, [{"say": "a"}, {"error": ERROR}], streamed=False) == [Respond(429, ERROR_BODY, headers=(("Retry-After", "1"),))]


@pytest.mark.parametrize(
    "delivery, expected",
    [
        pytest.param("in_band", [b'data: {"error":{"message":"m","type":"server_error","param":null,"code":null}}\n\n'], id="in_band"),
        pytest.param("chunked", [Respond(503, b'{\n    "error": {\n        "message": "m",\n        "type": "server_error",\n        "param": null,\n        "code": null\n    }\n}\n', chunked=True)], id="chunked"),
        pytest.param("length", [Respond(503, b'{\n    "error": {\n        "message": "m",\n        "type": "server_error",\n        "param": null,\n        "code": null\n    }\n}\n', chunked=False)], id="length"),
        pytest.param("auto", [Respond(503, b'{\n    "error": {\n        "message": "m",\n        "type": "server_error",\n        "param": null,\n        "code": null\n    }\n}\n')], id="auto"),
    ],
)
def test_error_delivery_before_first_byte(make_call: Any, delivery: str, expected: list[Any]) -> None:
    assert wire(make_call, [{"error": {"message": "m", "status": 503, "delivery": delivery}}]) == expected


@pytest.mark.parametrize("delivery", ["in_band", "chunked", "length", "auto"])
def test_error_after_first_byte_is_always_a_frame(make_call: Any, delivery: str) -> None:
    items = wire(make_call, [{"say": "a"}, {"error": {"message": "m", "status": 503, "delivery": delivery}}])
    assert items[-1] == b'data: {"error":{"message":"m","type":"server_error","param":null,"code":null}}\n\n'


@pytest.mark.parametrize(
    "status, kind",
    [(400, "invalid_request_error"), (403, "permission_error"), (404, "invalid_request_error"), (429, "rate_limit_error"),
     (418, "invalid_request_error"), (500, "server_error"), (529, "server_error")],
)
def test_error_type_follows_status(status: int, kind: str) -> None:
    body = json.loads(DIALECT.error_response(Error("m", status)).body)
    assert body == {"error": {"message": "m", "type": kind, "param": None, "code": None}}


def test_whole_answer_bytes(make_call: Any) -> None:
    (respond,) = wire(make_call, [{"think": "嗯"}, {"say": "你好"}, {"finish": "length"}], streamed=False)
    assert respond.status == 200 and respond.content_type == "application/json" and not respond.chunked
    assert respond.body.decode() == """{
  "id": "chatcmpl-wGyMIZ3VMtv9CFil7SSP0fkHtJP5D",
  "object": "chat.completion",
  "created": 1735689600,
  "model": "gpt-test",
  "choices": [
    {
      "index": 0,
      "message": {
        "role": "assistant",
        "content": "你好",
        "refusal": null,
        "reasoning_content": "嗯",
        "annotations": []
      },
      "logprobs": null,
      "finish_reason": "length"
    }
  ],
  "usage": {
    "prompt_tokens": 8,
    "completion_tokens": 3,
    "total_tokens": 11,
    "prompt_tokens_details": {
      "cached_tokens": 0,
      "audio_tokens": 0
    },
    "completion_tokens_details": {
      "reasoning_tokens": 1,
      "audio_tokens": 0,
      "accepted_prediction_tokens": 0,
      "rejected_prediction_tokens": 0
    }
  },
  "service_tier": "default",
  "system_fingerprint": "fp_18e6f6cd4e"
}
"""


def test_model_falls_back_to_scenario_name(make_call: Any) -> None:
    call = make_call([{"say": "a"}], stream=INSTANT)
    first = next(item for item in wire_items(call, DIALECT) if isinstance(item, bytes))
    assert b'"model":"t"' in first


def test_headers(make_call: Any) -> None:
    call = make_call([{"say": "a"}])
    assert DIALECT.headers(call) == {"x-request-id": "req_wgymiz3vmtv9cfil7ssp0fkh", "openai-version": "2020-10-01"}


# --- parsing -----------------------------------------------------------------------------------


def incoming(body: Any = None, raw: bytes | None = None, json_error: str | None = None) -> Incoming:
    return Incoming("POST", "/v1/chat/completions", {}, {}, raw or b"", json=body, json_error=json_error)


MESSAGES = [{"role": "system", "content": "s"}, {"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "image_url"}, {"type": "text", "text": "b"}]}]


def test_parse() -> None:
    chat = DIALECT.parse(incoming({"model": "m", "messages": MESSAGES, "stream": True, "stream_options": {"include_usage": True}, "mock_scenario": "echo", "n": 1}))
    assert chat.messages == (("system", "s"), ("user", "ab"))
    assert (chat.model, chat.stream, chat.include_usage, chat.scenario) == ("m", True, True, "echo")


def test_parse_defaults() -> None:
    chat = DIALECT.parse(incoming({"messages": [{"role": "user", "content": None}]}))
    assert (chat.model, chat.stream, chat.include_usage, chat.scenario, chat.messages) == (None, False, False, None, (("user", ""),))


@pytest.mark.parametrize(
    "body, message, param",
    [
        pytest.param(None, "We could not parse the JSON body of your request (Expecting value at line 1 column 1). Send a JSON object with Content-Type: application/json.", None, id="invalid-json"),
        pytest.param([1], "We could not parse the JSON body of your request (the body is not a JSON object). Send a JSON object with Content-Type: application/json.", None, id="array-body"),
        pytest.param({}, "'messages' must be a non-empty array of message objects.", "messages", id="missing-messages"),
        pytest.param({"messages": []}, "'messages' must be a non-empty array of message objects.", "messages", id="empty-messages"),
        pytest.param({"messages": "hi"}, "'messages' must be a non-empty array of message objects.", "messages", id="messages-string"),
        pytest.param({"messages": ["hi"]}, "'messages[0]' must be an object with 'role' and 'content'.", "messages[0]", id="message-string"),
        pytest.param({"messages": [{"role": "bot", "content": "x"}]}, "'messages[0].role' must be one of system, developer, user, assistant, tool, function; got 'bot'.", "messages[0].role", id="bad-role"),
        pytest.param({"messages": [{"role": "user", "content": 5}]}, "'messages[0].content' must be a string or an array of content parts.", "messages[0].content", id="content-number"),
        pytest.param({"messages": [{"role": "user"}], "stream": "yes"}, "'stream' must be a boolean; got str.", "stream", id="stream-string"),
        pytest.param({"messages": [{"role": "user"}], "stream_options": {"include_usage": True}}, "The 'stream_options' parameter is only allowed when 'stream' is enabled.", "stream_options", id="stream-options-without-stream"),
        pytest.param({"messages": [{"role": "user"}], "stream": True, "stream_options": {"include_usage": 1}}, "'include_usage' must be a boolean; got int.", "include_usage", id="include-usage-int"),
        pytest.param({"messages": [{"role": "user"}], "n": 2}, "mockllm answers with one choice; 'n' must be 1.", "n", id="n-2"),
        pytest.param({"messages": [{"role": "user"}], "n": True}, "'n' must be an integer; got bool.", "n", id="n-bool"),
        pytest.param({"messages": [{"role": "user"}], "model": 4}, "'model' must be a string; got int.", "model", id="model-int"),
        pytest.param({"messages": [{"role": "user"}], "mock_scenario": ["a"]}, "'mock_scenario' must be a string; got list.", "mock_scenario", id="mock-scenario-list"),
    ],
)
def test_parse_errors(body: Any, message: str, param: str | None) -> None:
    error_text = "Expecting value at line 1 column 1" if body is None else None
    with pytest.raises(RequestError) as info:
        DIALECT.parse(incoming(body, json_error=error_text))
    error = info.value.error
    assert (error.status, error.type, error.message, error.param) == (400, "invalid_request_error", message, param)


def test_read_messages_names_its_param() -> None:
    with pytest.raises(RequestError, match=r"'input\[1\]' must be an object"):
        read_messages([{"role": "user", "content": "a"}, 3], "input")
