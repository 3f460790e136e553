"""Gemini embeddings: `embedContent` and `batchEmbedContents` under `/v1beta` and `/v1`, deterministic vectors.

google-genai (Python and Node) sends every `embed_content` call, one text or
many, to `batchEmbedContents`; older clients and the AI SDK send a single text
to `embedContent`. The model in the path is the request's model (it selects a
scenario by name) and seeds the vectors, drawn as OpenAI Embeddings draws
them. As Gemini does, the model's full-size vector has unit length and
`outputDimensionality` keeps its first values as they are (a shortened vector
is not scaled back to unit length). The scenario still runs: its errors answer
the request in Gemini's error shape, and its delays before the first output
delay the answer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, ClassVar, Iterable, Iterator, Mapping, cast

from mockllm.core.events import Event, WireItem
from mockllm.core.incoming import Incoming
from mockllm.core.request import ChatRequest
from mockllm.dialects.base import Listing, register, scenario_wait
from mockllm.dialects.gemini import JSON_TYPE, VERSIONS, Gemini, _body, _respond, get, invalid
from mockllm.dialects.openai_embeddings import embedding
from mockllm.stream.call import Call

METHODS = ("embedContent", "batchEmbedContents")
#: Gemini rejects a larger batch.
MAX_BATCH = 100
#: Full vector sizes of Gemini's embedding models; any other model name (a scenario's) gets DEFAULT_SIZE.
MODEL_SIZES = {"gemini-embedding-001": 3072, "text-embedding-004": 768, "embedding-001": 768}
DEFAULT_SIZE = 3072
#: Models whose vectors cannot be shortened.
FIXED_SIZE = ("embedding-001",)
TASK_TYPES = (
    "TASK_TYPE_UNSPECIFIED",
    "RETRIEVAL_QUERY",
    "RETRIEVAL_DOCUMENT",
    "SEMANTIC_SIMILARITY",
    "CLASSIFICATION",
    "CLUSTERING",
    "QUESTION_ANSWERING",
    "FACT_VERIFICATION",
    "CODE_RETRIEVAL_QUERY",
)


@dataclass(frozen=True)
class EmbedRequest(ChatRequest):
    """An embeddings request: each text a user message, its `outputDimensionality` (None: full size), and whether it came as a batch."""

    dimensions: tuple[int | None, ...] = ()
    batch: bool = False


def model_size(model: str) -> int:
    """The length of `model`'s full vector."""
    return MODEL_SIZES.get(model, DEFAULT_SIZE)


def vector(text: str, model: str, dimensions: int | None = None) -> list[float]:
    """The float32 vector of `text` for `model`: the unit-length full vector, or its first `dimensions` values."""
    return embedding(text, model, size=model_size(model))[:dimensions]


def read_embed(request: Any, where: str, model: str) -> tuple[str, int | None]:
    """The text and output size of one `EmbedContentRequest` (named `where` in errors); raise RequestError when Gemini would reject it."""
    if not isinstance(request, dict):
        raise invalid(f"* {where}: must be an EmbedContentRequest object with 'content'.")
    task = get(request, "taskType")
    if task is not None and task not in TASK_TYPES:
        raise invalid(f"Invalid value at '{_field(where, 'task_type')}' (TaskType), {json.dumps(task, ensure_ascii=False)}")
    title = request.get("title")
    if title is not None and not isinstance(title, str):
        raise invalid(f"* {where}.title: must be a string.")
    return _text(request.get("content"), f"{where}.content"), _dimensions(get(request, "outputDimensionality"), where, model)


def _field(where: str, name: str) -> str:
    """A field's path as Google names it in a bad-value message: `requests[0].task_type` (no request type)."""
    inner = where.partition(".")[2]
    return f"{inner}.{name}" if inner else name


