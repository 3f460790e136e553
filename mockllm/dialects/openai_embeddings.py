"""OpenAI Embeddings: `POST /v1/embeddings`, deterministic unit vectors.

The vector of a text depends only on the text and the model name: it is drawn
from a RNG seeded with both, at the model's full size, then cut to
`dimensions` and scaled back to unit length (as OpenAI shortens its
embeddings). `encoding_format: base64` (what the official SDKs ask for) sends
the little-endian float32 bytes; `float` sends numbers. The scenario still
runs: its errors answer the request, and its delays before the first output
delay the answer.
"""

from __future__ import annotations

import base64
import hashlib
import math
import random
import struct
from typing import Any, ClassVar, Iterable, Iterator, Mapping

from mockllm.core import tokens
from mockllm.core.errors import bad_request
from mockllm.core.events import Event, Respond, WireItem
from mockllm.core.incoming import Incoming
from mockllm.core.request import ChatRequest
from mockllm.dialects.base import register, scenario_wait
from mockllm.dialects.openai import Answer, OpenAIDialect, optional, read_body, read_texts
from mockllm.stream.call import Call

MAX_INPUTS = 2048
#: Native sizes of OpenAI's embedding models; any other model name (a scenario's) gets DEFAULT_SIZE.
MODEL_SIZES = {"text-embedding-3-small": 1536, "text-embedding-3-large": 3072, "text-embedding-ada-002": 1536}
DEFAULT_SIZE = 1536
#: Models whose vectors cannot be shortened.
FIXED_SIZE = ("text-embedding-ada-002",)
INPUT_SHAPES = (
    f"a non-empty string, an array of non-empty strings, an array of tokens (integers) or an array of token arrays, "
    f"at most {MAX_INPUTS} items"
)


def embedding(text: str, model: str, dimensions: int | None = None, size: int | None = None) -> list[float]:
    """The unit-length float32 vector of `text` for `model`, cut to `dimensions` (default: the model's size).

    `size` is the length of the model's full vector (default: the OpenAI model's size).
    """
    digest = hashlib.sha256(f"{model}\0{text}".encode()).digest()
    rng = random.Random(int.from_bytes(digest[:16], "little"))
    full = [rng.gauss(0.0, 1.0) for _ in range(size or MODEL_SIZES.get(model, DEFAULT_SIZE))]
    cut = full[: dimensions or len(full)]
    norm = math.sqrt(sum(x * x for x in cut))
    return _float32([x / norm for x in cut])


def _float32(values: list[float]) -> list[float]:
    """The values rounded to float32, printed with the 9 digits that identify each."""
    rounded = struct.unpack(f"<{len(values)}f", struct.pack(f"<{len(values)}f", *values))
    return [float(f"{x:.9g}") for x in rounded]


def encode(vector: list[float], encoding_format: str) -> list[float] | str:
    """The vector as JSON numbers (`float`) or as base64 of its little-endian float32 bytes (`base64`)."""
    if encoding_format == "base64":
        return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode("ascii")
    return vector


def read_inputs(value: Any) -> tuple[str, ...]:
    """The texts of an `input` value (token arrays as their numbers joined by spaces); raise RequestError otherwise."""
    texts = read_texts(value)
    if texts is None or not 0 < len(texts) <= MAX_INPUTS or "" in texts:
        raise bad_request(f"'input' must be {INPUT_SHAPES}.", "input")
    return texts


def read_embedding_request(incoming: Incoming, model: str | None = None) -> ChatRequest:
    """Read an Embeddings body into a ChatRequest (each input a user message); `model` replaces the body's."""
    body = read_body(incoming)
    model = model or optional(body, "model", str, "a string")
    texts = read_inputs(body.get("input"))
    _check_format(body)
    _check_dimensions(body, model or "")
    return ChatRequest(
        messages=tuple(("user", text) for text in texts),
        model=model,
        stream=False,
        scenario=optional(body, "mock_scenario", str, "a string"),
        body=body,
    )


def _check_format(body: dict[str, Any]) -> None:
    if _encoding_format(body) not in ("float", "base64"):
        raise bad_request(f"'encoding_format' must be 'float' or 'base64'; got {body['encoding_format']!r}.", "encoding_format")


def _encoding_format(body: Mapping[str, Any]) -> Any:
    value = body.get("encoding_format")
    return "float" if value is None else value


def _check_dimensions(body: dict[str, Any], model: str) -> None:
    dimensions = optional(body, "dimensions", int, "an integer")
    if dimensions is None:
        return
    if model in FIXED_SIZE:
        raise bad_request("This model does not support specifying dimensions.", "dimensions")
    size = MODEL_SIZES.get(model, DEFAULT_SIZE)
    if not 1 <= dimensions <= size:
        raise bad_request(f"'dimensions' must be between 1 and {size} for model {model or '(none)'}; got {dimensions}.", "dimensions")


@register
class OpenAIEmbeddings(OpenAIDialect):
    """OpenAI's embeddings list."""

    name = "openai-embeddings"
    routes: ClassVar[tuple[str, ...]] = ("POST /v1/embeddings",)
    heartbeat = None

    def parse(self, incoming: Incoming) -> ChatRequest:
        return read_embedding_request(incoming)

    def stream(self, events: Iterable[Event], call: Call) -> Iterator[WireItem]:
        return self.whole(events, call)  # embeddings are never streamed

    def whole(self, events: Iterable[Event], call: Call) -> Iterator[WireItem]:
        if (yield from scenario_wait(events, self.error_response)):
            yield Respond(200, self.encode_body(self.whole_body(Answer(), call)))

    def whole_body(self, answer: Answer, call: Call) -> dict[str, Any]:
        """The embeddings list of the request's inputs."""
        request = call.chat.body
        encoding_format = _encoding_format(request)
        texts = [text for _, text in call.chat.messages]
        data = [
            {"object": "embedding", "index": i, "embedding": encode(embedding(text, call.model, request.get("dimensions")), encoding_format)}
            for i, text in enumerate(texts)
        ]
        counted = sum(map(tokens.count, texts))
        return {"object": "list", "data": data, "model": call.model, "usage": {"prompt_tokens": counted, "total_tokens": counted}}
