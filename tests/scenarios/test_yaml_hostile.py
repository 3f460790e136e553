"""Scenario files can't hurt the server: every hostile YAML is a `file:line: path: message` problem, read off the loop."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, SCENARIOS

from mockllm.scenarios.linear_regex import MATCH_TEXT_LIMIT, LinearRegex
from mockllm.scenarios.loading import load_catalog
from mockllm.scenarios.problems import MAX_FILE_BYTES, ProblemsError
from mockllm.server import reload as watch
from mockllm.server.app import create_app
from mockllm.server.config import ServerConfig

GOOD = "schema: 1\nname: {name}\ndescription: d\nsteps:\n  - say: hi\n"
BOMB = "".join(f"{a}: &{a} [{', '.join([f'*{p}'] * 9) if p else ', '.join(['x'] * 9)}]\n" for p, a in zip([""] + list("abcdefgh"), "abcdefghi"))

#: name → (file text, line, the problem's path and message after `file:line: `)
HOSTILE: dict[str, tuple[str, int, str]] = {
    "python-tag": ("schema: 1\nname: x\ndescription: !!python/object/apply:os.system [id]\nsteps: [{say: hi}]\n", 3, "description: tag !!python/object/apply:os.system is not allowed"),
    "unknown-tag": ("schema: 1\nname: x\ndescription: !vault abc\nsteps: [{say: hi}]\n", 3, "description: tag !vault is not allowed"),
    "binary-tag": ("schema: 1\nname: x\ndescription: !!binary aGk=\nsteps: [{say: hi}]\n", 3, "description: tag !!binary is not allowed"),
    "recursive-alias": ("schema: 1\nname: x\ndescription: d\nsteps: &s [{say: hi}, *s]\n", 4, "steps[1]: alias *s refers to a node that contains it"),
    "alias-bomb": (BOMB, 5, "e: aliases expand this document past 50,000 values"),
    "deep-flow": ("a: " + "[" * 10_000 + "]" * 10_000 + "\n", 1, "a: nested more than 40 levels deep"),
    "deep-block": ("".join("  " * i + f"k{i}:\n" for i in range(60)) + "  " * 60 + "v\n", 41, "k0.k1.k2.k3.k4…k38.k39: nested more than 40 levels deep"),
    "complex-key": ("schema: 1\n? [a, b]\n: c\n", 2, "a key must be plain text, not a list or mapping"),
    "control-char": ("schema: 1\nname: x\ndescription: a\x07b\n", 3, "invalid YAML: control character U+0007 is not allowed"),
    "nul-char": ("schema: 1\nname: x\x00\n", 2, "invalid YAML: control character U+0000 is not allowed"),
    "bad-merge": ("schema: 1\nname: x\nstream: {<<: 5}\n", 3, "invalid YAML: expected a mapping or list of mappings for merging, but found scalar"),
    "bad-merge-list": ("schema: 1\nname: x\nstream: {<<: [1]}\n", 3, "invalid YAML: expected a mapping for merging, but found scalar"),
    "huge-integer": ("schema: 1\nname: x\nseed: " + "7" * 5000 + "\n", 3, "seed: invalid YAML value: a number has too many digits"),
    "many-documents": ("---\nschema: 1\n" * 20_000, 1001, "more than 500 documents in one file"),
    "duplicate-anchor": ("a: &x 1\nb: &x 2\n", 2, "invalid YAML: found duplicate anchor 'x'; first occurrence (line 1), second occurrence"),
    "undefined-alias": ("a: *nothing\n", 1, "invalid YAML: found undefined alias 'nothing'"),
    "backreference": (GOOD.format(name="x") + "match: {message: '(a)\\1'}\n", 6, "match.message: unsupported in a match regex: backreferences"),
    "lookahead": (GOOD.format(name="x") + "match: {system: 'a(?=b)'}\n", 6, "match.system: unsupported in a match regex: lookahead and lookbehind"),
    "bad-regex": (GOOD.format(name="x") + "match: {message: '('}\n", 6, "match.message: invalid regular expression: missing ), unterminated subpattern"),
}


def hostile_folder(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / "scenarios"
    folder.mkdir(exist_ok=True)
    (folder / "default.yaml").write_text(GOOD.format(name="default"), encoding="utf-8")
    (folder / f"{name}.yaml").write_text(HOSTILE[name][0], encoding="utf-8")
    return folder


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_each_hostile_file_is_one_placed_problem(tmp_path: Path, name: str) -> None:
    folder = hostile_folder(tmp_path, name)
    with pytest.raises(ProblemsError) as info:
        load_catalog(folder)
    _, line, message = HOSTILE[name]
    assert [str(p) for p in info.value.problems][0].startswith(f"{folder / name}.yaml:{line}: {message}")


def test_a_file_over_the_size_limit_is_refused_before_reading(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "big.yaml").write_bytes(b"a: " + b"x" * MAX_FILE_BYTES + b"\n")
    with pytest.raises(ProblemsError) as info:
        load_catalog(folder)
    assert str(info.value) == f"{folder}/big.yaml:1: file is {MAX_FILE_BYTES + 4:,} bytes; a scenario file may have at most {MAX_FILE_BYTES:,}"


@pytest.mark.parametrize("name", ["python-tag", "alias-bomb", "many-documents", "deep-flow", "complex-key"])
async def test_reload_answers_422_with_the_problem(aiohttp_client: Any, tmp_path: Path, name: str) -> None:
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "default.yaml").write_text(GOOD.format(name="default"), encoding="utf-8")
    client = await aiohttp_client(create_app(ServerConfig(scenarios=folder, speed=0)))
    (folder / f"{name}.yaml").write_text(HOSTILE[name][0], encoding="utf-8")
    response = await client.post("/_mock/reload")
    assert response.status == 422
    body = await response.json()
    assert body["reloaded"] is False and body["problems"][0].startswith(f"{folder / name}.yaml:{HOSTILE[name][1]}: ")
    assert (await client.get("/_mock/health")).status == 200


@pytest.mark.parametrize("name", ["recursive-alias", "control-char", "bad-merge"])
def test_start_up_exits_1_listing_problems_without_a_traceback(tmp_path: Path, name: str) -> None:
    folder = hostile_folder(tmp_path, name)
    done = subprocess.run([sys.executable, "serve.py", "--port", "0", "--scenarios", str(folder)], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.startswith(f"{folder / name}.yaml:{HOSTILE[name][1]}: ") and "Traceback" not in done.stderr


async def test_reload_runs_off_the_event_loop(aiohttp_client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """While a reload reads the folder, requests are served; the reload then completes."""
    reading, release = threading.Event(), threading.Event()

    def slow_load(folder: Path) -> Any:
        reading.set()
        release.wait(30)
        return load_catalog(folder)

    monkeypatch.setattr(watch, "load_catalog", slow_load)
    client = await aiohttp_client(create_app(ServerConfig(scenarios=SCENARIOS, speed=0)))
    reload = asyncio.ensure_future(client.post("/_mock/reload"))
    await asyncio.to_thread(reading.wait, 30)
    assert (await client.get("/_mock/health")).status == 200  # answered while the reload is still reading
    assert not reload.done()
    release.set()
    assert (await reload).status == 200


def test_match_regexes_run_in_linear_time() -> None:
    """`(a+)+$` is catastrophic for a backtracking engine; RE2 answers at once, and over capped text."""
    regex = LinearRegex("(a+)+$")
    assert regex.search("a" * 28 + "!") is False and regex.search("aaa") is True
    assert LinearRegex("needle").search("x" * MATCH_TEXT_LIMIT + "needle") is False
    assert LinearRegex("(?i)充值|余额").search("请充值") is True
    assert LinearRegex("x").search("\udcff x") is True


def test_match_regex_round_trips_in_the_scenario_listing(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "default.yaml").write_text(GOOD.format(name="default") + "match: {message: '^hi$', tool_result: {content: ok}}\n", encoding="utf-8")
    scenario = load_catalog(folder).scenarios["default"]
    assert scenario.match is not None
    assert scenario.match.model_dump(mode="json", exclude_none=True) == {"message": "^hi$", "tool_result": {"content": "ok"}}
