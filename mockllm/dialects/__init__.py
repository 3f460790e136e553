"""Wire formats, one module each: every dialect by name in `DIALECTS`, its module imported on first use.

A new dialect is a new module here (or in `apps/`) and nothing else: the
registry finds it (docs/adding-a-dialect.md, `mockllm.dialects.registry`).
"""

from __future__ import annotations

from mockllm.dialects.base import Dialect
from mockllm.dialects.registry import DIALECTS

__all__ = ["DIALECTS", "Dialect"]
