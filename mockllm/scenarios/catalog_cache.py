"""Validated catalogs kept on disk (`mockllm.core.disk_cache`): an unchanged folder loads without validating.

A folder is read and validated once; the next start finds its catalog by a
key over the folder's path and every scenario file's path and bytes (and
mockllm's code stamp), so an edit to any of them misses. Only folders
without problems are stored; the `KEEP` most recently used stay.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from mockllm.core import disk_cache
from mockllm.scenarios.catalog import Catalog

#: Catalogs kept; the least recently used go first.
KEEP = 32
_KIND = "catalog"


def catalog_key(folder: Path, files: list[Path], max_bytes: int) -> str | None:
    """The key of `folder` as it is now, or None when a file cannot be read or is over `max_bytes` (the loader reports it)."""
    digest = hashlib.blake2b(digest_size=20)
    digest.update(f"{folder}\0{folder.absolute()}\0{disk_cache.code_stamp()}\0".encode())
    try:
        for path in files:
            if path.stat().st_size > max_bytes:
                return None
            data = path.read_bytes()
            digest.update(f"{path}\0{len(data)}\0".encode())
            digest.update(data)
    except OSError:
        return None
    return digest.hexdigest()


def read(key: str) -> Catalog | None:
    """The catalog stored under `key`, or None."""
    catalog = disk_cache.read(_KIND, key)
    return catalog if isinstance(catalog, Catalog) else None


def write(key: str, catalog: Catalog) -> None:
    """Store `catalog` under `key` (best effort)."""
    disk_cache.write(_KIND, key, catalog, KEEP)
