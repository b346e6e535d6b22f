"""The box's content-addressed blob store: verified writes, LRU eviction under a quota, pins.

Synchronous and thread-safe; async callers run it in a thread. See DESIGN.md "Content catalog".
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from content_cache._blobs_check import check_store
from content_cache._blobs_index import BlobIndex
from content_cache._blobs_partial import Partial
from content_cache._blobs_space import SpaceRules, make_room
from content_cache._blobs_types import (
    BlobLayout,
    BlobStoreError,
    StoreUsage,
    free_disk_bytes,
    make_dirs_durably,
    require_sha256,
)


class BlobStore:
    def __init__(
        self,
        root: Path,
        *,
        quota_bytes: int,
        reserve_free_bytes: int,
        disk_free: Callable[[Path], int] = free_disk_bytes,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._layout = BlobLayout(root)
        make_dirs_durably(self._layout.blobs_dir)
        make_dirs_durably(self._layout.tmp_dir)
        self._rules = SpaceRules(quota_bytes, reserve_free_bytes, disk_free)
        self._clock = clock
        self._lock = threading.Lock()
        self._index = BlobIndex(self._layout.db_path)
        self._partials: dict[str, Partial] = {}

    def close(self) -> None:
        with self._lock:
            self._index.close()

    def open_partial(self, sha256: str, size: int) -> Partial:
        """Room is made for `size` bytes now; an existing prefix in the temp file is resumed."""
        return self._open(sha256, size, resume=True)

    def commit(self, sha256: str) -> Path:
        """Verify the finished partial and move it into place; BlobMismatch stores nothing."""
        with self._lock:
            partial = self._partials.get(sha256)
            if partial is None:
                raise BlobStoreError(f"no partial open for blob {sha256}")
        target = self._layout.blob_path(sha256)
        partial.install(target)
        with self._lock:
            self._index.add(sha256, partial.size, self._clock())
            self._partials.pop(sha256, None)
        return target

    def release_partial(self, sha256: str, *, keep_prefix: bool = True) -> None:
        """Give up writing for now; a kept prefix is resumed by the next `open_partial`."""
        with self._lock:
            partial = self._partials.pop(sha256, None)
        if partial is not None:
            partial.close()
            if not keep_prefix:
                partial.path.unlink(missing_ok=True)

    def put_bytes(self, data: bytes, sha256: str) -> Path:
        """Store `data`, verified; an already stored blob is left as it is."""
        if existing := self.path(sha256):
            return existing
        self._open(sha256, len(data), resume=False).append(data)
        return self.commit(sha256)

    def put_file(self, source: Path, sha256: str) -> Path:
        """Copy a file in (a USB import), verified; an already stored blob is not copied again."""
        if existing := self.path(sha256):
            return existing
        self._open(sha256, source.stat().st_size, resume=False).append_file(source)
        return self.commit(sha256)

    def path(self, sha256: str) -> Path | None:
        with self._lock:
            if self._index.size(require_sha256(sha256)) is None:
                return None
            self._index.touch(sha256, self._clock())
        return self._layout.blob_path(sha256)

    def has(self, sha256: str) -> bool:
        return self.size(sha256) is not None

    def size(self, sha256: str) -> int | None:
        with self._lock:
            return self._index.size(require_sha256(sha256))

    def pin(self, shas: Iterable[str], reason: str) -> None:
        with self._lock:
            self._index.add_pins(reason, [require_sha256(sha) for sha in shas])

    def set_pins(self, reason: str, shas: Iterable[str]) -> None:
        """Replace every pin held for `reason` (the planner re-pins "timetable" on each run)."""
        with self._lock:
            self._index.set_pins(reason, [require_sha256(sha) for sha in shas])

    def unpin_reason(self, reason: str) -> None:
        with self._lock:
            self._index.remove_pins(reason)

    def pinned_bytes(self) -> int:
        with self._lock:
            return self._index.pinned_bytes()

    def usage(self) -> StoreUsage:
        with self._lock:
            count, stored = self._index.count_and_bytes()
            pinned = self._index.pinned_bytes()
        free = self._rules.disk_free(self._layout.root)
        return StoreUsage(count, stored, pinned, self._rules.quota_bytes, free)

    def check(self) -> list[str]:
        """Repair index, files and temp folder so they agree; returns what was repaired."""
        with self._lock:
            open_temps = {partial.path for partial in self._partials.values()}
            return check_store(self._layout, self._index, open_temps, self._clock())

    def _open(self, sha256: str, size: int, *, resume: bool) -> Partial:
        temp = self._layout.tmp_path(require_sha256(sha256))
        with self._lock:
            if self._index.size(sha256) is not None:
                raise BlobStoreError(f"blob {sha256} is already stored")
            if sha256 in self._partials:
                raise BlobStoreError(f"blob {sha256} is already being written")
            if not resume:
                temp.unlink(missing_ok=True)
            prefix = temp.stat().st_size if temp.exists() else 0
            prefix = prefix if prefix <= size else 0  # load_prefix drops too long a prefix
            make_room(
                self._layout,
                self._index,
                self._rules,
                quota_needed=size,
                disk_needed=size - prefix,
                in_progress=sum(partial.size for partial in self._partials.values()),
            )
            partial = Partial(sha256, size, temp, self._discard)
            self._partials[sha256] = partial
        try:
            partial.load_prefix()  # outside the lock: a long prefix takes a while to hash
        except OSError:
            partial.fail()
            raise
        return partial

    def _discard(self, partial: Partial) -> None:
        """A failed partial: forget it and delete its temp file (unless it was released)."""
        with self._lock:
            if self._partials.get(partial.sha256) is not partial:
                return
            del self._partials[partial.sha256]
        partial.path.unlink(missing_ok=True)
