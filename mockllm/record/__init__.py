"""Record a real API: proxy requests to an upstream, pass its answers through unchanged, write them as scenarios.

Every request is forwarded as it came (its API key included, which is never
written anywhere) and the answer streamed back byte for byte as it arrives.
For a dialect with a reader (OpenAI Chat Completions, also on Azure's routes,
OpenAI Responses, Anthropic Messages, Gemini and Ollama), the answer is also
written to `OUT/<conversation>.yaml`: one file per conversation (model, system
prompt and first user message), one scenario per assistant turn, matched by
the model, the system prompt, the last user message and the turn, with its
text, reasoning, tool calls or error and the pacing measured on the wire.
Serving OUT replays them.

`proxy` relays and records, `readers` knows which dialect's reader reads a
route's answers (one module per dialect, on the shared `frames` and `answer`),
and `writer` turns an answer into a scenario file.
"""

from mockllm.record.proxy import create_recorder

__all__ = ["create_recorder"]
