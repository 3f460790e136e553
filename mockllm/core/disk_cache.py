"""Objects kept on disk between starts, under a key of what they were built from and of mockllm's own code.

Entries live in `$MOCKLLM_CACHE_DIR` (set it empty for no cache), else
`$XDG_CACHE_HOME/mockllm`, else `~/.cache/mockllm`, in a folder only its
owner may write; a folder or entry another user could write is not used. Every
key includes `code_stamp()`, so an upgrade or an edit of any module misses.
Storing is best effort: a read-only home just means nothing is kept.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import stat
import sys
import tempfile
from pathlib import Path
from typing import Any

_PACKAGE = Path(__file__).resolve().parent.parent


def cache_folder() -> Path | None:
    """Where entries live, or None when `$MOCKLLM_CACHE_DIR` is set empty."""
    configured = os.environ.get("MOCKLLM_CACHE_DIR")
    if configured is not None:
        return Path(configured) if configured else None
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "mockllm"


@functools.cache
def code_stamp() -> str:
    """A digest of Python's version and the path, size and modification time of every module of mockllm."""
    stamps = [sys.version]
    for root, folders, names in os.walk(_PACKAGE):
        folders[:] = sorted(name for name in folders if name != "__pycache__")
        for name in sorted(names):
            if name.endswith(".py"):
                info = os.stat(os.path.join(root, name))
                stamps.append(f"{root}/{name}:{info.st_size}:{info.st_mtime_ns}")
    return hashlib.blake2b("\n".join(stamps).encode(), digest_size=20).hexdigest()


def read(kind: str, key: str) -> Any:
    """The object stored as `kind` under `key`, or None (absent, unreadable, damaged, or writable by another user)."""
    folder = cache_folder()
    if folder is None:
        return None
    path = folder / f"{kind}-{key}.pickle"
    try:
        if not _owned(folder.stat()):
            return None
        file = path.open("rb")
    except OSError:
        return None
    with file:
        if not _owned(os.fstat(file.fileno())):
            return None
        try:
            value = pickle.load(file)
        except Exception:  # noqa: BLE001 - a damaged or outdated entry is a miss, and is dropped
            _remove(path)
            return None
    try:
        os.utime(path)  # recently used: kept longest
    except OSError:
        pass
    return value


def write(kind: str, key: str, value: Any, keep: int) -> None:
    """Store `value` as `kind` under `key` (best effort), then drop all but the `keep` most recently used of its kind."""
    folder = cache_folder()
    if folder is None:
        return
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _owned(folder.stat()):
            return
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{kind}-", suffix=".tmp")
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        return
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, folder / f"{kind}-{key}.pickle")
        _prune(folder, kind, keep)
    except OSError:
        _remove(Path(temporary))


def _owned(info: os.stat_result) -> bool:
    """Whether only this user could have written it (on systems with owners)."""
    getuid = getattr(os, "getuid", None)
    return getuid is None or (info.st_uid == getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH))


def _prune(folder: Path, kind: str, keep: int) -> None:
    entries = sorted(folder.glob(f"{kind}-*.pickle"), key=lambda path: path.stat().st_mtime_ns, reverse=True)
    for path in entries[keep:]:
        _remove(path)


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass
