"""YAML with line numbers: problems placed at `file:line: path: message`."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from mockllm.scenarios import yaml_source as yamlsource
from mockllm.scenarios.problems import Problem, ProblemsError, dotted
from mockllm.scenarios.scenario import Scenario
from mockllm.scenarios.yaml_source import read_documents


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_problem_prints_file_line_path_message() -> None:
    assert str(Problem("a.yaml", 3, "steps[0].say", "bad")) == "a.yaml:3: steps[0].say: bad"
    assert str(Problem("a.yaml", 1, "", "bad")) == "a.yaml:1: bad"


@pytest.mark.parametrize(
    "loc, expected",
    [
        pytest.param([], "", id="root"),
        pytest.param(["stream", "delay_ms"], "stream.delay_ms", id="keys"),
        pytest.param(["steps", 2, "error", "code"], "steps[2].error.code", id="index"),
    ],
)
def test_dotted(loc: list[str | int], expected: str) -> None:
    assert dotted(loc) == expected


def test_documents_of_a_file_skip_empty_ones(tmp_path: Path) -> None:
    """Empty documents (a trailing `---`, one holding only comments) are not documents."""
    path = write(tmp_path, "---\na: 1\n---\n\n---\nb: [x, y]\n---\n# later\n---\n")
    assert [doc.data for doc in read_documents(path)] == [{"a": 1}, {"b": ["x", "y"]}]


def test_line_of_a_nested_node(tmp_path: Path) -> None:
    path = write(tmp_path, "a: 1\n---\nname: x\nsteps:\n  - say: hi\n  - pause: 3\n")
    doc = list(read_documents(path))[1]
    assert doc.line_of(["steps", 1, "pause"]) == 6
    assert doc.line_of(["steps", 1, "missing"]) == 6
    assert doc.line_of(["nowhere"]) == 3


def test_empty_value_points_at_its_key(tmp_path: Path) -> None:
    doc = next(read_documents(write(tmp_path, "name: x\nsteps:\n  - say:\n")))
    assert doc.line_of(["steps", 0, "say"]) == 3


@pytest.mark.parametrize(
    "text, expected",
    [
        pytest.param("a: [1\n", "s.yaml:2: invalid YAML: expected ',' or ']', but got '<stream end>'", id="unclosed-flow"),
        pytest.param("a: 1\n b: 2\n", "s.yaml:2: invalid YAML: mapping values are not allowed here", id="bad-indent"),
        pytest.param("a: 1\nb:\n  c: 1\n  c: 2\n", "s.yaml:4: b.c: duplicate key", id="duplicate-key"),
        pytest.param("a: 1\na: 2\n", "s.yaml:2: a: duplicate key", id="duplicate-top-key"),
    ],
)
def test_bad_yaml(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ProblemsError) as info:
        list(read_documents(write(tmp_path, text)))
    assert [str(p) for p in info.value.problems] == [f"{tmp_path}/{expected}"]


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_bytes(b"name: \xff\n")
    with pytest.raises(ProblemsError) as info:
        list(read_documents(path))
    assert str(info.value).startswith(f"{path}:1: cannot read: 'utf-8' codec can't decode byte 0xff")


def test_problems_from_a_validation_error(tmp_path: Path) -> None:
    text = "schema: 1\nname: x\ndescription: d\nstream:\n  unit: syllable\nsteps:\n  - say: {faker: words, locale: xx}\n"
    doc = next(read_documents(write(tmp_path, text)))
    with pytest.raises(ValidationError) as info:
        Scenario.model_validate(doc.data)
    assert [str(p) for p in doc.problems_from(info.value)] == [
        f"{tmp_path}/s.yaml:5: stream.unit: input should be 'char', 'codepoint', 'word' or 'token'",
        f"{tmp_path}/s.yaml:7: steps[0].say.locale: unknown locale 'xx'; e.g. zh_CN, en_US, zh_TW, ja_JP",
    ]


SHIPPED = sorted((Path(__file__).resolve().parents[2] / "scenarios").rglob("*.yaml"))


@pytest.mark.skipif(yamlsource._fast_loader() is None, reason="this PyYAML is built without LibYAML")
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_libyaml_and_the_pure_parser_read_every_shipped_file_alike(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fast = [(doc.data, doc.node.start_mark.line) for doc in read_documents(path)]
    monkeypatch.setattr(yamlsource, "_fast_loader", lambda: None)
    assert [(doc.data, doc.node.start_mark.line) for doc in read_documents(path)] == fast
