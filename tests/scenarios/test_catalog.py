"""Loading a scenarios folder: every problem at `file:line: path: message`, and `mockllm check`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mockllm.cli import main
from mockllm.scenarios import loading as catalog_module
from mockllm.scenarios.loading import check_default, load_catalog
from mockllm.scenarios.problems import ProblemsError
from mockllm.scenarios.steps import Step

GOOD = "schema: 1\nname: {name}\ndescription: d\nsteps:\n  - say: hi\n"

#: file name → (text, the problem lines it yields; see `expand`)
BROKEN: dict[str, tuple[str, list[str]]] = {
    "broken-yaml": ("schema: 1\nname: x\nsteps: [\n", ["{dir}/broken-yaml.yaml:4: invalid YAML: expected the node content, but found '<stream end>'"]),
    "unknown-key": (
        "schema: 1\nname: unknown-key\ndescription: d\nstream: {unit: char, speed: 3}\nsteps:\n  - say: hi\n",
        ["{dir}/unknown-key.yaml:4: stream.speed: unknown key 'speed'; valid keys: delay_ms, end_ms, first_token_ms, jitter_ms, per_delta, unit"],
    ),
    "unknown-step": (
        "schema: 1\nname: unknown-step\ndescription: d\nsteps:\n  - say: hi\n  - shout: hi\n",
        ["{dir}/unknown-step.yaml:6: steps[1].shout: unknown key 'shout'; valid keys: {steps}"],
    ),
    "wrong-types": (
        "schema: 1\nname: wrong-types\ndescription: d\nstream:\n  delay_ms: fast\nsteps:\n  - say: 5\n  - pause: -1\n  - hello\n",
        [
            "{dir}/wrong-types.yaml:5: stream.delay_ms: input should be a valid number, unable to parse string as a number",
            "{dir}/wrong-types.yaml:7: steps[0].say: text must be a string, {faker: …} or {echo: true}",
            "{dir}/wrong-types.yaml:8: steps[1].pause: input should be greater than or equal to 0",
            "{dir}/wrong-types.yaml:9: steps[2]: a step is a one-key mapping such as `- say: \"hi\"`; got 'hello'",
        ],
    ),
    "bad-regex": (
        "schema: 1\nname: bad-regex\ndescription: d\nmatch:\n  message: \"(a\"\nsteps:\n  - say: hi\n",
        ["{dir}/bad-regex.yaml:5: match.message: invalid regular expression: missing ), unterminated subpattern at position 0"],
    ),
    "duplicate-key": (
        "schema: 1\nname: duplicate-key\ndescription: a\ndescription: b\nsteps:\n  - say: hi\n",
        ["{dir}/duplicate-key.yaml:4: description: duplicate key"],
    ),
    "schema-2": ("schema: 2\nname: schema-2\ndescription: d\nsteps:\n  - say: hi\n", ["{dir}/schema-2.yaml:1: schema: unsupported schema 2; this mockllm reads schema 1"]),
    "no-schema": ("name: no-schema\ndescription: d\nsteps:\n  - say: hi\n", ["{dir}/no-schema.yaml:1: schema: field required"]),
    "unknown-kind": ("schema: 1\nkind: widget\nname: w\n", ["{dir}/unknown-kind.yaml:2: kind: unknown kind 'widget'; valid kinds: {kinds}"]),
    "not-a-mapping": ("- just\n- a list\n", ["{dir}/not-a-mapping.yaml:1: a document must be a mapping (schema: 1, name: …, steps: …)"]),
}


def expand(line: str, folder: Path) -> str:
    """Fill in an expected problem line: `{dir}` is the folder, `{kinds}` the document kinds, `{steps}` the step kinds."""
    kinds, steps = ", ".join(sorted(catalog_module.DOCUMENT_KINDS)), ", ".join(sorted(Step.valid_keys()))
    return line.replace("{dir}", str(folder)).replace("{kinds}", kinds).replace("{steps}", steps)


def write_folder(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def problems_of(folder: Path) -> list[str]:
    with pytest.raises(ProblemsError) as info:
        load_catalog(folder)
    return [str(p) for p in info.value.problems]


@pytest.mark.parametrize("name", BROKEN)
def test_each_problem_is_placed(tmp_path: Path, name: str) -> None:
    text, expected = BROKEN[name]
    folder = write_folder(tmp_path, {f"{name}.yaml": text, "fine.yaml": GOOD.format(name="fine")})
    assert problems_of(folder) == [expand(line, folder) for line in expected]


def test_duplicate_names_across_files(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, {"a.yaml": GOOD.format(name="twin"), "sub/b.yml": "# again\n" + GOOD.format(name="twin")})
    assert problems_of(folder) == [f"{folder}/sub/b.yml:3: name: scenario 'twin' is already defined in {folder}/a.yaml"]


def test_all_problems_of_a_folder_sorted_by_file_and_line(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, {f"{name}.yaml": text for name, (text, _) in BROKEN.items()})
    expected = sorted((expand(line, folder) for _, lines in BROKEN.values() for line in lines), key=_file_line)
    assert problems_of(folder) == expected


def _file_line(line: str) -> tuple[str, int]:
    file, number, _ = line.split(":", 2)
    return file, int(number)


def test_several_documents_in_one_file(tmp_path: Path) -> None:
    text = GOOD.format(name="one") + "---\n" + GOOD.format(name="two") + "---\n"
    catalog = load_catalog(write_folder(tmp_path, {"many.yaml": text}))
    assert catalog.names == ["one", "two"]
    assert catalog.files == {"one": str(tmp_path / "many.yaml"), "two": str(tmp_path / "many.yaml")}


def test_problem_in_a_later_document_has_its_own_line(tmp_path: Path) -> None:
    text = GOOD.format(name="one") + "---\n" + GOOD.format(name="Bad Name")
    assert problems_of(write_folder(tmp_path, {"many.yaml": text})) == [
        f"{tmp_path}/many.yaml:8: name: string should match pattern '^[a-z0-9][a-z0-9._-]*$'"
    ]


def test_not_a_folder(tmp_path: Path) -> None:
    assert problems_of(tmp_path / "missing") == [f"{tmp_path}/missing:1: not a folder of scenario files"]


def test_check_default(tmp_path: Path) -> None:
    catalog = load_catalog(write_folder(tmp_path, {"a.yaml": GOOD.format(name="a")}))
    check_default(catalog, "a")
    with pytest.raises(ProblemsError, match="default scenario 'default' not found; add default.yaml or pick one with --default NAME; known: a"):
        check_default(catalog, "default")


def test_other_document_kinds_are_collected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mockllm.scenarios.strict_model import Strict

    class Note(Strict):
        schema_version: int = 1
        kind: str
        text: str

        @classmethod
        def valid_keys(cls) -> set[str]:
            return {"schema", "kind", "text"}

    monkeypatch.setitem(catalog_module.DOCUMENT_KINDS, "note", Note)
    text = GOOD.format(name="a") + "---\nschema: 1\nkind: note\ntext: hello\n"
    catalog = load_catalog(write_folder(tmp_path, {"a.yaml": text}))
    assert catalog.names == ["a"]
    assert [n.text for n in catalog.documents["note"]] == ["hello"]  # type: ignore[attr-defined]


def test_check_command_lists_problems_and_exits_1(tmp_path: Path, capsys: Any) -> None:
    folder = write_folder(tmp_path, {f"{name}.yaml": text for name, (text, _) in BROKEN.items()})
    assert main(["check", str(folder)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == problems_of(folder)
    assert len(err.splitlines()) == sum(len(lines) for _, lines in BROKEN.values())


def test_check_command_ok(tmp_path: Path, capsys: Any) -> None:
    folder = write_folder(tmp_path, {"a.yaml": GOOD.format(name="a") + "---\n" + GOOD.format(name="b")})
    assert main(["check", str(folder), "--default", "b"]) == 0
    assert capsys.readouterr().out == f"ok: 2 scenarios in {folder}\n"


def test_check_command_refuses_what_serve_refuses(tmp_path: Path, capsys: Any) -> None:
    folder = write_folder(tmp_path, {"a.yaml": GOOD.format(name="a")})
    assert main(["check", str(folder)]) == 1
    assert capsys.readouterr().err == f"{folder}:1: default scenario 'default' not found; add default.yaml or pick one with --default NAME; known: a\n"


def test_check_command_takes_one_file(tmp_path: Path, capsys: Any) -> None:
    folder = write_folder(tmp_path, {"a.yaml": GOOD.format(name="a"), "b.yaml": "schema: 1\nname: b\nsteps: []\n"})
    assert main(["check", str(folder / "a.yaml")]) == 0
    assert capsys.readouterr().out == f"ok: 1 scenario in {folder / 'a.yaml'}\n"
    assert main(["check", str(folder / "b.yaml")]) == 1
    assert capsys.readouterr().err.startswith(f"{folder / 'b.yaml'}:1: description: field required")


def test_list_command(tmp_path: Path, capsys: Any) -> None:
    folder = write_folder(tmp_path, {"a.yaml": GOOD.format(name="a") + "---\n" + "schema: 1\nname: bbb\ndescription: >\n  first line\nsteps:\n  - say: x\n"})
    assert main(["list", str(folder)]) == 0
    assert capsys.readouterr().out == "a    d\nbbb  first line\n"
