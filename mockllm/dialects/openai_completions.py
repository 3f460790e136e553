"""OpenAI legacy Completions: `POST /v1/completions`, `text_completion` objects streamed and whole.

`prompt` is a string, an array of strings, an array of tokens or an array of
token arrays; each prompt gets a choice (its `index`), all with the scenario's
answer. mockllm has no tokenizer: a token prompt reads as its numbers joined
by spaces.
"""

from __future__ import annotations

from typing import Any, ClassVar, Iterable, Iterator, Mapping

from mockllm.core import tokens
from mockllm.core.errors import bad_request
from mockllm.core.events import Delay, Error, Event, Text, WireItem
from mockllm.core.incoming import Incoming
from mockllm.core.request import ChatRequest
from mockllm.dialects.base import compact_json, error_as_response, register
from mockllm.dialects.openai import DONE, Answer, OpenAIDialect, error_json, opened, optional, read_body, read_stream, read_texts
from mockllm.stream.call import Call

PROMPT_SHAPES = "a string, an array of strings, an array of tokens (integers) or an array of token arrays"


def read_prompts(value: Any) -> tuple[str, ...]:
    """The prompts of a `prompt` value, each as text; raise RequestError when it has none of the accepted shapes."""
    prompts = ("",) if value is None else read_texts(value)
    if prompts is None:
        raise bad_request(f"'prompt' must be {PROMPT_SHAPES}.", "prompt")
    return prompts


@register
class OpenAICompletions(OpenAIDialect):
    """OpenAI's legacy text completions, byte for byte."""

    name = "openai-completions"
    routes: ClassVar[tuple[str, ...]] = ("POST /v1/completions",)

    def parse(self, incoming: Incoming) -> ChatRequest:
        return read_completion(incoming)

    def framer(self, call: Call) -> CompletionFramer:
        """The chunk builder of one stream."""
        return CompletionFramer(call)

    def stream(self, events: Iterable[Event], call: Call) -> Iterator[WireItem]:
        frame = self.framer(call)
        return opened(self._chunks(events, call, frame), frame.opening)

    def _chunks(self, events: Iterable[Event], call: Call, frame: CompletionFramer) -> Iterator[WireItem]:
        prompts = _prompts(call)
        answer = Answer()
        started = False
        for event in events:
            if isinstance(event, Delay):
                yield event
            elif isinstance(event, Error):
                yield self.error_response(event) if error_as_response(event, started) else frame.error(event)
                return
            else:
                answer.take(event)
                if isinstance(event, Text):
                    if not started:
                        started = True
                        yield from _echoed(frame, call)
                    yield from (frame.text(i, event.text) for i in range(len(prompts)))
        if not started:
            yield from _echoed(frame, call)
        yield from (frame.finish(i, answer.finish) for i in range(len(prompts)))
        if call.chat.include_usage:
            yield frame.usage(usage_json(answer, call))
        yield DONE

    def whole_body(self, answer: Answer, call: Call) -> dict[str, Any]:
        """The `text_completion` object of a complete answer."""
        said = answer.content.text
        echo = _echo(call)
        choices = [
            {"text": (prompt if echo else "") + said, "index": i, "logprobs": None, "finish_reason": answer.finish}
            for i, prompt in enumerate(_prompts(call))
        ]
        return {
            "id": f"cmpl-{call.id}",
            "object": "text_completion",
            "created": call.created,
            "model": call.model,
            "system_fingerprint": call.fingerprint,
            "choices": choices,
            "usage": usage_json(answer, call),
        }


def read_completion(incoming: Incoming, model: str | None = None) -> ChatRequest:
    """Read a Completions body; `model` (an Azure deployment) replaces the body's model."""
    body = read_body(incoming)
    stream, include_usage = read_stream(body)
    if optional(body, "n", int, "an integer") not in (None, 1):
        raise bad_request("mockllm answers with one choice per prompt; 'n' must be 1.", "n")
    optional(body, "echo", bool, "a boolean")
    optional(body, "suffix", str, "a string")
    prompts = read_prompts(body.get("prompt"))
    return ChatRequest(
        messages=tuple(("user", prompt) for prompt in prompts),
        model=model or optional(body, "model", str, "a string"),
        stream=stream,
        include_usage=include_usage,
        scenario=optional(body, "mock_scenario", str, "a string"),
        body=body,
    )


def usage_json(answer: Answer, call: Call) -> dict[str, int]:
    """The Completions `usage` object: each prompt's tokens, and the answer's once per prompt."""
    prompts = _prompts(call)
    prompt, completion, _ = answer.token_counts(call, sum(map(tokens.count, prompts)))
    completion *= len(prompts)
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _prompts(call: Call) -> list[str]:
    return [text for _, text in call.chat.messages]


def _echo(call: Call) -> bool:
    return bool(call.chat.body.get("echo"))


def _echoed(frame: CompletionFramer, call: Call) -> Iterator[bytes]:
    """With `echo: true`, each prompt as its choice's first text (sent with the answer's first text, after any error)."""
    if _echo(call):
        yield from (frame.text(i, prompt) for i, prompt in enumerate(_prompts(call)))


class CompletionFramer:
    """Builds `data: {text_completion}\\n\\n` frames, one choice each."""

    def __init__(self, call: Call) -> None:
        self._head = compact_json({"id": f"cmpl-{call.id}", "object": "text_completion", "created": call.created})[:-1]
        self._model = "," + compact_json({"model": call.model})[1:-1]
        self._usage_null = ',"usage":null' if call.chat.include_usage else ""

    def opening(self) -> Iterator[bytes]:
        """Frames sent before any text (none here)."""
        return iter(())

    def text(self, index: int, text: str) -> bytes:
        return self._choice({"text": text, "index": index, "logprobs": None, "finish_reason": None})

    def finish(self, index: int, reason: str) -> bytes:
        return self._choice({"text": "", "index": index, "logprobs": None, "finish_reason": reason})

    def _choice(self, choice: Mapping[str, Any]) -> bytes:
        return ("data: " + self._head + ',"choices":[' + compact_json(choice) + "]" + self._model + self._usage_null + "}\n\n").encode()

    def usage(self, usage: Mapping[str, Any]) -> bytes:
        return ("data: " + self._head + ',"choices":[]' + self._model + ',"usage":' + compact_json(usage) + "}\n\n").encode()

    def error(self, error: Error) -> bytes:
        return ("data: " + compact_json({"error": error_json(error)}) + "\n\n").encode()
