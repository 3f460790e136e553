"""Seeded example data for a JSON Schema: tool-call arguments and structured answers.

Covers what tool and response schemas use: `type` (one or a list), `enum`,
`const`, `properties` + `required` (every required property, and the optional
ones with a seeded coin flip unless `all_properties`), `items` with
`minItems`/`maxItems`, numeric and length bounds, `format` (date, date-time,
time, email, uri, uuid, ipv4), `anyOf`/`oneOf` (one branch), `allOf` (merged),
and local `$ref`s (`#/$defs/...`, `#/definitions/...`). The same schema and seed
give the same document.
"""

from __future__ import annotations

import random
import string
from typing import Any, Mapping

MAX_DEPTH = 12
_WORDS = ("北京", "上海", "sunny", "alpha", "value", "深圳", "example", "杭州", "data", "item")
_FORMATS = {
    "date": lambda rng: f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
    "date-time": lambda rng: f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00Z",
    "time": lambda rng: f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00",
    "email": lambda rng: f"user{rng.randint(1, 999)}@example.com",
    "uri": lambda rng: f"https://example.com/{rng.choice(_WORDS[1::2])}",
    "url": lambda rng: f"https://example.com/{rng.choice(_WORDS[1::2])}",
    "uuid": lambda rng: "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}".format(
        rng.getrandbits(32), rng.getrandbits(16), rng.getrandbits(12), rng.getrandbits(12), rng.getrandbits(48)
    ),
    "ipv4": lambda rng: ".".join(str(rng.randint(1, 254)) for _ in range(4)),
}


class SchemaError(ValueError):
    """The schema cannot be generated from (a `$ref` that leads nowhere, an unknown type, too deep)."""


def generate(schema: Mapping[str, Any], rng: random.Random, *, all_properties: bool = False) -> Any:
    """A document that validates against `schema`, drawn from `rng`."""
    return _Generator(schema, rng, all_properties).value(schema, 0)


class _Generator:
    def __init__(self, root: Mapping[str, Any], rng: random.Random, all_properties: bool) -> None:
        self.root, self.rng, self.all_properties = root, rng, all_properties

    def value(self, schema: Any, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise SchemaError(f"the schema nests deeper than {MAX_DEPTH} levels (a recursive $ref?)")
        if schema is True or schema == {}:
            return self.rng.choice(_WORDS)
        if not isinstance(schema, Mapping):
            raise SchemaError(f"a schema is an object; got {type(schema).__name__}")
        if "$ref" in schema:
            return self.value(self._resolve(schema["$ref"]), depth + 1)
        if "const" in schema:
            return schema["const"]
        if "enum" in schema:
            if not isinstance(schema["enum"], list) or not schema["enum"]:
                raise SchemaError("'enum' must be a non-empty array")
            return self.rng.choice(schema["enum"])
        for key in ("anyOf", "oneOf"):
            if key in schema:
                branches = schema[key]
                if not isinstance(branches, list) or not branches:
                    raise SchemaError(f"'{key}' must be a non-empty array")
                return self.value(self._pick_branch(branches), depth + 1)
        if "allOf" in schema:
            return self.value(_merge(schema["allOf"]), depth + 1)
        return self._typed(schema, _type_of(schema, self.rng), depth)

    def _pick_branch(self, branches: list[Any]) -> Any:
        concrete = [b for b in branches if not (isinstance(b, Mapping) and b.get("type") == "null")]
        return self.rng.choice(concrete or branches)

    def _typed(self, schema: Mapping[str, Any], kind: str, depth: int) -> Any:
        if kind == "object":
            return self._object(schema, depth)
        if kind == "array":
            return self._array(schema, depth)
        if kind == "string":
            return self._string(schema)
        if kind in ("integer", "number"):
            return self._number(schema, kind)
        if kind == "boolean":
            return self.rng.random() < 0.5
        if kind == "null":
            return None
        raise SchemaError(f"unknown type {kind!r}; use object, array, string, integer, number, boolean or null")

    def _object(self, schema: Mapping[str, Any], depth: int) -> dict[str, Any]:
        properties = schema.get("properties") or {}
        required = set(schema.get("required") or ())
        out: dict[str, Any] = {}
        for name, sub in properties.items():
            if name in required or self.all_properties or self.rng.random() < 0.5:
                out[name] = self.value(sub, depth + 1)
        for name in sorted(required - set(properties)):
            out[name] = self.rng.choice(_WORDS)
        return out

    def _array(self, schema: Mapping[str, Any], depth: int) -> list[Any]:
        low = int(schema.get("minItems", 1))
        high = max(low, int(schema.get("maxItems", max(low, 3))))
        items = schema.get("items", {})
        if isinstance(items, list):  # tuple form
            return [self.value(sub, depth + 1) for sub in items]
        return [self.value(items, depth + 1) for _ in range(self.rng.randint(low, high))]

    def _string(self, schema: Mapping[str, Any]) -> str:
        make = _FORMATS.get(schema.get("format", ""))
        text = make(self.rng) if make else self.rng.choice(_WORDS)
        low, high = int(schema.get("minLength", 0)), schema.get("maxLength")
        while len(text) < low:
            text += self.rng.choice(string.ascii_lowercase)
        return text[: int(high)] if high is not None else text

    def _number(self, schema: Mapping[str, Any], kind: str) -> int | float:
        low = schema.get("minimum", schema.get("exclusiveMinimum", 0))
        high = schema.get("maximum", schema.get("exclusiveMaximum", max(low, 0) + 100))
        if "exclusiveMinimum" in schema and "minimum" not in schema:
            low += 1 if kind == "integer" else 0.5
        if "exclusiveMaximum" in schema and "maximum" not in schema:
            high -= 1 if kind == "integer" else 0.5
        if high < low:
            raise SchemaError(f"no {kind} lies between {low} and {high}")
        if kind == "integer":
            return self.rng.randint(int(-(-low // 1)), int(high // 1))
        return round(self.rng.uniform(low, high), 2)

    def _resolve(self, ref: Any) -> Any:
        if not isinstance(ref, str) or not ref.startswith("#"):
            raise SchemaError(f"only local $refs (#/...) are followed; got {ref!r}")
        node: Any = self.root
        for part in filter(None, ref[1:].split("/")):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, Mapping) or part not in node:
                raise SchemaError(f"$ref {ref!r} leads nowhere")
            node = node[part]
        return node


def _type_of(schema: Mapping[str, Any], rng: random.Random) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):
        concrete = [k for k in kind if k != "null"]
        return rng.choice(concrete or kind) if kind else "string"
    if isinstance(kind, str):
        return kind
    if "properties" in schema or "required" in schema:
        return "object"
    if "items" in schema:
        return "array"
    return "string"


def _merge(parts: Any) -> dict[str, Any]:
    if not isinstance(parts, list):
        raise SchemaError("'allOf' must be an array")
    merged: dict[str, Any] = {}
    for part in parts:
        if not isinstance(part, Mapping):
            raise SchemaError("'allOf' holds schemas (objects)")
        for key, value in part.items():
            if key == "properties":
                merged.setdefault("properties", {}).update(value)
            elif key == "required":
                merged["required"] = [*merged.get("required", []), *value]
            else:
                merged[key] = value
    return merged
