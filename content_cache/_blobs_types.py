"""Blob store vocabulary: errors, usage figures, the on-disk layout and small file helpers."""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

_SHA256 = re.compile(r"[0-9a-f]{64}")
#: Errors that mean "the disk (or the user's disk quota) is full".
DISK_FULL_ERRNOS = frozenset({28, 122})  # ENOSPC, EDQUOT


class BlobStoreError(Exception):
    """Base of every blob-store error."""


class BlobMismatch(BlobStoreError):
    """The bytes offered do not have the announced size or SHA-256; nothing was stored."""


class StoreFull(BlobStoreError):
    """No room for a blob, even after evicting every blob that no pin protects."""


@dataclass(frozen=True)
class StoreUsage:
    count: int
    bytes: int
    pinned_bytes: int
    quota: int
    free_disk: int


def require_sha256(sha256: str) -> str:
    """The lowercase hex digest itself; anything else (it names files) is a ValueError."""
    if not _SHA256.fullmatch(sha256):
        raise ValueError(f"not a lowercase hex SHA-256: {sha256!r}")
    return sha256


def free_disk_bytes(path: Path) -> int:
    return shutil.disk_usage(path).free


def is_disk_full(error: OSError) -> bool:
    return error.errno in DISK_FULL_ERRNOS


@dataclass(frozen=True)
class BlobLayout:
    """`root/blobs/ab/cd/<sha256>`, `root/tmp/<sha256>.part`, `root/blobs.db`."""

    root: Path

    @property
    def blobs_dir(self) -> Path:
        return self.root / "blobs"

    @property
    def tmp_dir(self) -> Path:
        return self.root / "tmp"

    @property
    def db_path(self) -> Path:
        return self.root / "blobs.db"

    def blob_path(self, sha256: str) -> Path:
        return self.blobs_dir / sha256[0:2] / sha256[2:4] / sha256

    def tmp_path(self, sha256: str) -> Path:
        return self.tmp_dir / f"{sha256}.part"


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def make_dirs_durably(path: Path) -> None:
    """Create `path` and missing parents, fsyncing each new directory's parent."""
    missing: list[Path] = []
    while not path.exists():
        missing.append(path)
        path = path.parent
    for directory in reversed(missing):
        directory.mkdir(exist_ok=True)
        fsync_dir(directory.parent)
