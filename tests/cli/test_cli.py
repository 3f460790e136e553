"""The command line: flags and MOCKLLM_* variables, `check`, `list`, and bad values."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from mockllm.cli import SERVE_FLAGS, _parser, config_from, main
from mockllm.scenarios.catalog import SHIPPED
from mockllm.scenarios.loading import load_catalog
from mockllm.server.config import ServerConfig

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = SHIPPED

#: flag → (value as typed, value in the config)
GOOD_VALUES = {
    "--host": ("0.0.0.0", "0.0.0.0"),
    "--port": ("9123", 9123),
    "--scenarios": ("/srv/scenarios", Path("/srv/scenarios")),
    "--speed": ("0.5", 0.5),
    "--seed": ("42", 42),
    "--default": ("hello", "hello"),
    "--max-stream-s": ("2.5", 2.5),
    "--read-timeout": ("1.5", 1.5),
    "--idle-timeout": ("20", 20.0),
    "--max-connections": ("500", 500),
    "--admin-token": ("s3cret", "s3cret"),
    "--admin-open": ("1", True),
    "--ready-file": ("/tmp/ready.json", Path("/tmp/ready.json")),
    "--log-format": ("json", "json"),
    "--watch": ("on", True),
    "--workers": ("3", 3),
    "--upstream": ("anthropic=https://api.anthropic.com,http://127.0.0.1:9000", ("anthropic=https://api.anthropic.com,http://127.0.0.1:9000",)),
    "--record-to": ("/tmp/recorded", Path("/tmp/recorded")),
}

BROKEN_SCENARIO = """\
schema: 1
name: broken
description: a step kind that does not exist
steps:
  - say: hi
  - bogus: 1
"""

NEGATIVE_DELAY = """\
schema: 1
name: negative
description: a negative delay
stream: {delay_ms: -5}
steps:
  - say: hi
