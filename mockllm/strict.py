"""The base for every config model: unknown keys are errors listing the valid ones."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator
from pydantic_core import PydanticCustomError

NAME_PATTERN = r"^[a-z0-9][a-z0-9._-]*$"
"""What a scenario or framing name may be: lowercase letters, digits, `.`, `_`, `-`."""


class Strict(BaseModel):
    """A frozen config model whose unknown keys are reported with the valid keys."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _reject_unknown_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            valid = cls.valid_keys()
            for key in data:
                if key not in valid:
                    raise PydanticCustomError(
                        "unknown_key",
                        "unknown key '{key}'; valid keys: {valid}",
                        {"key": key, "valid": ", ".join(sorted(valid))},
                    )
        return data

    @classmethod
    def valid_keys(cls) -> set[str]:
        """The keys a YAML mapping may use for this model."""
        return {f.alias or name for name, f in cls.model_fields.items()}
