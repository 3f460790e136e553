"""The template-driven framer behind `miniprogram`, `text`, `sse-json` and every custom framing.

A `Framing` (see `mockllm.scenarios.framings`) gives the templates; this module fills
their placeholders and frames a call's events as bytes. A scenario's
`framing:` block is applied per call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ClassVar

from mockllm.core.events import Delay, Error, Event, Respond, Text, Think, WireItem
from mockllm.dialects.apps.base import AppFraming, app_errors, business_code
from mockllm.dialects.base import compact_json, error_as_response
from mockllm.scenarios.framings import PLACEHOLDER, Framing
from mockllm.stream.call import Call

ERROR_CONTENT_TYPE = "application/json; charset=utf-8"


@dataclass(frozen=True)
class Template:
    """A template split into literal text and placeholder names, filled in one pass."""

    parts: tuple[str, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """The placeholders used, in order."""
        return self.parts[1::2]

    def fill(self, values: dict[str, Callable[[], str]]) -> str:
        """The template with each placeholder replaced by its value (computed once)."""
        out = list(self.parts)
        for i in range(1, len(out), 2):
            out[i] = values[out[i]]()
        return "".join(out)


@lru_cache(maxsize=256)
def template(text: str) -> Template:
    """Split a template once; `PLACEHOLDER.split` alternates literals and names."""
    return Template(tuple(PLACEHOLDER.split(text)))


class Preset:
    """A built-in framing as a class attribute: its `Framing` is built when first read, not at import.

    Building the first `Framing` builds pydantic's validator for it, tens of
    milliseconds that a server whose first requests use no app framing (and a
    folder without `kind: framing` documents) need not spend at start-up.
    """

    def __init__(self, **fields: Any) -> None:
        self._fields = fields
        self._built: Framing | None = None

    def __get__(self, instance: object, owner: type) -> Framing:
        if self._built is None:
            self._built = Framing(**self._fields)
        return self._built


class TemplateFramer(AppFraming):
    """Frames events with a `Framing`'s templates; presets set `framing` as a class attribute (a `Preset`)."""

    name = "template"
    framing: ClassVar[Framing]
    #: no keep-alive filler: app clients treat every byte as a frame (sse-json sets an SSE comment)
    heartbeat: ClassVar[bytes | None] = None

    def __init__(self, framing: Framing | None = None, route_scenario: str | None = None) -> None:
        super().__init__(route_scenario)
        self._framing = framing

    @property
    def spec(self) -> Framing:
        """The framing this framer fills: its own, else its class's preset."""
        return self._framing or type(self).framing

    @property
    def content_type(self) -> str:  # type: ignore[override]
        """The Content-Type of streamed bodies."""
        return self.spec.content_type

    def for_call(self, call: Call) -> Framing:
        """The framing with the call's scenario options applied."""
        return self.spec.with_options(call.scenario.framing)

    def stream_content_type(self, call: Call) -> str:
        return self.for_call(call).content_type

    def stream(self, events: Iterable[Event], call: Call) -> Iterator[WireItem]:
        framing = self.for_call(call)
        encode = _Encoder(framing)
        started = False
        answer = app_errors(events, call.chat)
        for event in answer:
            if isinstance(event, Delay):
                yield event
            elif isinstance(event, Error):
                if error_as_response(event, started):
                    yield _error_respond(encode, event)
                    return
                yield encode.error(event)
                yield from (wait for wait in answer if isinstance(wait, Delay))  # the end marker's own wait (`end_ms`)
                break
            elif isinstance(event, Text) or (isinstance(event, Think) and framing.think is not None):
                frame = encode.delta(event)
                if frame:
                    started = True
                    yield frame
        else:
            yield from encode.done()
            return
        if framing.done_after_error:
            yield from encode.done()

    def whole(self, events: Iterable[Event], call: Call) -> Iterator[WireItem]:
        framing = self.for_call(call)
        encode = _Encoder(framing)
        content: list[str] = []
        reasoning: list[str] = []
        for event in app_errors(events, call.chat):
            if isinstance(event, Delay):
                yield event
            elif isinstance(event, Error):
                yield _error_respond(encode, event, ok=event.delivery == "in_band")
                return
            elif isinstance(event, Text):
                content.append(event.text)
            elif isinstance(event, Think):
                reasoning.append(event.text)
        yield Respond(200, encode.whole("".join(content), "".join(reasoning)), framing.whole_content_type)

    def error_response(self, error: Error) -> Respond:
        return _error_respond(_Encoder(self.spec), error)


def _error_respond(encode: _Encoder, error: Error, ok: bool = False) -> Respond:
    """The error as a complete response: status 200 when `ok`, else the error's status."""
    body = encode.error_body(error)
    chunked = error.delivery == "chunked"
    return Respond(200 if ok else error.status, body, ERROR_CONTENT_TYPE, headers=error.headers, chunked=chunked)


class _Encoder:
    """Fills one framing's templates; JSON follows its `ascii_only` switch."""

    def __init__(self, framing: Framing) -> None:
        self.framing = framing
        self.end = framing.line_ending

    def json(self, value: object) -> str:
        return compact_json(value, self.framing.ascii_only)

    def delta(self, event: Text | Think) -> bytes:
        fields = self.framing.fields
        if isinstance(event, Text):
            text, key, chosen = event.text, fields.content, self.framing.frame
        else:
            text, key, chosen = event.text, fields.think, self.framing.think
        values = self._text_values(text, lambda: {key: text})
        return (template(chosen or "").fill(values) + self.end).encode()

    def whole(self, content: str, reasoning: str) -> bytes:
        fields = self.framing.fields

        def payload() -> dict[str, str]:
            return {fields.content: content, **({fields.think: reasoning} if reasoning else {})}

        return template(self.framing.whole).fill(self._text_values(content, payload)).encode()

    def error(self, error: Error) -> bytes:
        return (template(self.framing.error).fill(self._error_values(error)) + self.end).encode()

    def error_body(self, error: Error) -> bytes:
        return template(self.framing.error_body).fill(self._error_values(error)).encode()

    def done(self) -> Iterator[bytes]:
        if self.framing.done:
            yield self.framing.done.encode()

    def _text_values(self, text: str, payload: Callable[[], dict[str, str]]) -> dict[str, Callable[[], str]]:
        return {"text": lambda: text, "text_json": lambda: self.json(text), "json": lambda: self.json(payload())}

    def _error_values(self, error: Error) -> dict[str, Callable[[], str]]:
        fields = self.framing.fields
        code = business_code(error)
        return {
            "json": lambda: self.json({fields.code: code, fields.msg: error.message}),
            "code": lambda: self.json(code),
            "msg": lambda: error.message,
            "msg_json": lambda: self.json(error.message),
            "status": lambda: str(error.status),
        }
