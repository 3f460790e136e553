"""The pure pipeline's cost per wire item in each provider dialect's stream, no socket, in-process.

Runs `wire_items` for the `bench` scenario (one character per delta) and the
shipped `long-chinese` scenario, streamed as OpenAI chunks, Gemini SSE and
JSON-array responses, and Ollama NDJSON lines, and prints microseconds per
wire item (best of 20 runs). Gemini reports cumulative usage on every
chunk, so it counts tokens per delta where OpenAI does only when asked.

    python bench/dialects.py
"""

from __future__ import annotations

import time

from rawclient import message
from serverproc import BENCH_SCENARIOS, REPO
from table import Row, print_table

from mockllm.core.request import ChatRequest
from mockllm.dialects import DIALECTS
from mockllm.dialects.gemini import GeminiRequest
from mockllm.dialects.ollama import OllamaRequest
from mockllm.scenarios.loading import load_catalog
from mockllm.stream.call import Call
from mockllm.stream.pipeline import wire_items

#: label → (dialect, the request it reads)
STREAMS = {
    "OpenAI chunks": ("openai", ChatRequest),
    "Gemini SSE": ("gemini", lambda **fields: GeminiRequest(sse=True, **fields)),
    "Gemini JSON array": ("gemini", GeminiRequest),
    "Ollama NDJSON": ("ollama", OllamaRequest),
}


def per_item_us(scenario_name: str, text: str, label: str, repeat: int) -> tuple[float, int]:
    """Best-of-`repeat` microseconds per wire item of one stream, and the item count."""
    folder = BENCH_SCENARIOS if scenario_name == "bench" else REPO / "scenarios"
    scenario = load_catalog(folder).scenarios[scenario_name]
    name, request = STREAMS[label]
    chat = request(messages=(("user", text),), model=scenario_name, stream=True)
    best, count = float("inf"), 0
    for seed in range(repeat):
        call = Call(chat=chat, scenario=scenario, seed=seed, seeded=True, speed=0, stream_config=scenario.stream)
        started = time.perf_counter()
        count = sum(1 for _ in wire_items(call, DIALECTS[name]))
        best = min(best, (time.perf_counter() - started) / count)
    return best * 1e6, count


def measure(chars: int = 2000, repeat: int = 20) -> list[Row]:
    cases = [(name, text, label) for name, text in (("bench", message(chars)), ("long-chinese", "你好")) for label in STREAMS]
    return [_row(per_item_us(name, text, label, repeat), f"{label}: {name}", repeat) for name, text, label in cases]


def _row(measured: tuple[float, int], what: str, repeat: int) -> Row:
    us, count = measured
    return Row(what, f"{us:.2f} µs per item", f"{count} items, best of {repeat}")


if __name__ == "__main__":
    print_table(measure())
