"""What the recorder's tests share: a mockllm upstream, a recorder in front of it, replays of what it wrote, and the checks."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
import yaml
from conftest import LiveServer

from mockllm.record import create_recorder
from mockllm.testing.background import BackgroundServer

SECRET = "sk-live-THIS-MUST-NEVER-BE-WRITTEN"
FIRST_TOKEN_MS = 200
DELAY_MS = 40
#: An agent loop: turn 0 thinks, says and calls a tool; the tool's result gets an answer; "busy" is rate limited.
AGENT_LOOP = {
    "default.yaml": "schema: 1\nname: default\ndescription: d\nstream: {unit: char, delay_ms: 15, first_token_ms: 120}\nsteps:\n  - say: 你好，我是上游的回答。\n",
    "weather.yaml": (
        f"schema: 1\nname: weather\ndescription: w\nmatch: {{message: Weather, turn: 0}}\nstream: {{delay_ms: {DELAY_MS}, first_token_ms: {FIRST_TOKEN_MS}}}\n"
        "steps:\n  - think: The user wants the weather in Paris, so I call the tool.\n  - say: Let me look that up.\n"
        "  - tool_call: {name: get_weather, arguments: {city: Paris}}\n"
    ),
    "answer.yaml": "schema: 1\nname: answer\ndescription: a\nmatch: {tool_result: get_weather}\nstream: {first_token_ms: 50}\nsteps:\n  - say: 'It is {{tool_result}} in Paris.'\n",
    "busy.yaml": "schema: 1\nname: busy\ndescription: b\nmatch: {message: busy}\nsteps:\n  - error: rate_limited\n",
}


@dataclass
class Recording:
    """An upstream, the recorder in front of it, and the folder it writes."""

    upstream: LiveServer
    recorder: BackgroundServer
    out: Path
    replay: Callable[[], LiveServer]  # a server of the recorded folder, instant

    def conversation(self, slug: str) -> list[dict[str, Any]]:
        """The scenarios (one per turn) of the one conversation file whose name starts with `slug`."""
        [path] = [p for p in self.out.iterdir() if p.name.startswith(slug + "-")]
        return list(yaml.safe_load_all(path.read_text(encoding="utf-8")))

    def written(self) -> str:
        """Everything written into the folder."""
        return "".join(p.read_text(encoding="utf-8") for p in sorted(self.out.iterdir()))


@contextmanager
def recording(tmp_path: Path, live_server: Callable[..., LiveServer], scenarios: dict[str, str]) -> Iterator[Recording]:
    """Serve `scenarios` (file name → YAML) as the upstream, paced for real, with a recorder in front writing below `tmp_path`."""
    folder = tmp_path / "upstream"
    folder.mkdir()
    for name, text in scenarios.items():
        (folder / name).write_text(text, encoding="utf-8")
    out = tmp_path / "recorded"
    upstream = live_server(scenarios=folder, speed=1, seed=3)
    recorder = BackgroundServer(lambda: create_recorder(upstream.url, out)).start()
    try:
        yield Recording(upstream, recorder, out, lambda: live_server(scenarios=out, speed=0))
    finally:
        recorder.stop()


def step_kinds(scenario: dict[str, Any]) -> list[str]:
    """The kinds of a scenario's steps, in order."""
    return [next(iter(step)) for step in scenario["steps"]]


def assert_paced_like_the_upstream(pacing: dict[str, Any]) -> None:
    """The measured pacing is near the upstream's: never a sooner first token, a mean gap in a sane range around its delay."""
    assert pacing["unit"] == "token" and 1 <= pacing["per_delta"] <= 3
    assert FIRST_TOKEN_MS <= pacing["first_token_ms"] < FIRST_TOKEN_MS + 2000
    assert DELAY_MS / 2 <= pacing["delay_ms"] <= DELAY_MS * 4


def assert_no_secret(written: str, caplog: pytest.LogCaptureFixture, *names: str) -> None:
    """Neither the files nor the recorder's log hold the key, nor the names of the headers and parameters that carry one."""
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("mockllm.record"))
    assert written and "recorded turn" in logged  # caplog.set_level(logging.INFO, logger="mockllm") before recording
    for text in (written, logged):
        assert SECRET not in text and "Bearer" not in text
        for name in names:
            assert name.lower() not in text.lower()
