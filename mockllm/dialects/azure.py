"""Azure OpenAI: the OpenAI chat, completions and embeddings routes as Azure serves them.

    /openai/deployments/{deployment}/chat/completions?api-version=…   (and /completions, /embeddings)
    /openai/v1/chat/completions                                         (and /completions, /embeddings)

The deployment name selects a scenario as a model name does. The deployments
routes need an `api-version` (`YYYY-MM-DD` or `YYYY-MM-DD-preview`): missing,
Azure's gateway answers 404 `Resource not found`; malformed, 400 `API version
not supported`. Azure's bodies are compact JSON with sorted keys; a stream
opens with a chunk of empty `choices` and the `prompt_filter_results`, and
each choice carries `content_filter_results` (filled on text, empty
elsewhere; the filtered category on a `content_filter` finish).
"""

from __future__ import annotations

import re
from typing import Any, Iterator, Mapping

from mockllm.core.errors import RequestError
from mockllm.core.events import Error, Respond
from mockllm.core.incoming import Incoming
from mockllm.core.request import ChatRequest
from mockllm.dialects.base import Listing, compact_json, register
from mockllm.dialects.openai import Answer, ChunkFramer, OpenAIChat, error_json, read_chat
from mockllm.dialects.openai_completions import CompletionFramer, OpenAICompletions, read_completion
from mockllm.dialects.openai_embeddings import OpenAIEmbeddings, read_embedding_request
from mockllm.stream.call import Call

API_VERSION = re.compile(r"20\d\d-\d\d-\d\d(-preview)?")
#: The gateway's own errors: a body shape unlike the model's errors (and byte for byte, its odd space included).
GATEWAY = "azure-gateway"
_GATEWAY_BODIES = {
    404: b'{"error":{"code":"404","message": "Resource not found"}}',
    400: b'{"error":{"code":"BadRequest","message":"API version not supported"}}',
}
_SAFE = {"filtered": False, "severity": "safe"}
#: What the filters found in a prompt or an answer that passed.
PROMPT_FILTER = {
    "hate": _SAFE,
    "jailbreak": {"filtered": False, "detected": False},
    "self_harm": _SAFE,
    "sexual": _SAFE,
    "violence": _SAFE,
}
TEXT_FILTER = {"hate": _SAFE, "self_harm": _SAFE, "sexual": _SAFE, "violence": _SAFE}
ANSWER_FILTER = {
    "hate": _SAFE,
    "protected_material_code": {"filtered": False, "detected": False},
    "protected_material_text": {"filtered": False, "detected": False},
    "self_harm": _SAFE,
    "sexual": _SAFE,
    "violence": _SAFE,
}
#: The answer filter on a `content_filter` finish: the category that cut the answer off.
FILTERED = {**TEXT_FILTER, "violence": {"filtered": True, "severity": "medium"}}
PROMPT_FILTER_RESULTS = [{"prompt_index": 0, "content_filter_results": PROMPT_FILTER}]


def deployment(incoming: Incoming) -> str | None:
    """The deployment the path names (None on `/openai/v1/...`); raise the gateway's error for a bad `api-version`."""
    name = incoming.match_info.get("deployment")
    version = incoming.query.get("api-version")
    if name is not None and version is None:
        raise RequestError(Error("Resource not found", status=404, code="404", type=GATEWAY))
    if version is not None and version not in ("preview", "latest") and not API_VERSION.fullmatch(version):
        raise RequestError(Error("API version not supported", status=400, code="BadRequest", type=GATEWAY))
    return name


