"""A blob being written: a temp file that may already hold a prefix, hashed as it grows."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

from content_cache._blobs_types import (
    BlobMismatch,
    BlobStoreError,
    StoreFull,
    fsync_dir,
    is_disk_full,
    make_dirs_durably,
)

CHUNK_BYTES = 1 << 20


def append_to_file(path: Path, chunk: bytes) -> None:
    with path.open("ab") as file:
        file.write(chunk)


def fsync_file(path: Path) -> None:
    with path.open("rb") as file:
        os.fsync(file.fileno())


def hash_file(path: Path) -> hashlib._Hash:
    hasher = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(CHUNK_BYTES):
            hasher.update(chunk)
    return hasher


class Partial:
    """`root/tmp/<sha256>.part`; append from `offset` on, then `BlobStore.commit(sha256)`.

    A Partial holds no open file, so a crash (or a dropped Partial) leaves only the prefix,
    which the next `open_partial` for the same blob resumes after re-hashing it.
    """

    def __init__(
        self, sha256: str, size: int, path: Path, discard: Callable[[Partial], None]
    ) -> None:
        self.sha256 = sha256
        self.size = size
        self.path = path
        self._discard = discard
        self._hasher = hashlib.sha256()
        self._offset = 0
        self._open = True

    def load_prefix(self) -> None:
        """Re-hash what an earlier attempt left in the temp file; too long a prefix is dropped."""
        if self.path.exists() and self.path.stat().st_size <= self.size:
            self._hasher = hash_file(self.path)
            self._offset = self.path.stat().st_size
        else:
            self.path.write_bytes(b"")

    @property
    def offset(self) -> int:
        """Bytes already in the temp file: a resumed download asks for `Range: bytes=offset-`."""
        return self._offset

    def append(self, chunk: bytes) -> None:
        if not self._open:
            raise BlobStoreError(f"partial {self.sha256} is closed")
        if self._offset + len(chunk) > self.size:
            self.fail()
            raise BlobMismatch(f"blob {self.sha256} is longer than its announced {self.size} bytes")
        try:
            append_to_file(self.path, chunk)
        except OSError as error:
            self.fail()
            if is_disk_full(error):
                raise StoreFull(f"disk full while writing blob {self.sha256}") from error
            raise
        self._hasher.update(chunk)
        self._offset += len(chunk)

    def append_file(self, source: Path) -> None:
        try:
            with source.open("rb") as file:
                while chunk := file.read(CHUNK_BYTES):
                    self.append(chunk)
        except OSError:
            self.fail()
            raise

    def install(self, target: Path) -> None:
        """Verify size and hash, then fsync and move into place; a full disk becomes StoreFull."""
        self._verify()
        try:
            fsync_file(self.path)
            make_dirs_durably(target.parent)
            os.replace(self.path, target)
            fsync_dir(target.parent)
        except OSError as error:
            self.fail()
            if is_disk_full(error):
                raise StoreFull(f"disk full storing blob {self.sha256}") from error
            raise

    def _verify(self) -> None:
        self.close()
        if self._offset != self.size:
            self.fail()
            raise BlobMismatch(f"blob {self.sha256}: got {self._offset} of {self.size} bytes")
        if self._hasher.hexdigest() != self.sha256:
            self.fail()
            raise BlobMismatch(f"blob {self.sha256}: content hashes to {self._hasher.hexdigest()}")

    def fail(self) -> None:
        """Drop the temp file and give the store back its reservation."""
        self.close()
        self._discard(self)

    def close(self) -> None:
        self._open = False
