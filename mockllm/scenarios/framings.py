"""App framings as data: the templates that turn deltas and errors into bytes.

A `Framing` describes one backend's chunked protocol (frame, error and done
templates, payload field names, line ending, ASCII-only JSON). The built-in
app framings are `Framing` values; a scenarios folder may declare more as
`kind: framing` documents, optionally `extends:` a built-in one. A scenario's
`framing:` block (`FramingOptions`) adjusts a few of them for that scenario.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator

from mockllm.scenarios.strict_model import NAME_PATTERN, Strict

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")

#: The placeholders each template may use.
DELTA_PLACEHOLDERS = ("json", "text", "text_json")
ERROR_PLACEHOLDERS = ("json", "code", "msg", "msg_json", "status")
PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    "frame": DELTA_PLACEHOLDERS,
    "think": DELTA_PLACEHOLDERS,
    "whole": DELTA_PLACEHOLDERS,
    "error": ERROR_PLACEHOLDERS,
    "error_body": ERROR_PLACEHOLDERS,
    "done": (),
}


#: The framings built in (`mockllm.dialects.apps` registers one of each; a test keeps the two in step).
BUILTIN_FRAMINGS = ("ai-sdk", "miniprogram", "ndjson", "sse-json", "text")
#: The built-in framings driven by templates, which a declared framing may `extends`.
EXTENDABLE_FRAMINGS = ("miniprogram", "sse-json", "text")


def check_template(template: str, allowed: tuple[str, ...]) -> str:
    """Return `template`, or raise ValueError naming a placeholder it may not use."""
    for match in PLACEHOLDER.finditer(template):
        if match.group(1) not in allowed:
            valid = ", ".join("{" + name + "}" for name in allowed) or "none (it is sent as written)"
            raise ValueError(f"unknown placeholder {match.group(0)}; valid here: {valid}")
    return template


class Fields(Strict):
    """The payload field names `{json}` uses."""

    content: str = Field("content", min_length=1, description="answer delta (frame, whole)")
    think: str = Field("reasoning_content", min_length=1, description="reasoning delta (think, whole)")
    code: str = Field("code", min_length=1, description="business error code (error, error_body)")
    msg: str = Field("msg", min_length=1, description="error message (error, error_body)")


class FramingOptions(Strict):
    """What a scenario may change of the framing it is served in (its `framing:` block)."""

    ascii_only: bool | None = None
    content_type: str | None = Field(None, min_length=1)
    done: str | None = None
    line_ending: str | None = None

    @field_validator("done")
    @classmethod
    def _done(cls, value: str | None) -> str | None:
        return None if value is None else check_template(value, PLACEHOLDERS["done"])

    def changes(self) -> dict[str, object]:
        """The options that are set, as updates to a `Framing`."""
        return self.model_dump(exclude_none=True)


class Framing(Strict):
    """One app framing: a built-in preset, or a `kind: framing` document."""

    schema_version: Literal[1] = Field(1, alias="schema")
    kind: Literal["framing"] = "framing"
    name: str = Field(pattern=NAME_PATTERN, max_length=64)
    description: str = ""
    extends: str | None = Field(None, description="a built-in framing whose settings this one starts from")
    content_type: str = Field("text/event-stream; charset=utf-8", min_length=1)
    frame: str | None = Field(None, validate_default=True, description="one answer delta")
    think: str | None = Field(None, description="one reasoning delta; reasoning is dropped when unset")
    error: str = Field("{json}", description="the in-stream business error frame")
    done: str = Field("", description="sent as written at the end of the stream")
    line_ending: str = Field("\n", description="appended to every frame, think and error")
    ascii_only: bool = Field(False, description="JSON escapes non-ASCII as \\uXXXX")
    done_after_error: bool = Field(True, description="send `done` after an in-stream error too")
    fields: Fields = Field(default_factory=Fields)
    whole: str = Field("{json}", description="body of a non-streamed answer")
    whole_content_type: str = Field("application/json; charset=utf-8", min_length=1)
    error_body: str = Field("{json}", description="body of an error sent as an HTTP error status")

    @field_validator("frame", "think", "whole", "error", "error_body", "done")
    @classmethod
    def _placeholders(cls, value: str | None, info: ValidationInfo) -> str | None:
        return None if value is None else check_template(value, PLACEHOLDERS[str(info.field_name)])

    @field_validator("frame")
    @classmethod
    def _frame_has_delta(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None and not info.data.get("extends"):
            raise ValueError("a framing needs `frame` (or `extends:` a built-in framing)")
        if value is not None and not PLACEHOLDER.search(value):
            raise ValueError("a frame must carry the delta: use {json}, {text} or {text_json}")
        return value

    def own_settings(self) -> dict[str, object]:
        """The settings this document sets itself, to lay over the framing it extends."""
        return {name: getattr(self, name) for name in self.model_fields_set - {"schema_version", "kind", "extends"}}

    def with_options(self, options: FramingOptions | None) -> Framing:
        """This framing with a scenario's `framing:` options applied."""
        return self.model_copy(update=options.changes()) if options else self
