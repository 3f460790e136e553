"""Write recorded turns as scenarios: one file per conversation, one scenario per assistant turn, and a default for the rest."""

from __future__ import annotations

import hashlib
import json
import re
import statistics
import time
from pathlib import Path
from typing import Any

import yaml

from mockllm.core.request import ChatRequest
from mockllm.core.tokens import SPLITTERS
from mockllm.record.answer import Answer, Said

UNIT = "token"
ERROR_FIELDS = ("status", "message", "type", "code", "param", "delivery")
_REGEX_SPECIAL = re.compile(r"([.^$*+?{}\[\]\\|()])")

NO_MATCH = {
    "schema": 1,
    "name": "default",
    "description": "Answers a request no recording matches.",
    "steps": [{"error": {"status": 404, "message": "No recorded conversation matches this request; record it with `mockllm record`.", "type": "invalid_request_error", "code": "recording_not_found"}}],
}


def scenario_for(chat: ChatRequest, answer: Answer, name: str) -> dict[str, Any]:
    """The scenario document replaying `answer` to this turn of the conversation."""
    match: dict[str, Any] = {"message": f"^{_literal(chat.last_user_message)}$", "turn": chat.assistant_turns}
    if chat.model:
        match["model"] = f"^{_literal(chat.model)}$"
    if chat.system:
        match["system"] = f"^{_literal(chat.system)}$"
    doc: dict[str, Any] = {"schema": 1, "name": name, "description": f"Recorded {time.strftime('%Y-%m-%d %H:%M:%S')}: turn {chat.assistant_turns} of a conversation.", "match": match}
    doc["stream"] = measured_pacing(answer)
    doc["steps"] = steps_of(answer)
    return doc


def steps_of(answer: Answer) -> list[dict[str, Any]]:
    """The answer's steps: its text, reasoning and tool calls in the order they came, a finish reason a scenario sets, its error."""
    steps: list[dict[str, Any]] = [_output_step(part) for part in answer.output]
    if answer.finish in ("length", "content_filter"):
        steps.append({"finish": answer.finish})
    if answer.error is not None:
        steps.append({"error": _error(answer.error)})
    return steps or [{"say": ""}]


def _output_step(part: Any) -> dict[str, Any]:
    if isinstance(part, Said):
        return {part.kind: part.text}
    return {"tool_call": {"name": part.name, "arguments": part.arguments or "{}", **({"id": part.id} if part.id else {})}}


def _error(fields: dict[str, Any]) -> dict[str, Any]:
    """An `error` step's fields: the known ones given, a status only when it is an error status, always a message."""
    error = {key: fields[key] for key in ERROR_FIELDS if fields.get(key) is not None}
    if not (isinstance(error.get("status"), int) and 400 <= error["status"] <= 599):
        error.pop("status", None)
    return error if "message" in error else {**error, "message": "upstream error"}


def measured_pacing(answer: Answer) -> dict[str, Any]:
    """`stream:` settings that replay the answer's pacing: first-token time, about as many deltas, their mean gap and spread."""
    arrivals = answer.arrivals or [0.0]
    gaps = [b - a for a, b in zip(arrivals, arrivals[1:])]
    units = sum(len(list(SPLITTERS[UNIT](text))) for text in answer.texts)
    pacing: dict[str, Any] = {"unit": UNIT, "per_delta": max(1, round(units / max(1, len(arrivals)))), "first_token_ms": round(arrivals[0], 1)}
    pacing["delay_ms"] = round(statistics.fmean(gaps), 1) if gaps else 0
    pacing["jitter_ms"] = round(statistics.pstdev(gaps), 1) if len(gaps) > 1 else 0
    return pacing


def conversation_key(chat: ChatRequest) -> str:
    """The file a conversation is recorded in: a slug of its first user message and a hash of model, system and that message."""
    first = next((text for role, text in chat.messages if role == "user"), "")
    digest = hashlib.sha256(json.dumps([chat.model, chat.system, first], ensure_ascii=False).encode()).hexdigest()[:8]
    slug = re.sub(r"[^a-z0-9]+", "-", first.lower()).strip("-")[:40]
    return f"{slug}-{digest}" if slug else f"conversation-{digest}"


def _literal(text: str) -> str:
    """`text` as a regex matching exactly it (only the characters special to both Python's re and RE2 are escaped)."""
    return _REGEX_SPECIAL.sub(r"\\\1", text)


class Recorder:
    """Writes recorded turns into the output folder, one file per conversation."""

    def __init__(self, out: Path, write_default: bool = True) -> None:
        self.out = out
        #: Whether the folder gets a `default` scenario answering what no recording matches (not inside a served folder, which has its own).
        self.write_default = write_default

    def write(self, chat: ChatRequest, answer: Answer) -> Path:
        """Add (or replace) this turn's scenario in its conversation's file; return the file."""
        self.out.mkdir(parents=True, exist_ok=True)
        default = self.out / "default.yaml"
        if self.write_default and not default.exists():
            default.write_text(_dump([NO_MATCH]), encoding="utf-8")
        key = conversation_key(chat)
        path = self.out / f"{key}.yaml"
        docs = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8"))] if path.exists() else []
        name = f"{key}-turn-{chat.assistant_turns}"
        docs = [d for d in docs if d and d.get("name") != name] + [scenario_for(chat, answer, name)]
        docs.sort(key=lambda d: d["match"]["turn"])
        path.write_text(_dump(docs), encoding="utf-8")
        return path


def _dump(docs: list[dict[str, Any]]) -> str:
    return yaml.safe_dump_all(docs, allow_unicode=True, sort_keys=False, width=120)
