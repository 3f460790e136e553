"""Structured output: an answer to a request with a JSON `response_format` is a document of that format.

The request's `response_format` (neutral, see `ChatRequest`) asks for a JSON
object or a document valid against a JSON Schema. When the scenario's text is
such a document it goes out as is; otherwise the text is replaced by a
document generated from the schema with the call's seeded RNG (for
`json_object`: `{"answer": <the scenario's text>}`), which is then chunked and
paced like any text. JSON mode (`json_object`) follows a JSON Schema the
prompt holds (`prompt_schema`), as a model follows one its system prompt spells
out. A scenario with `structured: as_is` keeps its text, to
test how a client handles a non-conforming answer. Answers without text (tool
calls, errors before any output) pass unchanged.
"""

from __future__ import annotations

import json
import random
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping, Sequence

from mockllm.core.events import Error, Event, Text, ToolCall
from mockllm.core.schema_data import SchemaError, generate

if TYPE_CHECKING:
    from mockllm.stream.call import Call

_PROBE_SEED = 0


def schema_problem(schema: Any) -> str | None:
    """What makes `schema` unusable as a response schema (not a valid JSON Schema, or nothing can be generated), or None."""
    if not isinstance(schema, dict):
        return f"a schema is a JSON object; got {type(schema).__name__}."
    import jsonschema  # on first use: it would add to every start-up

    try:
        jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator).check_schema(schema)
        generate(schema, random.Random(_PROBE_SEED))
    except jsonschema.SchemaError as exc:
        where = "/".join(map(str, exc.absolute_path)) or "the root"
        return f"{exc.message} (at {where})."
    except SchemaError as exc:
        return f"{exc}."
    return None


def conforms(text: str, response_format: Mapping[str, Any]) -> bool:
    """Whether `text` is a document of the format: a JSON object, or JSON valid against the schema."""
    try:
        document = json.loads(text)
    except ValueError:
        return False
    if response_format["type"] == "json_object":
        return isinstance(document, dict)
    return _validator(response_format["schema"]).is_valid(document)


def conform(events: Iterable[Event], call: Call) -> Iterable[Event]:
    """The events with the answer text replaced by a conforming document when the request asks for one.

    Without a JSON `response_format` (or with `structured: as_is`) the events are returned as they are.
    """
    response_format = call.chat.response_format
    if response_format is None or call.scenario.structured == "as_is":
        return events
    if response_format["type"] == "json_object":
        schema = prompt_schema(call.chat.messages)
        if schema is not None:
            response_format = {"type": "json_schema", "schema": schema}
    return _conformed(list(events), response_format, call)


#: How much of each message `prompt_schema` reads, and how many `{` it tries as the start of a document.
_SCHEMA_SCAN_CHARS = 64 * 1024
_SCHEMA_SCAN_TRIES = 256


def prompt_schema(messages: Sequence[tuple[str, str]]) -> dict[str, Any] | None:
    """The JSON Schema a system message (else a user message, the last first) holds, fenced or not; None without one.

    A schema is a JSON object with `properties` (an object) or `type: object`,
    from which a document can be generated; the first such object in a message counts.
    """
    system = [text for role, text in messages if role in ("system", "developer")]
    users = [text for role, text in reversed(messages) if role == "user"]
    for text in (*system, *users):
        schema = _schema_in(text[:_SCHEMA_SCAN_CHARS])
        if schema is not None:
            return schema
    return None


def _schema_in(text: str) -> dict[str, Any] | None:
    decoder = json.JSONDecoder()
    start = text.find("{")
    for _ in range(_SCHEMA_SCAN_TRIES):
        if start < 0:
            return None
        try:
            value, end = decoder.raw_decode(text, start)
        except ValueError:
            start = text.find("{", start + 1)
            continue
        if _is_schema(value):
            return value  # type: ignore[no-any-return]
        start = text.find("{", end)
    return None


def _is_schema(value: Any) -> bool:
    if not isinstance(value, dict) or not (isinstance(value.get("properties"), dict) or value.get("type") == "object"):
        return False
    return schema_problem(value) is None


def _conformed(held: list[Event], response_format: Mapping[str, Any], call: Call) -> Iterator[Event]:
    texts = [event for event in held if isinstance(event, Text)]
    said = "".join(text.text for text in texts)
    if not texts or any(isinstance(event, ToolCall) for event in held) or conforms(said, response_format):
        yield from held
        return
    replacement = _document(said, response_format, call)
    if isinstance(replacement, Error):
        yield replacement
        return
    first = held.index(texts[0])
    yield from held[:first]
    yield replacement
    yield from (event for event in held[first + 1 :] if not isinstance(event, Text))


def _document(said: str, response_format: Mapping[str, Any], call: Call) -> Text | Error:
    """A seeded document of the format, or an Error when nothing valid can be generated for the schema."""
    if response_format["type"] == "json_object":
        return Text(_compact({"answer": said}))
    schema = response_format["schema"]
    try:
        document = generate(schema, call.rng, all_properties=bool(response_format.get("strict")))
    except SchemaError as exc:  # a dialect that did not check the schema with `schema_problem`
        return _cannot_generate(str(exc))
    import jsonschema  # on first use: it would add to every start-up

    problem = jsonschema.exceptions.best_match(_validator(schema).iter_errors(document))
    if problem is not None:
        return _cannot_generate(problem.message)
    return Text(_compact(document))


def _cannot_generate(reason: str) -> Error:
    message = (
        f"mockllm cannot generate a document for this response schema ({reason}); "
        "give the scenario a conforming text, or `structured: as_is`."
    )
    return Error(message, status=400, type="invalid_request_error", param="response_format", code="invalid_json_schema")


def _validator(schema: Mapping[str, Any]) -> Any:
    import jsonschema

    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
