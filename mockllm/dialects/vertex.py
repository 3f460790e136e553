"""Vertex AI: Gemini and Anthropic models under `/{v1,v1beta1}/projects/{p}/locations/{l}/publishers/…`.

    …/publishers/google/models/{model}:generateContent | :streamGenerateContent | :countTokens
    …/publishers/anthropic/models/{model}:rawPredict | :streamRawPredict

Vertex speaks the Gemini API's and Anthropic's Messages formats: these routes
are served by the Gemini and Anthropic dialects, with the model taken from the
path. An Anthropic body names no model and carries `anthropic_version`
(`vertex-2023-10-16`, which AnthropicVertex and the AI SDK send); whether it
streams is its `stream` field, as on Anthropic's own route. Project and
location are read and not checked.
"""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar, Mapping

from mockllm.core.incoming import Incoming
from mockllm.core.request import ChatRequest
from mockllm.dialects.anthropic import AnthropicCountTokens, AnthropicMessages, invalid, read_request
from mockllm.dialects.base import Listing, register
from mockllm.dialects.gemini import METHODS, Gemini

VERSIONS = ("v1", "v1beta1")
PUBLISHERS = "/{version}/projects/{project}/locations/{location}/publishers"
ANTHROPIC_METHODS = ("rawPredict", "streamRawPredict")


def _routes(publisher: str, methods: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(
        f"POST {PUBLISHERS.replace('{version}', version)}/{publisher}/models/{{model}}:{method}" for version in VERSIONS for method in methods
    )


@register
class VertexGemini(Gemini):
    """Gemini models on Vertex AI: the Gemini dialect on Vertex's paths."""

    name = "vertex-gemini"
    routes: ClassVar[tuple[str, ...]] = _routes("google", METHODS)
    error_prefixes: ClassVar[tuple[str, ...]] = tuple(f"/{version}/projects" for version in VERSIONS)
    shared_error_prefixes: ClassVar[tuple[str, ...]] = ()

    def listings(self) -> Mapping[str, Listing]:
        return {}


def _hosted(incoming: Incoming, model: str | None) -> Incoming:
    """A Messages body on Vertex: `anthropic_version` required, the model the path names (None: the body's own)."""
    body = incoming.json
    if not isinstance(body, dict):
        return incoming  # the Anthropic dialect says what is wrong with it
    if not isinstance(body.get("anthropic_version"), str):
        raise invalid("anthropic_version", "Field required")
    return replace(incoming, json={**body, "model": model}) if model is not None else incoming


@register
class VertexAnthropicCountTokens(AnthropicCountTokens):
    """`…/publishers/anthropic/models/count-tokens:rawPredict`: Anthropic's token count (the model in the body); registered first, so it wins."""

    name = "vertex-anthropic-count-tokens"
    routes: ClassVar[tuple[str, ...]] = tuple(
        f"POST {PUBLISHERS.replace('{version}', version)}/anthropic/models/count-tokens:rawPredict" for version in VERSIONS
    )
    error_prefixes: ClassVar[tuple[str, ...]] = ()
    shared_error_prefixes: ClassVar[tuple[str, ...]] = ()

    def parse(self, incoming: Incoming) -> ChatRequest:
        return read_request(_hosted(incoming, None), needs_max_tokens=False)


@register
class VertexAnthropic(AnthropicMessages):
    """Anthropic models on Vertex AI: the Anthropic Messages dialect, the model named by the path."""

    name = "vertex-anthropic"
    routes: ClassVar[tuple[str, ...]] = _routes("anthropic", ANTHROPIC_METHODS)
    error_prefixes: ClassVar[tuple[str, ...]] = ()
    shared_error_prefixes: ClassVar[tuple[str, ...]] = ()

    def parse(self, incoming: Incoming) -> ChatRequest:
        return read_request(_hosted(incoming, incoming.match_info["model"]))

    def listings(self) -> Mapping[str, Listing]:
        return {}
