"""sha256 → MIME type of the catalog's live files, for `/content/{sha256}` answers.

Read from the catalog's own SQLite file on a read-only connection of its own (WAL lets it read
beside the index's writer) and rebuilt when the catalog version moves. Blocking: threads only."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

from content_cache._index import CatalogIndex

DEFAULT_MIME = "application/octet-stream"
#: the catalog version is looked at no more often than this
RECHECK_SECONDS = 5.0


class MimeMap:
    def __init__(
        self,
        index: CatalogIndex,
        path: Path,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._index, self._path, self._clock = index, path, clock
        self._lock = threading.Lock()
        self._mimes: dict[str, str] = {}
        self._version: int | None = None
        self._checked = float("-inf")

    def lookup(self, sha256: str) -> str:
        """The catalog's type for the blob; an unknown blob re-reads a catalog that moved."""
        with self._lock:
            now = self._clock()
            if sha256 not in self._mimes or now - self._checked >= RECHECK_SECONDS:
                self._checked = now
                version = self._index.held()[0]
                if version != self._version:
                    self._mimes, self._version = _load(self._path), version
            return self._mimes.get(sha256, DEFAULT_MIME)


def _load(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT files FROM entries WHERE deleted = 0 ORDER BY doc").fetchall()
    finally:
        conn.close()
    mimes: dict[str, str] = {}
    for (files,) in rows:
        for record in json.loads(files):
            mimes.setdefault(record["sha256"], record["mime"])
    return mimes
