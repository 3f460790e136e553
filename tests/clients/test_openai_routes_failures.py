"""The failures every stream must survive, on the legacy completions and Azure routes: in-stream error, reset, split UTF-8.

Each route is read with the official SDK (what an app sees) and, for split
characters, on a raw socket (where the reads break).
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

import openai
import pytest
from conftest import SCENARIOS, LiveServer
from openai import AzureOpenAI, OpenAI
from rawhttp import ends_inside_character, post

from mockllm.server.config import ServerConfig

SEED = {"X-Mock-Seed": "3", "X-Mock-Speed": "0"}
VERSION = "api-version=2024-10-21"
RESET_TEXT = "好的，我先说几句，然后连接会被重置。The connection resets after five deltas."
SPLIT_TEXT = "好的，这是一段测试文字：每个汉字都被拆在两次网络写入之间。😀 表情符号是四个字节。"
Reader = Callable[[Any, str], Iterator[str]]


def completions(server: Any, model: str) -> Iterator[str]:
    with OpenAI(base_url=server.url + "/v1", api_key="x", max_retries=0, default_headers=SEED) as sdk:
        for chunk in sdk.completions.create(model=model, prompt="hi", stream=True):
            yield from (choice.text for choice in chunk.choices)


def azure_chat(server: Any, model: str) -> Iterator[str]:
    with AzureOpenAI(azure_endpoint=server.url, api_key="x", api_version="2024-10-21", max_retries=0, default_headers=SEED) as sdk:
        for chunk in sdk.chat.completions.create(model=model, messages=[{"role": "user", "content": "hi"}], stream=True):
            yield from (choice.delta.content or "" for choice in chunk.choices)


def azure_completions(server: Any, model: str) -> Iterator[str]:
    with AzureOpenAI(azure_endpoint=server.url, api_key="x", api_version="2024-10-21", max_retries=0, default_headers=SEED) as sdk:
        for chunk in sdk.completions.create(model=model, prompt="hi", stream=True):
            yield from (choice.text for choice in chunk.choices)


READERS: dict[str, Reader] = {"completions": completions, "azure-chat": azure_chat, "azure-completions": azure_completions}
#: (path, body) of each route for a raw request; the scenario comes from the path or the model
RAW = {
    "completions": lambda model: ("/v1/completions", {"model": model, "prompt": "hi", "stream": True}),
    "azure-chat": lambda model: (f"/openai/deployments/{model}/chat/completions?{VERSION}", {"messages": [{"role": "user", "content": "hi"}], "stream": True}),
    "azure-completions": lambda model: (f"/openai/deployments/{model}/completions?{VERSION}", {"prompt": "hi", "stream": True}),
}


@pytest.fixture(scope="module")
def server() -> Iterator[Any]:
    live = LiveServer(ServerConfig(scenarios=SCENARIOS, speed=1.0, seed=1)).start()
    yield live
    live.stop()


def collect(reader: Reader, server: Any, model: str, into: list[str]) -> None:
    for piece in reader(server, model):
        into.append(piece)  # noqa: PERF402 - one by one, so what came before a failure is kept


@pytest.mark.parametrize("route", READERS)
def test_an_in_stream_error_raises_after_the_partial_text(server: Any, route: str) -> None:
    received: list[str] = []
    with pytest.raises(openai.APIError, match="The server had an error"):
        collect(READERS[route], server, "midstream-error", received)
    assert "".join(received) == "好的，我先回答一部分，The answer starts"


@pytest.mark.parametrize("route", READERS)
def test_a_reset_raises_a_connection_error_after_five_deltas(server: Any, route: str) -> None:
    received: list[str] = []
    with pytest.raises(openai.APIConnectionError):
        collect(READERS[route], server, "reset-midstream", received)
    assert RESET_TEXT.startswith("".join(received)) and len([p for p in received if p]) == 5


@pytest.mark.parametrize("route", READERS)
async def test_split_characters_break_reads_but_decode_whole(server: Any, route: str) -> None:
    path, body = RAW[route]("split-utf8")
    response = await post("127.0.0.1", server.port, path, body, SEED)
    assert response.status == 200 and sum(ends_inside_character(p) for p in response.payload_reads) > 10
    assert "".join(READERS[route](server, "split-utf8")) == SPLIT_TEXT
