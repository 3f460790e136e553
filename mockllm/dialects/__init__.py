"""Wire formats, one module each, registered by name in `DIALECTS`."""

from mockllm.core.errors import RequestError
from mockllm.core.incoming import Incoming
from mockllm.dialects import (
    ai_sdk,
    anthropic,
    azure,
    gemini,
    gemini_embeddings,
    ollama,
    openai,
    openai_completions,
    openai_embeddings,
    openai_responses,
)
from mockllm.dialects.apps import miniprogram, ndjson, plaintext, sse_json
from mockllm.dialects.base import DIALECTS, Dialect

__all__ = [
    "DIALECTS",
    "Dialect",
    "Incoming",
    "RequestError",
    "ai_sdk",
    "anthropic",
    "azure",
    "gemini",
    "gemini_embeddings",
    "miniprogram",
    "ndjson",
    "ollama",
    "openai",
    "openai_completions",
    "openai_embeddings",
    "openai_responses",
    "plaintext",
    "sse_json",
]
