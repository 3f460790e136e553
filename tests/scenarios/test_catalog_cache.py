"""Validated catalogs kept on disk: an unchanged folder loads without validating; any change, damage or doubt validates again."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from scenario_files import scenario, write_scenarios

from mockllm.scenarios import catalog_cache
from mockllm.scenarios import loading as loading_module
from mockllm.scenarios.catalog import SHIPPED
from mockllm.scenarios.loading import load_catalog
from mockllm.scenarios.problems import ProblemsError


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache folder of this test's own."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("MOCKLLM_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The folders `load_catalog` validated (rather than found in the cache), in order."""
    seen: list[Path] = []
    validate = loading_module.validate_files

    def counted(folder: Path, files: list[Path]) -> Any:
        seen.append(folder)
        return validate(folder, files)

    monkeypatch.setattr(loading_module, "validate_files", counted)
    return seen


def entries(cache: Path) -> list[Path]:
    return sorted(cache.glob("catalog-*.pickle"))


def test_an_unchanged_folder_loads_from_the_cache_as_it_was_validated(cache: Path, validations: list[Path]) -> None:
    first = load_catalog(SHIPPED)
    again = load_catalog(SHIPPED)
    assert validations == [SHIPPED]
    assert len(entries(cache)) == 1
    assert again is not first
    assert again.scenarios == first.scenarios
    assert again.files == first.files
    assert again.documents == first.documents
    assert again.folder == first.folder


def test_an_edited_file_is_validated_again(tmp_path: Path, cache: Path, validations: list[Path]) -> None:
    folder = write_scenarios(tmp_path / "s", scenario("one", [{"say": "before"}]))
    assert load_catalog(folder).scenarios["one"].steps[0].say == "before"
    write_scenarios(folder, scenario("one", [{"say": "after"}]))
    assert load_catalog(folder).scenarios["one"].steps[0].say == "after"
    (folder / "more.yaml").write_text("schema: 1\nname: two\ndescription: d\nsteps:\n  - say: hi\n", encoding="utf-8")
    assert load_catalog(folder).names == ["one", "two"]
    assert validations == [folder, folder, folder]
    assert len(entries(cache)) == 3


def test_a_folder_with_problems_is_not_stored(tmp_path: Path, cache: Path, validations: list[Path]) -> None:
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "bad.yaml").write_text("schema: 1\nname: bad\nsteps: [\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(ProblemsError):
            load_catalog(folder)
    assert validations == [folder, folder]
    assert entries(cache) == []


def test_a_damaged_entry_is_a_miss_and_is_replaced(cache: Path, validations: list[Path]) -> None:
    load_catalog(SHIPPED)
    [entry] = entries(cache)
    entry.write_bytes(b"not a pickle")
    assert "default" in load_catalog(SHIPPED).scenarios
    assert validations == [SHIPPED, SHIPPED]
    assert entry.read_bytes() != b"not a pickle"


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="files have no owner here")
def test_an_entry_others_could_write_is_not_read(cache: Path, validations: list[Path]) -> None:
    load_catalog(SHIPPED)
    [entry] = entries(cache)
    entry.chmod(0o666)
    load_catalog(SHIPPED)
    assert validations == [SHIPPED, SHIPPED]


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="files have no owner here")
def test_a_cache_folder_others_could_write_is_neither_read_nor_written(cache: Path, validations: list[Path]) -> None:
    load_catalog(SHIPPED)
    cache.chmod(0o777)
    try:
        load_catalog(SHIPPED)
        for path in entries(cache):
            path.unlink()
        load_catalog(SHIPPED)
        assert entries(cache) == []
    finally:
        cache.chmod(0o700)
    assert validations == [SHIPPED, SHIPPED, SHIPPED]


def test_an_empty_cache_setting_stores_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, validations: list[Path]) -> None:
    monkeypatch.setenv("MOCKLLM_CACHE_DIR", "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    load_catalog(SHIPPED)
    load_catalog(SHIPPED)
    assert validations == [SHIPPED, SHIPPED]
    assert list(tmp_path.iterdir()) == []


def test_without_a_setting_entries_go_to_the_users_cache_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MOCKLLM_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    load_catalog(SHIPPED)
    folder = tmp_path / "xdg" / "mockllm"
    assert len(entries(folder)) == 1
    assert folder.stat().st_mode & 0o777 == 0o700


def test_only_the_newest_entries_stay(tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(catalog_cache, "KEEP", 3)
    for i in range(5):
        load_catalog(write_scenarios(tmp_path / f"s{i}", scenario("one", [{"say": f"answer {i}"}])))
        newest = entries(cache)
        os.utime(max(newest, key=lambda path: path.stat().st_mtime_ns), ns=(i * 10**9, (i + 10) * 10**9))
    kept = entries(cache)
    assert len(kept) == 3
    assert sorted(path.stat().st_mtime_ns for path in kept) == [12 * 10**9, 13 * 10**9, 14 * 10**9]


def test_an_unwritable_cache_folder_still_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("MOCKLLM_CACHE_DIR", str(blocker / "cache"))
    assert "default" in load_catalog(SHIPPED).scenarios


def test_a_later_process_reads_what_mockllm_check_stored(tmp_path: Path) -> None:
    """`mockllm check` leaves an entry; `mockllm list` in a process of its own reads it (a hit only refreshes its time)."""
    cache = tmp_path / "cache"
    folder = write_scenarios(tmp_path / "s", scenario("default", [{"say": "hi"}]))
    env = {**os.environ, "MOCKLLM_CACHE_DIR": str(cache)}
    checked = subprocess.run([sys.executable, "-m", "mockllm", "check", str(folder)], env=env, capture_output=True, text=True, check=True)
    assert checked.stdout == f"ok: 1 scenario in {folder}\n"
    [entry] = entries(cache)
    stored = entry.stat()
    os.utime(entry, ns=(0, 0))
    listed = subprocess.run([sys.executable, "-m", "mockllm", "list", str(folder)], env=env, capture_output=True, text=True, check=True)
    assert listed.stdout == "default  test scenario default\n"
    assert entries(cache) == [entry]
    assert entry.stat().st_ino == stored.st_ino  # not written again
    assert entry.stat().st_mtime_ns > 0  # read: its time refreshed