"""


def parse_serve(*argv: str) -> argparse.Namespace:
    return _parser().parse_args(["serve", *argv])


def field_of(flag: str) -> str:
    return SERVE_FLAGS[flag][0]


def test_every_flag_has_a_test_value():
    assert set(GOOD_VALUES) == set(SERVE_FLAGS)


@pytest.mark.parametrize("flag", sorted(GOOD_VALUES), ids=lambda f: f.lstrip("-"))
def test_flag_sets_the_config_field(flag):
    typed, expected = GOOD_VALUES[flag]
    config = config_from(parse_serve(flag, typed), environ={})
    assert getattr(config, field_of(flag)) == expected


@pytest.mark.parametrize("flag", sorted(GOOD_VALUES), ids=lambda f: f.lstrip("-"))
def test_variable_sets_the_config_field(flag):
    typed, expected = GOOD_VALUES[flag]
    variable = "MOCKLLM_" + field_of(flag).upper()
    config = config_from(parse_serve(), environ={variable: typed})
    assert getattr(config, field_of(flag)) == expected


@pytest.mark.parametrize("flag", sorted(GOOD_VALUES), ids=lambda f: f.lstrip("-"))
def test_flag_wins_over_variable(flag):
    typed, expected = GOOD_VALUES[flag]
    variable = "MOCKLLM_" + field_of(flag).upper()
    other = {"--host": "10.0.0.1", "--port": "1", "--scenarios": "/elsewhere", "--speed": "3", "--seed": "7", "--default": "echo", "--max-stream-s": "9", "--workers": "2"}
    other.update({"--read-timeout": "9", "--idle-timeout": "9", "--max-connections": "9", "--admin-token": "other", "--admin-open": "0"})
    other.update({"--ready-file": "/elsewhere.json", "--log-format": "text", "--watch": "off"})
    other.update({"--upstream": "https://elsewhere.example", "--record-to": "/elsewhere"})
    config = config_from(parse_serve(flag, typed), environ={variable: other[flag]})
    assert getattr(config, field_of(flag)) == expected


def test_defaults_without_flags_or_variables():
    assert config_from(parse_serve(), environ={}) == ServerConfig()


def test_empty_variable_is_ignored():
    assert config_from(parse_serve(), environ={"MOCKLLM_PORT": "", "MOCKLLM_SPEED": ""}) == ServerConfig()


def test_help_names_each_variable(capsys):
    with pytest.raises(SystemExit):
        _parser().parse_args(["serve", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    for name, _, _ in SERVE_FLAGS.values():
        assert f"$MOCKLLM_{name.upper()}" in out


@pytest.mark.parametrize(
    "variable, value, reason",
    [
        ("MOCKLLM_PORT", "abc", "port must be a whole number 0-65535; got 'abc'"),
        ("MOCKLLM_PORT", "70000", "port must be a whole number 0-65535; got '70000'"),
        ("MOCKLLM_PORT", "-1", "port must be a whole number 0-65535; got '-1'"),
        ("MOCKLLM_SPEED", "-2", "speed must be a number >= 0 (0 = no waiting); got '-2'"),
        ("MOCKLLM_SPEED", "fast", "speed must be a number >= 0 (0 = no waiting); got 'fast'"),
        ("MOCKLLM_SPEED", "inf", "speed must be a number >= 0 (0 = no waiting); got 'inf'"),
        ("MOCKLLM_SEED", "x", None),
        ("MOCKLLM_MAX_STREAM_S", "0", "max stream duration must be a number of seconds > 0; got '0'"),
    ],
    ids=["port-word", "port-too-big", "port-negative", "speed-negative", "speed-word", "speed-inf", "seed-word", "max-stream-zero"],
)
def test_bad_variable_names_the_variable_and_flag(variable, value, reason):
    flag = next(f for f, (name, _, _) in SERVE_FLAGS.items() if "MOCKLLM_" + name.upper() == variable)
    with pytest.raises(SystemExit) as exc:
        config_from(parse_serve(), environ={variable: value})
    expected = f"mockllm: ${variable}={value!r} is not valid for {flag}"
    assert str(exc.value.code) == expected + (f": {reason}" if reason else "")


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--port", "70000"], "argument --port: port must be a whole number 0-65535; got '70000'"),
        (["--port", "eighty"], "argument --port: port must be a whole number 0-65535; got 'eighty'"),
        (["--speed", "-1"], "argument --speed: speed must be a number >= 0 (0 = no waiting); got '-1'"),
        (["--speed", "nan"], "argument --speed: speed must be a number >= 0 (0 = no waiting); got 'nan'"),
        (["--seed", "1.5"], "argument --seed: invalid int value: '1.5'"),
        (["--max-stream-s", "-1"], "argument --max-stream-s: max stream duration must be a number of seconds > 0; got '-1'"),
        (["--workers", "0"], "argument --workers: workers must be a whole number >= 1; got '0'"),
        (["--upstream", "openai=api.openai.com"], "argument --upstream: --upstream 'openai=api.openai.com': give an http:// or https:// URL"),
    ],
    ids=["port-too-big", "port-word", "speed-negative", "speed-nan", "seed-fraction", "max-stream-negative", "workers-zero", "upstream-no-scheme"],
)
def test_bad_flag_exits_2_with_a_message(capsys, argv, message):
    with pytest.raises(SystemExit) as exc:
        main(["serve", *argv])
    assert exc.value.code == 2
    assert capsys.readouterr().err.strip().splitlines()[-1] == f"mockllm serve: error: {message}"


def test_unknown_flag_exits_2_naming_it(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["serve", "--colour", "red"])
    assert exc.value.code == 2
    assert capsys.readouterr().err.strip().splitlines()[-1] == "mockllm: error: unrecognized arguments: --colour red"


def test_check_shipped_scenarios_exits_0(capsys):
    assert main(["check", str(SCENARIOS)]) == 0
    count = len(load_catalog(SCENARIOS).scenarios)
    assert capsys.readouterr().out == f"ok: {count} scenarios in {SCENARIOS}\n"


def test_check_lists_every_problem_and_exits_1(tmp_path, capsys):
    (tmp_path / "a.yaml").write_text(BROKEN_SCENARIO)
    (tmp_path / "b.yaml").write_text(NEGATIVE_DELAY)
    assert main(["check", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert lines[0].startswith(f"{tmp_path / 'a.yaml'}:6: steps[1].bogus: unknown key 'bogus'; valid keys: ")
    assert lines[1] == f"{tmp_path / 'b.yaml'}:4: stream.delay_ms: input should be greater than or equal to 0"
    assert len(lines) == 2


def test_check_missing_folder_exits_1(tmp_path, capsys):
    missing = tmp_path / "nothing-here"
    assert main(["check", str(missing)]) == 1
    assert capsys.readouterr().err == f"{missing}:1: not a folder of scenario files\n"


def test_check_exit_code_of_the_real_process(tmp_path):
    (tmp_path / "a.yaml").write_text(BROKEN_SCENARIO)
    bad = subprocess.run([sys.executable, "-m", "mockllm", "check", str(tmp_path)], capture_output=True, text=True, cwd=REPO, timeout=60, check=False)
    good = subprocess.run([sys.executable, "-m", "mockllm", "check", str(SCENARIOS)], capture_output=True, text=True, cwd=REPO, timeout=60, check=False)
    assert (bad.returncode, good.returncode) == (1, 0)
    assert "a.yaml:6: steps[1].bogus: unknown key 'bogus'" in bad.stderr
    assert "Traceback" not in bad.stderr + good.stderr


def test_list_prints_names_and_first_description_line(tmp_path, capsys):
    (tmp_path / "s.yaml").write_text(
        "schema: 1\nname: zeta\ndescription: |\n  Last one.\n  More detail.\nsteps: [{say: a}]\n"
        "---\nschema: 1\nname: a\ndescription: First one.\nsteps: [{say: b}]\n"
    )
    assert main(["list", str(tmp_path)]) == 0
    assert capsys.readouterr().out == "a     First one.\nzeta  Last one.\n"


def test_list_shipped_scenarios_names_each_one(capsys):
    assert main(["list"]) == 0
    names = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert names == sorted(names)
    assert {"default", "hello", "long-chinese"} <= set(names)


def test_default_naming_an_unknown_scenario_exits_1(capsys):
    assert main(["serve", "--port", "0", "--default", "nope"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"{SCENARIOS}:1: default scenario 'nope' not found; add nope.yaml or pick one with --default NAME; known: ")
    assert "hello" in err
