"""The blob store's SQLite index: one row per stored blob, and named pins. Not thread-safe alone."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

from content_cache._sqlite import immediate

_SCHEMA = """
CREATE TABLE IF NOT EXISTS blobs (
    sha256 TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    added_at REAL NOT NULL,
    last_used_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS blobs_by_last_use ON blobs (last_used_at);
CREATE TABLE IF NOT EXISTS pins (
    reason TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    PRIMARY KEY (reason, sha256)
);
CREATE INDEX IF NOT EXISTS pins_by_sha256 ON pins (sha256);
"""
_PINNED = "sha256 IN (SELECT sha256 FROM pins)"
#: A read records `last_used_at` at most this often per blob.
TOUCH_INTERVAL_SECONDS = 60.0


class BlobIndex:
    """Rows of `blobs` and `pins`; callers serialise access (BlobStore holds a lock)."""

    def __init__(self, db_path: Path) -> None:
        self._conn = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode = WAL")
        self._conn.executescript(_SCHEMA)
        self._last_touch: dict[str, float] = {}

    def close(self) -> None:
        self._conn.close()

    def add(self, sha256: str, size: int, now: float) -> None:
        self._conn.execute(
            "INSERT INTO blobs VALUES (?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING",
            (sha256, size, now, now),
        )
        self._last_touch[sha256] = now

    def remove(self, sha256: str) -> None:
        self._conn.execute("DELETE FROM blobs WHERE sha256 = ?", (sha256,))
        self._last_touch.pop(sha256, None)

    def size(self, sha256: str) -> int | None:
        row = self._conn.execute("SELECT size FROM blobs WHERE sha256 = ?", (sha256,)).fetchone()
        return None if row is None else int(row[0])

    def touch(self, sha256: str, now: float) -> None:
        """Record a use, unless one was recorded less than TOUCH_INTERVAL_SECONDS ago."""
        if now - self._last_touch.get(sha256, float("-inf")) < TOUCH_INTERVAL_SECONDS:
            return
        self._conn.execute("UPDATE blobs SET last_used_at = ? WHERE sha256 = ?", (now, sha256))
        self._last_touch[sha256] = now

    def sizes(self) -> dict[str, int]:
        return {
            sha: int(size) for sha, size in self._conn.execute("SELECT sha256, size FROM blobs")
        }

    def count_and_bytes(self) -> tuple[int, int]:
        count, total = self._conn.execute("SELECT count(*), total(size) FROM blobs").fetchone()
        return int(count), int(total)

    def pinned_bytes(self) -> int:
        return self._sum_sizes(_PINNED)

    def unpinned_bytes(self) -> int:
        return self._sum_sizes(f"NOT {_PINNED}")

    def least_recently_used_unpinned(self) -> tuple[str, int] | None:
        row = self._conn.execute(
            f"SELECT sha256, size FROM blobs WHERE NOT {_PINNED}"
            " ORDER BY last_used_at, added_at, sha256 LIMIT 1"
        ).fetchone()
        return None if row is None else (str(row[0]), int(row[1]))

    def add_pins(self, reason: str, shas: Iterable[str]) -> None:
        self._conn.executemany(
            "INSERT OR IGNORE INTO pins VALUES (?, ?)", [(reason, sha) for sha in shas]
        )

    def set_pins(self, reason: str, shas: Iterable[str]) -> None:
        with immediate(self._conn):
            self.remove_pins(reason)
            self.add_pins(reason, shas)

    def remove_pins(self, reason: str) -> None:
        self._conn.execute("DELETE FROM pins WHERE reason = ?", (reason,))

    def _sum_sizes(self, condition: str) -> int:
        row = self._conn.execute(f"SELECT total(size) FROM blobs WHERE {condition}").fetchone()
        return int(row[0])
