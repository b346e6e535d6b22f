"""sha256 → MIME type of the catalog's live files, for `/content/{sha256}` answers.

Read from the catalog index and rebuilt when the catalog version moves. Blocking: threads
only."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from content_cache._index import CatalogIndex

DEFAULT_MIME = "application/octet-stream"
#: the catalog version is looked at no more often than this
RECHECK_SECONDS = 5.0


class MimeMap:
    def __init__(
        self,
        index: CatalogIndex,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._index, self._clock = index, clock
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
                    self._mimes, self._version = self._index.mime_types(), version
            return self._mimes.get(sha256, DEFAULT_MIME)
