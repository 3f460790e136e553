"""Keep secrets out of what the server stores: redact by name, and make every value JSON-safe.

A name is secret when one of its words (split at `-`, `_`, `.` and
camelCase) starts with `auth` (`author` aside), ends with `token`, `key`,
`secret`, `password`, `passwd`, `pwd`, `cookie`, `credential(s)` or
`signature`, or is `bearer`, `jwt`, `sig`, `otp` or `passphrase`; so
`max_tokens` and `keywords` stay readable. Headers, query
parameters (in the journal and in the log's request lines) and JSON bodies
(nested objects too) are redacted by the same rule; in a body, numbers and
booleans under a secret name are kept.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Any, Iterable, Mapping
from urllib.parse import unquote_plus

REDACTED = "<redacted>"
_WORDS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
_SECRET_ENDINGS = ("token", "key", "secret", "password", "passwd", "pwd", "cookie", "credential", "credentials", "signature")
_NOT_SECRET = {"author", "authors", "authored"}
_SECRET_WORDS = {"bearer", "jwt", "sig", "passphrase", "otp"}
#: Nesting past this depth is cut (JSON bodies are depth-limited when parsed; this guards every other caller).
MAX_DEPTH = 64


@lru_cache(maxsize=4096)  # the same few names come in every request
def is_secret(name: str) -> bool:
    """Whether a header, query parameter or JSON key of this name holds a secret."""
    for word in _WORDS.findall(name):
        word = word.lower()
        if word in _SECRET_WORDS or word.endswith(_SECRET_ENDINGS) or (word.startswith("auth") and word not in _NOT_SECRET):
            return True
    return False


def redact_pairs(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Headers or query parameters as a dict of safe text, secret ones redacted (a repeated name keeps its last value).

    WebSocket subprotocols can carry a key (`openai-insecure-api-key.sk-…`):
    each `name.value` protocol with a secret name keeps only its name.
    """
    return {safe_text(k): (REDACTED if is_secret(k) else _redact_protocols(v) if k.lower() == _PROTOCOLS else safe_text(v)) for k, v in pairs}


_PROTOCOLS = "sec-websocket-protocol"


def _redact_protocols(value: str) -> str:
    protocols = [protocol.strip() for protocol in safe_text(value).split(",")]
    return ", ".join(f"{name}.{REDACTED}" if dot and is_secret(name) else name + dot + rest for name, dot, rest in (p.partition(".") for p in protocols))


def redact_target(path_qs: str) -> str:
    """A request target (`/v1beta/models/m:generateContent?key=…`) with secret query values redacted, the rest as sent."""
    path, mark, query = path_qs.partition("?")
    return path + mark + "&".join(map(_redact_parameter, query.split("&"))) if mark else path


def _redact_parameter(parameter: str) -> str:
    name, equals, _ = parameter.partition("=")
    return f"{name}={REDACTED}" if equals and is_secret(unquote_plus(name)) else parameter


def redact_json(value: Any, depth: int = 0) -> Any:
    """A copy of parsed JSON with every secret-named key's value redacted, at any depth, and JSON-safe."""
    if depth > MAX_DEPTH:
        return "<too deep>"
    if type(value) is dict or isinstance(value, Mapping):
        return {safe_text(str(k)): (_redacted(v) if is_secret(str(k)) else redact_json(v, depth + 1)) for k, v in value.items()}
    if type(value) is list or isinstance(value, tuple):
        return [redact_json(v, depth + 1) for v in value]
    return json_safe(value)


def _redacted(value: Any) -> Any:
    """A secret-named body value: numbers, booleans and null are kept (counts, flags), anything else hidden."""
    return value if value is None or isinstance(value, (bool, int, float)) and json_safe(value) == value else REDACTED


def json_safe(value: Any) -> Any:
    """A scalar as strict JSON can hold it: text without lone surrogates, finite numbers; anything else as text."""
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    return safe_text(value if isinstance(value, str) else repr(value))


def safe_text(text: str) -> str:
    """`text` with lone surrogates (undecodable bytes, broken escapes) shown as `\\udcff` escapes."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text
