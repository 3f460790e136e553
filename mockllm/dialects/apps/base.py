"""What every app framing shares: the lenient request reader and the business-error delivery rule.

App backends are called by mini-programs and web pages with whatever body the
team chose, so the user's message is looked for in the usual places: JSON body
`messages`, `message_list`, `message`, `prompt` or `q`; the same names as form
fields; the query string (for GET). `stream=false` (body, form or query) asks
for the whole answer in one body.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import parse_qsl

from mockllm.core.errors import bad_request
from mockllm.core.events import Error, Event
from mockllm.core.incoming import Incoming
from mockllm.core.request import ChatRequest
from mockllm.dialects.base import Dialect
from mockllm.dialects.openai import read_messages

MESSAGE_KEYS = ("messages", "message_list", "message", "prompt", "q")
DELIVERIES = ("auto", "in_band", "chunked", "length")
DELIVERY_HEADER = "X-Mock-Delivery"
DELIVERY_QUERY = "mock_delivery"
_FALSE = {"false", "0", "no", "off"}
_TRUE = {"true", "1", "yes", "on", ""}


@dataclass(frozen=True)
class AppRequest(ChatRequest):
    """A chat request read from an app route; `delivery` replaces every error's delivery when set."""

    delivery: str | None = None


class AppFraming(Dialect):
    """A dialect served on app routes: reads requests leniently, may carry a route's scenario."""

    def __init__(self, route_scenario: str | None = None) -> None:
        self.route_scenario = route_scenario

    def parse(self, incoming: Incoming) -> ChatRequest:
        return read_app_request(incoming, self.route_scenario)

    def for_route(self, scenario: str | None) -> AppFraming:
        """This framing serving a route bound to `scenario` (which then acts like a body `mock_scenario`)."""
        bound = copy.copy(self)
        bound.route_scenario = scenario
        return bound


def read_app_request(incoming: Incoming, route_scenario: str | None = None) -> AppRequest:
    """Read an app request from its JSON body, form fields or query string; raise RequestError when malformed."""
    fields = _fields(incoming)
    model = fields.get("model")
    scenario = fields.get("mock_scenario")
    return AppRequest(
        messages=_messages(fields),
        model=model if isinstance(model, str) and model else None,
        stream=_flag(fields.get("stream"), "stream"),
        scenario=scenario if isinstance(scenario, str) and scenario else route_scenario,
        body=fields,
        delivery=_delivery(incoming),
    )


def app_errors(events: Iterable[Event], chat: ChatRequest) -> Iterator[Event]:
    """Errors as app framings send them: `auto` means in-band; a per-request delivery wins over the scenario's."""
    override = chat.delivery if isinstance(chat, AppRequest) else None
    for event in events:
        if isinstance(event, Error):
            delivery = override or event.delivery
            event = replace(event, delivery="in_band" if delivery == "auto" else delivery)
        yield event


def business_code(error: Error) -> int | str:
    """The app's error code: the scenario's `code`, else the HTTP status."""
    return error.code if error.code is not None else error.status


def _fields(incoming: Incoming) -> dict[str, Any]:
    fields: dict[str, Any] = dict(incoming.query)
    if isinstance(incoming.json, dict):
        fields.update(incoming.json)
    elif incoming.json is not None:
        raise bad_request(f"Send a JSON object (or form fields); got a JSON {type(incoming.json).__name__}.")
    elif incoming.body.strip():
        fields.update(_body_fields(incoming))
    return fields


def _body_fields(incoming: Incoming) -> dict[str, str]:
    content_type = incoming.headers.get("Content-Type", "").lower()
    if "json" in content_type:
        raise bad_request(f"We could not parse the JSON body of your request ({incoming.json_error}).")
    try:
        text = incoming.body.decode("utf-8")
    except UnicodeDecodeError:
        raise bad_request("The request body is not UTF-8.") from None
    if content_type.startswith("text/plain"):
        return {"prompt": text}
    return dict(parse_qsl(text, keep_blank_values=True))


def _messages(fields: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    key = next((k for k in MESSAGE_KEYS if fields.get(k) not in (None, "")), None)
    if key is None:
        return ()
    value = fields[key]
    if key in ("messages", "message_list") or isinstance(value, list):
        return _message_list(value, key)
    if isinstance(value, dict):
        return read_messages([value], key)
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return (("user", str(value)),)
    raise bad_request(f"'{key}' must be a string; got {type(value).__name__}.", key)


def _message_list(value: Any, key: str) -> tuple[tuple[str, str], ...]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise bad_request(f"'{key}' must be a JSON array of messages.", key) from None
    if not isinstance(value, list):
        raise bad_request(f"'{key}' must be an array of messages; got {type(value).__name__}.", key)
    return read_messages([{"role": "user", "content": m} if isinstance(m, str) else m for m in value], key)


def _flag(value: Any, key: str) -> bool:
    if value is None or isinstance(value, bool):
        return value is not False
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _FALSE | _TRUE:
        return value.strip().lower() not in _FALSE
    raise bad_request(f"'{key}' must be true or false; got {value!r}.", key)


def _delivery(incoming: Incoming) -> str | None:
    value = incoming.headers.get(DELIVERY_HEADER) or incoming.query.get(DELIVERY_QUERY)
    if not value:
        return None
    if value not in DELIVERIES:
        raise bad_request(f"{DELIVERY_HEADER} (or ?{DELIVERY_QUERY}=) must be one of {', '.join(DELIVERIES)}; got {value!r}.")
    return value
