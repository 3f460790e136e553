"""What the official openai SDK does with each shipped transport-fault scenario (what a client must handle)."""

from __future__ import annotations

import json
from typing import Any

import openai
import pytest
from openai import OpenAI

MESSAGES: list[Any] = [{"role": "user", "content": "你好"}]
SEED = {"X-Mock-Seed": "1", "X-Mock-Speed": "0"}
READ_TIMEOUT_S = 0.3  # the client's own timeout on a silent stream; the server would hang until its maximum (5 s here)
#: Every other test waits long enough that a loaded machine cannot turn a slow answer into a timeout.
PATIENT_TIMEOUT_S = 30.0


@pytest.fixture
def server(live_server) -> Any:
    return live_server(max_stream_s=5.0)


@pytest.fixture
def client(server) -> OpenAI:
    return OpenAI(base_url=server.url + "/v1", api_key="sk-unused", max_retries=0, timeout=PATIENT_TIMEOUT_S)


@pytest.fixture
def impatient_client(server) -> OpenAI:
    """A client that gives up after READ_TIMEOUT_S of silence."""
    return OpenAI(base_url=server.url + "/v1", api_key="sk-unused", max_retries=0, timeout=READ_TIMEOUT_S)


def read(client: OpenAI, name: str, received: list[Any]) -> None:
    """Stream scenario `name`, appending each chunk to `received` as it comes."""
    for chunk in client.chat.completions.create(model=name, messages=MESSAGES, stream=True, extra_headers=SEED):
        received.append(chunk)  # noqa: PERF402 - one by one, so what came before an error is kept


def text_of(chunks: list[Any]) -> str:
    return "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)


def whole_text(client: OpenAI, name: str) -> str:
    """The answer text of the scenario without its fault (the `fast` way: a non-streamed answer of `hello`-like text)."""
    return client.chat.completions.create(model=name, messages=MESSAGES, extra_headers=SEED).choices[0].message.content


def test_reset_midstream_raises_a_connection_error_after_five_deltas(client):
    received: list[Any] = []
    with pytest.raises(openai.APIConnectionError):
        read(client, "reset-midstream", received)
    assert len(received) == 6  # the role chunk, then 5 deltas


def test_close_without_done_ends_quietly_with_no_finish_reason(client):
    received: list[Any] = []
    read(client, "close-without-done", received)
    assert text_of(received).endswith("The stream ends without [DONE].")
    assert {c.choices[0].finish_reason for c in received} == {None}


@pytest.mark.parametrize(("name", "chunks"), [("hang", 4), ("no-response", 0)])
def test_silence_ends_in_the_clients_read_timeout(impatient_client, name, chunks):
    received: list[Any] = []
    with pytest.raises(openai.APITimeoutError):
        read(impatient_client, name, received)
    assert len(received) == chunks


def test_malformed_frame_makes_the_sdk_raise_a_json_error(client):
    received: list[Any] = []
    with pytest.raises(json.JSONDecodeError):
        read(client, "malformed-frame", received)
    assert len(received) == 4


def test_duplicate_frame_repeats_a_delta_in_the_text(client):
    received: list[Any] = []
    read(client, "duplicate-frame", received)
    deltas = [c.choices[0].delta.content for c in received]
    assert deltas[3] == deltas[4] and text_of(received).startswith("第三个个片段")


@pytest.mark.parametrize("name", ["missing-separator", "trickle", "queued-keepalive"])
def test_the_sdk_reads_the_full_answer_through(client, name):
    received: list[Any] = []
    read(client, name, received)
    assert received[-1].choices[0].finish_reason == "stop"
    assert text_of(received) == whole_text(client, name)