def sorted_json(value: Any) -> Any:
    """`value` with the keys of every object in sorted order, as Azure writes them."""
    if isinstance(value, Mapping):
        return {key: sorted_json(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [sorted_json(item) for item in value]
    return value


def _answer_filter(finish: str, said: bool) -> Mapping[str, Any]:
    if finish == "content_filter":
        return FILTERED
    return ANSWER_FILTER if said else {}


def _with_filters(body: Mapping[str, Any], answer: Answer, drop: tuple[str, ...] = ()) -> dict[str, Any]:
    """A whole OpenAI body as Azure sends it: sorted, `prompt_filter_results`, each choice's `content_filter_results`.

    `service_tier` and the `drop` keys are OpenAI's only.
    """
    results = _answer_filter(answer.finish, bool(answer.content))
    choices = [_top_sorted({**sorted_json(choice), "content_filter_results": results}) for choice in body["choices"]]
    rest = sorted_json({key: value for key, value in body.items() if key not in ("service_tier", "choices", *drop)})
    return _top_sorted({**rest, "choices": choices, "prompt_filter_results": PROMPT_FILTER_RESULTS})


def _top_sorted(value: Mapping[str, Any]) -> dict[str, Any]:
    """`value` with its own keys sorted (what it holds keeps its order: the filter results are written as Azure does)."""
    return {key: value[key] for key in sorted(value)}


class _Azure:
    """What the Azure routes share: the gateway's errors, compact bodies and Azure's request ids."""

    def error_response(self, error: Error) -> Respond:
        if error.type == GATEWAY:
            return Respond(error.status, _GATEWAY_BODIES[error.status])
        body = compact_json({"error": error_json(error)}).encode()
        return Respond(error.status, body, headers=error.headers, chunked=error.delivery == "chunked")

    def encode_body(self, body: Mapping[str, Any]) -> bytes:
        return compact_json(body).encode()

    def headers(self, call: Call) -> dict[str, str]:
        request_id = "{}-{}-{}-{}-{}".format(*(call.id.lower()[a:b] for a, b in ((0, 8), (8, 12), (12, 16), (16, 20), (20, 29))))
        return {"apim-request-id": request_id, "x-request-id": request_id, "x-ms-client-request-id": "Not-Set"}


@register
class AzureChat(_Azure, OpenAIChat):
    """Azure OpenAI chat completions."""

    name = "azure-openai"
    routes = ("POST /openai/deployments/{deployment}/chat/completions", "POST /openai/v1/chat/completions")

    def parse(self, incoming: Incoming) -> ChatRequest:
        return read_chat(incoming, deployment(incoming))

    def framer(self, call: Call) -> ChunkFramer:
        return AzureChunkFramer(call)

    def whole_body(self, answer: Answer, call: Call) -> dict[str, Any]:
        return _with_filters(super().whole_body(answer, call), answer)

    def listings(self) -> Mapping[str, Listing]:
        return {}  # the model list is OpenAI's route


@register
class AzureCompletions(_Azure, OpenAICompletions):
    """Azure OpenAI legacy completions."""

    name = "azure-openai-completions"
    routes = ("POST /openai/deployments/{deployment}/completions", "POST /openai/v1/completions")

    def parse(self, incoming: Incoming) -> ChatRequest:
        return read_completion(incoming, deployment(incoming))

    def framer(self, call: Call) -> CompletionFramer:
        return AzureCompletionFramer(call)

    def whole_body(self, answer: Answer, call: Call) -> dict[str, Any]:
        return _with_filters(super().whole_body(answer, call), answer, drop=("system_fingerprint",))


@register
class AzureEmbeddings(_Azure, OpenAIEmbeddings):
    """Azure OpenAI embeddings."""

    name = "azure-openai-embeddings"
    routes = ("POST /openai/deployments/{deployment}/embeddings", "POST /openai/v1/embeddings")

    def parse(self, incoming: Incoming) -> ChatRequest:
        return read_embedding_request(incoming, deployment(incoming))


def _opening() -> bytes:
    """The first chunk of every Azure stream: no choices, the prompt's filter results."""
    head = {"choices": [], "created": 0, "id": "", "model": "", "object": "", "prompt_filter_results": PROMPT_FILTER_RESULTS}
    return b"data: " + compact_json(head).encode() + b"\n\n"


class _AzureChunks:
    """Sorted-key chunk objects around one choice: the part both Azure framers share."""

    def __init__(self, call: Call, chunk_id: str, kind: str, fingerprint: bool = True) -> None:
        self._head: dict[str, Any] = {"created": call.created, "id": chunk_id, "model": call.model, "object": kind}
        if fingerprint:
            self._head["system_fingerprint"] = call.fingerprint
        self._usage = call.chat.include_usage

    def chunk(self, choices: list[Any], usage: Any = None) -> bytes:
        body: dict[str, Any] = {"choices": choices, **self._head}
        if self._usage:
            body["usage"] = sorted_json(usage)
        return b"data: " + compact_json(body).encode() + b"\n\n"


class AzureChunkFramer(ChunkFramer):
    """Chat chunks as Azure sends them."""

    def __init__(self, call: Call) -> None:
        super().__init__(call)
        self._chunks = _AzureChunks(call, f"chatcmpl-{call.id}", "chat.completion.chunk")

    def opening(self) -> Iterator[bytes]:
        yield _opening()

    def delta(self, delta: Mapping[str, Any]) -> bytes:
        return self._choice(sorted_json(delta), None, {})

    def content(self, text: str) -> bytes:
        return self._choice({"content": text}, None, TEXT_FILTER)

    def finish(self, reason: str) -> bytes:
        return self._choice({}, reason, FILTERED if reason == "content_filter" else {})

    def usage(self, usage: dict[str, Any]) -> bytes:
        return self._chunks.chunk([], usage)

    def _choice(self, delta: Mapping[str, Any], reason: str | None, results: Mapping[str, Any]) -> bytes:
        choice = {"content_filter_results": results, "delta": delta, "finish_reason": reason, "index": 0, "logprobs": None}
        return self._chunks.chunk([choice])


class AzureCompletionFramer(CompletionFramer):
    """Completion chunks as Azure sends them."""

    def __init__(self, call: Call) -> None:
        super().__init__(call)
        self._chunks = _AzureChunks(call, f"cmpl-{call.id}", "text_completion", fingerprint=False)  # as Azure's completions

    def opening(self) -> Iterator[bytes]:
        yield _opening()

    def text(self, index: int, text: str) -> bytes:
        return self._filtered_choice(index, text, None, TEXT_FILTER)

    def finish(self, index: int, reason: str) -> bytes:
        return self._filtered_choice(index, "", reason, FILTERED if reason == "content_filter" else {})

    def usage(self, usage: Mapping[str, Any]) -> bytes:
        return self._chunks.chunk([], usage)

    def _filtered_choice(self, index: int, text: str, reason: str | None, results: Mapping[str, Any]) -> bytes:
        choice = {"content_filter_results": results, "finish_reason": reason, "index": index, "logprobs": None, "text": text}
        return self._chunks.chunk([choice])
