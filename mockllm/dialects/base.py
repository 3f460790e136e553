"""The dialect interface: read a request, frame events as bytes, shape errors.

Each dialect module defines a `Dialect` subclass and registers an instance
under its name with `@register` (`mockllm.dialects.registry` finds them all).
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Generator, Iterable, Iterator, Mapping, Sequence

from mockllm.core.events import DELTAS, Delay, Error, Event, Respond, ToolArgs, ToolCall, WireItem
from mockllm.core.incoming import Incoming

if TYPE_CHECKING:
    from mockllm.core.request import ChatRequest
    from mockllm.stream.call import Call

#: The dialects whose modules have run, by name (`mockllm.dialects.DIALECTS` holds every one).
REGISTERED: dict[str, Dialect] = {}
SSE_HEARTBEAT = b": keep-alive\n\n"


Listing = Callable[[Sequence[str], Mapping[str, str]], Respond]


class Dialect(ABC):
    """A wire format: how requests are read and how events become bytes.

    `routes` are the `"METHOD /path"` routes (aiohttp path syntax, e.g.
    `{model}`) whose requests this dialect reads and answers; the app builds
    its route table from them. `listings()` adds GET routes answered from the
    scenario names alone (model lists).
    """

    name: ClassVar[str]
    #: The provider whose API this dialect speaks (the key of its error variants in `presets`); None for app framings.
    provider: ClassVar[str | None] = None
    routes: ClassVar[tuple[str, ...]] = ()
    content_type: ClassVar[str] = "text/event-stream; charset=utf-8"
    #: What `wire.heartbeat_ms` sends in a quiet stream; None = this framing has no heartbeat.
    heartbeat: ClassVar[bytes | None] = SSE_HEARTBEAT
    #: Path prefixes of this provider's API: a request under one that no route answers (404, 405) gets this error shape.
    error_prefixes: ClassVar[tuple[str, ...]] = ()
    #: Prefixes other APIs share (`/v1/models`): there only a request from this dialect's clients gets its error shape.
    shared_error_prefixes: ClassVar[tuple[str, ...]] = ()

    @abstractmethod
    def parse(self, incoming: Incoming) -> ChatRequest:
        """Read a chat request; raise RequestError when it is malformed."""

    @abstractmethod
    def stream(self, events: Iterable[Event], call: Call) -> Iterator[WireItem]:
        """Frame events as a streamed body; an Error before any byte becomes a Respond."""

    @abstractmethod
    def whole(self, events: Iterable[Event], call: Call) -> Iterator[WireItem]:
        """Yield the delays, then one Respond holding the complete non-streamed answer."""

    @abstractmethod
    def error_response(self, error: Error) -> Respond:
        """Shape an error as this dialect's complete HTTP error response."""

    def headers(self, call: Call) -> dict[str, str]:
        """Extra response headers this dialect sends on every answer."""
        return {}

    def for_app(self) -> Dialect:
        """The instance that serves one app: a dialect that keeps state per app (stored answers) returns a fresh one."""
        return self

    def listings(self) -> Mapping[str, Listing]:
        """GET routes answered from the scenario names and the path's parameters: path → answer."""
        return {}

    def recognizes(self, headers: Mapping[str, str], query: Mapping[str, str]) -> bool:
        """Whether a request comes from this dialect's clients, for a listing path several dialects share."""
        return False

    def stream_content_type(self, call: Call) -> str:
        """The Content-Type of this call's streamed body (a scenario may change it)."""
        return self.content_type

    def error_scope(self, path: str, headers: Mapping[str, str], query: Mapping[str, str]) -> int:
        """How closely this dialect's API holds `path`: the length of its longest prefix holding it (0: not at all).

        A shared prefix counts only for a request from this dialect's clients (see `recognizes`).
        """
        owned = [prefix for prefix in self.error_prefixes if under(path, prefix)]
        if self.recognizes(headers, query):
            owned += [prefix for prefix in self.shared_error_prefixes if under(path, prefix)]
        return max(map(len, owned), default=0)


@dataclass
class SocketReply:
    """What one client event on an event socket asks for: events to send at once, a response to play, the active one cancelled.

    `respond` is the request of the response to play (the client event that
    asked for it), read by the connection's `parse`.
    """

    events: list[bytes] = field(default_factory=list)
    respond: Any = None
    cancel: bool = False


