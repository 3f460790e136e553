"""Custom framings in YAML: the docs' examples work as written; broken ones point at file, line and field."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, SCENARIOS

from mockllm.dialects.apps.routes import resolve_framing
from mockllm.scenarios.framings import Framing, FramingOptions, check_template
from mockllm.scenarios.loading import load_catalog
from mockllm.scenarios.problems import ProblemsError
from mockllm.server.app import create_app
from mockllm.server.config import ServerConfig

QUICK = {"X-Mock-Speed": "0", "X-Mock-Seed": "1"}


def docs_yaml(page: str) -> list[str]:
    """The ```yaml blocks of one reference page (docs/reference/PAGE.md), as a reader would copy them."""
    text = (REPO / "docs" / "reference" / f"{page}.md").read_text(encoding="utf-8")
    return re.findall(r"```yaml\n(.*?)```", text, flags=re.DOTALL)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of the shipped scenarios to add documents to."""
    shutil.copytree(SCENARIOS, tmp_path, dirs_exist_ok=True)
    return tmp_path


def problems(folder: Path) -> list[str]:
    with pytest.raises(ProblemsError) as caught:
        load_catalog(folder)
    return [str(p).replace(str(folder) + "/", "") for p in caught.value.problems]


async def test_docs_framing_and_routes_work_as_written(folder: Path, aiohttp_client: Any) -> None:
    acme, php = docs_yaml("custom-framings")
    (folder / "acme.yaml").write_text(acme, encoding="utf-8")
    (folder / "php.yaml").write_text(php, encoding="utf-8")
    (folder / "routes.yaml").write_text(docs_yaml("routes-map")[0], encoding="utf-8")
    client = await aiohttp_client(create_app(ServerConfig(scenarios=folder, speed=0, seed=1)))

    body = await (await client.post("/acme/chat", json={"message": "你好"}, headers={**QUICK, "X-Mock-Scenario": "fast"})).text()
    lines = body.split("\n")
    assert lines[0] == 'data: {"type":"answer","text":"这"}' and lines[-2:] == ['data: {"type":"end"}', ""]
    assert all(line.startswith('data: {"type":"answer","text":') for line in lines[:-2])

    routed = await client.post("/api/stream_qa", json={"q": "hi"}, headers=QUICK)
    assert routed.headers["X-Mock-Scenario"] == "recharge-required"
    assert await routed.text() == 'data: {"type":"error","code":101,"message":"余额不足，请充值后再试"}\ndata: {"type":"end"}\n'

    php_body = await (await client.get("/miniprogram-php/x", params={"q": "hi", "scenario": "hello"}, headers=QUICK)).read()
    assert php_body.startswith(b'success: {"content":"\\u4f60"}\r\n') and php_body.endswith(b"\r\n0\r\n\r\n")


def test_docs_scenario_framing_block_is_valid(folder: Path) -> None:
    (folder / "php-backend.yaml").write_text(docs_yaml("app-framings")[0], encoding="utf-8")
    assert load_catalog(folder).scenarios["php-backend"].framing == FramingOptions(ascii_only=True)


def test_docs_error_example(folder: Path) -> None:
    acme = docs_yaml("custom-framings")[0].replace("{text_json}", "{content}")
    (folder / "acme.yaml").write_text(acme, encoding="utf-8")
    assert problems(folder) == ["acme.yaml:5: frame: unknown placeholder {content}; valid here: {json}, {text}, {text_json}"]


BROKEN = {
    "no-frame": ("kind: framing\nname: a\n", "a.yaml:1: frame: a framing needs `frame` (or `extends:` a built-in framing)"),
    "frame-without-delta": ("kind: framing\nname: a\nframe: 'data: hi'\n", "a.yaml:3: frame: a frame must carry the delta: use {json}, {text} or {text_json}"),
    "error-placeholder": ("kind: framing\nname: a\nframe: '{text}'\nerror: '{text}'\n", "a.yaml:4: error: unknown placeholder {text}; valid here: {json}, {code}, {msg}, {msg_json}, {status}"),
    "done-placeholder": ("kind: framing\nname: a\nframe: '{text}'\ndone: '{json}'\n", "a.yaml:4: done: unknown placeholder {json}; valid here: none (it is sent as written)"),
    "unknown-key": ("kind: framing\nname: a\nframe: '{text}'\nline_end: x\n", "a.yaml:4: line_end: unknown key 'line_end'; did you mean 'line_ending'? valid keys: ascii_only, content_type, description, done, done_after_error, error, error_body, extends, fields, frame, kind, line_ending, name, schema, think, whole, whole_content_type"),
    "bad-bool": ("kind: framing\nname: a\nframe: '{text}'\nascii_only: maybe\n", "a.yaml:4: ascii_only: input should be a valid boolean, unable to interpret input"),
    "bad-field": ("kind: framing\nname: a\nframe: '{json}'\nfields: {content: ''}\n", "a.yaml:4: fields.content: string should have at least 1 character"),
    "bad-name": ("kind: framing\nname: Acme Chat\nframe: '{text}'\n", "a.yaml:2: name: string should match pattern '^[a-z0-9][a-z0-9._-]*$'"),
    "built-in-name": ("kind: framing\nname: miniprogram\nframe: '{text}'\n", "a.yaml:2: name: 'miniprogram' is a built-in framing; pick another name (or use `extends: miniprogram`)"),
    "bad-extends": ("kind: framing\nname: a\nextends: ndjson\n", "a.yaml:3: extends: cannot extend 'ndjson'; valid: miniprogram, sse-json, text"),
}


@pytest.mark.parametrize("name", BROKEN)
def test_broken_framing_names_file_line_and_field(folder: Path, name: str) -> None:
    text, expected = BROKEN[name]
    (folder / "a.yaml").write_text(text, encoding="utf-8")
    assert problems(folder) == [expected]


def test_duplicate_custom_framing(folder: Path) -> None:
    for file in ("a.yaml", "b.yaml"):
        (folder / file).write_text("kind: framing\nname: acme\nframe: '{text}'\n", encoding="utf-8")
    assert problems(folder) == ["b.yaml:2: name: framing 'acme' is already defined in a.yaml"]


def test_bad_scenario_framing_block(folder: Path) -> None:
    (folder / "s.yaml").write_text("schema: 1\nname: s\ndescription: d\nframing: {asci_only: true}\nsteps:\n  - say: hi\n", encoding="utf-8")
    assert problems(folder) == ["s.yaml:4: framing.asci_only: unknown key 'asci_only'; did you mean 'ascii_only'? valid keys: ascii_only, content_type, done, line_ending"]


def test_extends_keeps_the_rest_of_the_built_in() -> None:
    framing = resolve_framing(Framing(name="php", extends="miniprogram", ascii_only=True))
    assert (framing.name, framing.frame, framing.done, framing.line_ending, framing.ascii_only) == ("php", "success: {json}", "0\r\n\r\n", "\r\n", True)


def test_json_braces_are_literal() -> None:
    assert check_template('{"type":"answer","text":{text_json}}', ("text_json",)) == '{"type":"answer","text":{text_json}}'
