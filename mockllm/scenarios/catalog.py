"""The catalog: everything a scenarios folder declares (`mockllm.scenarios.loading` reads one)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import BaseModel

    from mockllm.scenarios.scenario import Scenario


DEFAULT_SCENARIO = "default"
#: The scenarios that ship with mockllm: package data, so an installed wheel serves them from any folder
#: (a clone also reaches them as `scenarios/`, a link to this folder).
SHIPPED = Path(__file__).resolve().parent / "shipped"


@dataclass
class Catalog:
    """Everything a scenarios folder declares."""

    folder: Path
    scenarios: dict[str, Scenario] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    documents: dict[str, list[BaseModel]] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        """Scenario names, sorted."""
        return sorted(self.scenarios)


def scenario_count(count: int) -> str:
    """`1 scenario`, `47 scenarios`: a count as a person writes it."""
    return f"{count} scenario{'' if count == 1 else 's'}"
