"""Wire formats, one module each, registered by name in `DIALECTS`."""

from . import (
    ai_sdk,
    anthropic,
    azure,
    gemini,
    gemini_embeddings,
    miniprogram,
    ndjson,
    ollama,
    openai,
    openai_completions,
    openai_embeddings,
    openai_responses,
    plaintext,
    sse_json,
)
from .base import DIALECTS, Dialect, Incoming, RequestError

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
