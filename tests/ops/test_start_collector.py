"""The garbage collector is off while a command starts, and on again once a server listens or the command ends."""

from __future__ import annotations

import gc
from typing import Iterator

import pytest
from conftest import SCENARIOS

from mockllm.cli import main
from mockllm.ops import serve


@pytest.fixture
def collector() -> Iterator[None]:
    """Restore the collector's state, thresholds and frozen objects after the test."""
    enabled, thresholds = gc.isenabled(), gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)
    (gc.enable if enabled else gc.disable)()


def test_a_server_turns_the_collector_on_once_listening(collector: None) -> None:
    gc.disable()
    serve._settle_memory()
    assert gc.isenabled() and gc.get_freeze_count() > 0 and gc.get_threshold()[0] == 20_000


@pytest.mark.parametrize("was_on", [True, False])
def test_a_command_leaves_the_collector_as_it_found_it(collector: None, capsys: pytest.CaptureFixture[str], was_on: bool) -> None:
    (gc.enable if was_on else gc.disable)()
    assert main(["check", str(SCENARIOS)]) == 0
    assert gc.isenabled() is was_on
    assert capsys.readouterr().out.startswith("ok: ")


def test_the_collector_is_off_while_the_command_runs(collector: None, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = []
    monkeypatch.setattr("mockllm.cli._check", lambda args: seen.append(gc.isenabled()) or 0)
    gc.enable()
    assert main(["check", str(SCENARIOS)]) == 0
    assert seen == [False] and gc.isenabled()