def _text(content: Any, where: str) -> str:
    """The text of a `Content` to embed: its parts' texts joined."""
    if not isinstance(content, dict):
        raise invalid(f"* {where}: content is not specified")
    parts = content.get("parts")
    if not isinstance(parts, list) or not parts:
        raise invalid(f"* {where}.parts: contents.parts must not be empty.")
    for i, part in enumerate(parts):
        if not isinstance(part, dict) or not isinstance(part.get("text"), str) or not part["text"]:
            raise invalid(f"* {where}.parts[{i}]: a text embedding model embeds text parts only; this part has no text.")
    return "".join(part["text"] for part in parts)


def _dimensions(value: Any, where: str, model: str) -> int | None:
    """`outputDimensionality`: a whole number from 1 to the model's size (protobuf JSON also accepts it as a string)."""
    if value is None:
        return None
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid(f"Invalid value at '{_field(where, 'output_dimensionality')}' (TYPE_INT32), {json.dumps(value, ensure_ascii=False)}")
    if model in FIXED_SIZE:
        raise invalid(f"* {where}.output_dimensionality: models/{model} does not support output_dimensionality.")
    size = model_size(model)
    if not 1 <= value <= size:
        raise invalid(f"* {where}.output_dimensionality: must be between 1 and {size} for models/{model}; got {value}.")
    return value


def read_batch(body: Mapping[str, Any], model: str) -> list[tuple[str, int | None]]:
    """The texts and output sizes of a `batchEmbedContents` body, whose requests must name the path's model."""
    requests = body.get("requests")
    if not isinstance(requests, list) or not requests:
        raise invalid("* BatchEmbedContentsRequest.requests: requests is not specified")
    if len(requests) > MAX_BATCH:
        raise invalid(f"* BatchEmbedContentsRequest.requests: at most {MAX_BATCH} requests can be in one batch")
    read = []
    for i, request in enumerate(requests):
        where = f"BatchEmbedContentsRequest.requests[{i}]"
        named = request.get("model") if isinstance(request, dict) else None
        if named is not None and named != f"models/{model}":
            raise invalid(f"* {where}.model: the model of each request must be the batch's, models/{model}; got {named!r}.")
        read.append(read_embed(request, where, model))
    return read


@register
class GeminiEmbeddings(Gemini):
    """Gemini's `EmbedContentResponse` and `BatchEmbedContentsResponse`, with Gemini's errors."""

    name = "gemini-embeddings"
    routes: ClassVar[tuple[str, ...]] = tuple(f"POST /{version}/models/{{model}}:{method}" for version in VERSIONS for method in METHODS)
    content_type = JSON_TYPE

    def parse(self, incoming: Incoming) -> ChatRequest:
        body = _body(incoming)
        model = incoming.match_info["model"]
        batch = incoming.path.endswith(":batchEmbedContents")
        read = read_batch(body, model) if batch else [read_embed(body, "EmbedContentRequest", model)]
        scenario = body.get("mock_scenario")
        return EmbedRequest(
            messages=tuple(("user", text) for text, _ in read),
            model=model,
            stream=False,
            scenario=scenario if isinstance(scenario, str) else None,
            body=body,
            dimensions=tuple(dimensions for _, dimensions in read),
            batch=batch,
        )

    def stream(self, events: Iterable[Event], call: Call) -> Iterator[WireItem]:
        return self.whole(events, call)  # embeddings are never streamed

    def whole(self, events: Iterable[Event], call: Call) -> Iterator[WireItem]:
        if (yield from scenario_wait(events, self.error_response)):
            yield _respond(200, self.whole_body(call))

    def whole_body(self, call: Call) -> dict[str, Any]:
        """The response: one `embedding`, or the batch's `embeddings` in request order."""
        chat = cast(EmbedRequest, call.chat)  # read by `parse`
        embeddings = [{"values": vector(text, call.model, size)} for (_, text), size in zip(chat.messages, chat.dimensions)]
        if chat.batch:
            return {"embeddings": embeddings}
        return {"embedding": embeddings[0]}

    def listings(self) -> Mapping[str, Listing]:
        return {}  # the model list is Gemini's
