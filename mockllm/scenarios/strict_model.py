"""The base for every config model: unknown keys are errors naming the near miss and the valid keys."""

from __future__ import annotations

from typing import Any, Iterable

from pydantic import BaseModel, ConfigDict, ModelWrapValidatorHandler, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

NAME_PATTERN = r"^[a-z0-9][a-z0-9._-]*$"
"""What a scenario or framing name may be: lowercase letters, digits, `.`, `_`, `-`."""


def did_you_mean(given: str, valid: Iterable[str]) -> str:
    """`did you mean 'x'? ` for the closest valid name, or nothing when none is close (difflib imported for the first miss)."""
    import difflib

    close = difflib.get_close_matches(given, list(valid), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}? " if close else ""


class Strict(BaseModel):
    """A frozen config model whose unknown keys are reported with the valid keys, alongside its other problems."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True, defer_build=True)

    @model_validator(mode="wrap")
    @classmethod
    def _reject_unknown_keys(cls, data: Any, handler: ModelWrapValidatorHandler[Any]) -> Any:
        valid = cls.valid_keys()
        unknown = [key for key in data if key not in valid] if isinstance(data, dict) else []
        if not unknown:
            return handler(data)
        errors = [_unknown_key(key, valid, data) for key in unknown]
        try:
            handler({k: v for k, v in data.items() if k not in unknown})
        except ValidationError as exc:
            errors += [_again(item) for item in exc.errors(include_url=False)]
        raise ValidationError.from_exception_data(cls.__name__, errors)

    @classmethod
    def valid_keys(cls) -> set[str]:
        """The keys a YAML mapping may use for this model."""
        return {f.alias or name for name, f in cls.model_fields.items()}


def _unknown_key(key: Any, valid: Iterable[str], data: Any) -> InitErrorDetails:
    names = sorted(valid)
    hint = did_you_mean(key, names) if isinstance(key, str) else ""
    message = "unknown key '{key}'; {hint}valid keys: {valid}"
    return InitErrorDetails(type=PydanticCustomError("unknown_key", message, {"key": key, "hint": hint, "valid": ", ".join(names)}), loc=(), input=data)


def _again(item: Any) -> InitErrorDetails:
    """A reported error as it was, to raise again beside the unknown keys."""
    template = str(item["msg"]).replace("{", "{{").replace("}", "}}")
    return InitErrorDetails(type=PydanticCustomError(item["type"], template, item.get("ctx")), loc=item["loc"], input=item["input"])
