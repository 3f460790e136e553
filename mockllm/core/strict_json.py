"""Parse a request body as strict JSON: finite numbers, integers of sane length, no lone surrogates."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from mockllm.core.redact import safe_text

#: Integers longer than this many digits are refused (Python's own limit is 4,300; no API needs more than 20).
_MAX_INT_DIGITS = 1000


#: A `\uD800`-`\uDFFF` escape: only a body with one can hold a lone surrogate (most text, Chinese included, has none).
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def parse_json(body: bytes) -> tuple[Any, str | None]:
    """Parse a JSON body as strict JSON: finite numbers, integers of sane length, no lone surrogates."""
    if not body.strip():
        return None, "the body is empty"
    encoding = json.detect_encoding(body)
    try:
        # Decoded here, strictly: given bytes, json.loads decodes UTF-16 and UTF-32 with 'surrogatepass',
        # which lets a lone surrogate code unit through without any escape to give it away.
        text = body.decode(encoding)
    except UnicodeDecodeError:
        return None, "the body is not UTF-8" if encoding.startswith("utf-8") else f"the body is not valid {encoding[:6].upper()}"
    try:
        parsed = json.loads(text, parse_constant=_no_constant, parse_float=_finite_float, parse_int=_sane_int)
    except json.JSONDecodeError as exc:
        return None, f"{exc.msg} at line {exc.lineno} column {exc.colno}"
    except RecursionError:
        return None, "it nests arrays or objects too deeply"
    except ValueError as exc:
        return None, str(exc)
    if _SURROGATE_ESCAPE.search(body) and _has_lone_surrogate(parsed):
        return None, "a string holds a lone UTF-16 surrogate escape (like \\ud800), which is not valid Unicode"
    return parsed, None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:40]} is too large")
    return value


def _sane_int(text: str) -> int:
    if len(text) > _MAX_INT_DIGITS:
        raise ValueError(f"an integer has {len(text)} digits; at most {_MAX_INT_DIGITS} are accepted")
    return int(text)


def _has_lone_surrogate(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if safe_text(item) is not item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False