class EventSocketDialect(Dialect):
    """A dialect whose clients hold a WebSocket session of JSON events (OpenAI Realtime).

    The registered instance serves no connection itself: `connect` makes the
    instance that keeps one connection's state. The server sends `opening()`,
    hands each client event to `receive`, plays each response it asks for as
    a request of its own (`parse`, `stream`), sends `refusal` for an event the
    API refuses, `cancelled()` just before it cancels the playing response (and sends
    those events once it stopped), and calls
    `finished()` when a response's exchange is over.
    """

    #: The WebSocket subprotocols the server accepts (a browser client that offers one needs it echoed).
    subprotocols: ClassVar[tuple[str, ...]] = ()

    @abstractmethod
    def connect(self, incoming: Incoming, seed: int, seeded: bool) -> EventSocketDialect:
        """The instance serving the connection the upgrade request `incoming` opens; ids derive from `seed`."""

    @abstractmethod
    def opening(self) -> list[bytes]:
        """The events the server sends first."""

    @abstractmethod
    def receive(self, event: Any) -> SocketReply:
        """Apply one client event (parsed JSON); raise RequestError for one the API refuses."""

    @abstractmethod
    def refusal(self, error: Error, event: Any) -> bytes:
        """The event that refuses a client event."""

    @abstractmethod
    def cancelled(self) -> list[bytes]:
        """The events that end the playing response as cancelled (asked for before the response stops)."""

    @abstractmethod
    def finished(self) -> None:
        """A response's exchange is over (played, refused or cancelled): another may start."""


def register(cls: type[Dialect]) -> type[Dialect]:
    """Register one instance of a dialect class under its `name`."""
    REGISTERED[cls.name] = cls()
    return cls


def under(path: str, prefix: str) -> bool:
    """Whether `path` is `prefix` or below it (`/api/chat` is under `/api`; `/apix` is not)."""
    return path == prefix or path.startswith(prefix.rstrip("/") + "/")


def error_as_response(error: Error, started: bool) -> bool:
    """Whether an error goes out as an HTTP response (True) or as an in-stream frame."""
    return not started and error.delivery != "in_band"


#: Built once: `json.dumps` with non-default options builds a new encoder on every call.
_COMPACT_ENCODERS = {ascii_only: json.JSONEncoder(ensure_ascii=ascii_only, separators=(",", ":")) for ascii_only in (False, True)}


def compact_json(value: Any, ascii_only: bool = False) -> str:
    """JSON as providers stream it: no spaces, UTF-8 kept as is (or `\\uXXXX` escapes when `ascii_only`)."""
    return _COMPACT_ENCODERS[ascii_only].encode(value)


def pretty_json(value: Any, indent: int = 2) -> bytes:
    """JSON as providers send whole bodies: indented, ending in a newline."""
    return (json.dumps(value, ensure_ascii=False, indent=indent) + "\n").encode()


_HTML_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"))


def html_safe(json_text: str) -> str:
    """JSON text with `<`, `>` and `&` as `\\u003c`, `\\u003e`, `\\u0026`, as Go and Google's servers encode it."""
    for char, escape in _HTML_ESCAPES:
        if char in json_text:  # `str.translate` would be far slower on non-ASCII text
            json_text = json_text.replace(char, escape)
    return json_text


def call_arguments(event: ToolCall) -> Any:
    """A tool call's arguments as a JSON value ({} for none); None when a length limit cut them short (not JSON).

    Services that send arguments as an object (Gemini, Ollama, the AI SDK's
    `input`) never send a call they did not finish: a dialect leaves such a call out.
    """
    try:
        return json.loads(event.arguments) if event.arguments else {}
    except ValueError:
        return None


def whole_tool_calls(events: Iterable[Event]) -> Iterator[Event]:
    """Events for a dialect that sends each tool call whole: the call goes out after its argument fragments' delays.

    The fragments are dropped, and the call is sent when its last fragment
    would have been, as a model's call arrives once its arguments are done.
    """
    held: ToolCall | None = None
    waits: list[Event] = []
    for event in events:
        if held is not None:
            if isinstance(event, Delay):
                waits.append(event)
                continue
            if isinstance(event, ToolArgs):
                yield from waits
                waits = []
                continue
            yield held
            yield from waits
            held, waits = None, []
        if isinstance(event, ToolCall):
            held = event
        elif not isinstance(event, ToolArgs):
            yield event
    if held is not None:
        yield held
        yield from waits


def scenario_wait(events: Iterable[Event], error_response: Callable[[Error], Respond]) -> Generator[WireItem, None, bool]:
    """Yield the scenario's delays before its first output; an Error ends it with its response.

    Returns whether the vectors may follow (no error), for `if (yield from scenario_wait(...))`.
    """
    answered = False
    for event in events:
        if isinstance(event, Error):
            yield error_response(event)
            return False
        answered = answered or isinstance(event, DELTAS)
        if isinstance(event, Delay) and not answered:
            yield event
    return True


def whole_answer(events: Iterable[Event], take: Callable[[Event], object], error_response: Callable[[Error], Respond]) -> Generator[WireItem, None, bool]:
    """Yield a whole answer's delays, handing every event but an Error to `take`; an Error ends it with its response.

    Returns whether the answer is complete (no error), for `completed = yield from whole_answer(...)`.
    """
    for event in events:
        if isinstance(event, Error):
            yield error_response(event)
            return False
        take(event)
        if isinstance(event, Delay):
            yield event
    return True
