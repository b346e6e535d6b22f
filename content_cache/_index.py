"""The box's catalog: its own SQLite file (WAL, one connection), searched with FTS5.

`apply` verifies a signed head and the delta leading to it, then stores the latest record of each
entry and the head, all in one transaction: a refused delta changes nothing. A long delta is
`stage`d page by page instead (kept across restarts), then `commit_staged` under its head."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import TracebackType

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlite_utils import Database as UtilsDatabase

from content_cache._catalog import CatalogEntry, canonical_json
from content_cache._fields import CatalogError
from content_cache._head import CatalogHead, SignedHead, verify_head
from content_cache._index_log import (
    apply_staged,
    drop_pages_after,
    log_end,
    page_bodies,
    stage_page,
)
from content_cache._index_schema import SELECT, entry_of, migrations
from content_cache._index_search import MAX_LIMIT as MAX_LIMIT
from content_cache._index_search import search_query
from content_cache._sqlite import immediate


class CatalogIndex:
    """Thread-safe (one lock around one connection); callers run it off the event loop."""

    def __init__(self, path: Path, *, busy_timeout_ms: int = 5000) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        self._conn.execute("PRAGMA journal_mode = WAL")
        self._conn.execute("PRAGMA synchronous = FULL")
        migrations.apply(UtilsDatabase(self._conn))

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> CatalogIndex:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def apply(
        self,
        signed: SignedHead,
        records: Sequence[CatalogEntry],
        public_key: Ed25519PublicKey,
        now: int,
    ) -> CatalogHead:
        """Verify `signed` and the records held+1 … head.version, then store them; else raise
        `CatalogError` (or a subclass) and leave the index exactly as it was."""
        with self._transaction():
            drop_pages_after(self._conn, self._held()[0])
            stage_page(self._conn, records)
            return self._commit(signed, public_key, now)

    def stage(self, records: Sequence[CatalogEntry]) -> int:
        """Log records that follow the log's end (held or staged), chained but not yet
        searchable: `commit_staged` does that once a signed head vouches for them. The new end."""
        with self._transaction():
            return stage_page(self._conn, records)[0]

    def staged(self) -> tuple[int, bytes]:
        """The version and digest at the end of the log, staged records included."""
        with self._lock:
            return log_end(self._conn)

    def commit_staged(
        self, signed: SignedHead, public_key: Ed25519PublicKey, now: int
    ) -> CatalogHead:
        """Verify `signed` against the staged log and make it the catalog, in one transaction.
        Staged records that do not lead to the head are dropped; an unverified head (bad
        signature, rollback, expiry) or a log still short of the head keeps them."""
        try:
            with self._transaction():
                return self._commit(signed, public_key, now)
        except _Diverged:
            self.discard_staged()
            raise

    def discard_staged(self) -> int:
        """Forget the staged records; how many pages."""
        with self._transaction():
            return drop_pages_after(self._conn, self._held()[0])

    def signed_head(self) -> SignedHead | None:
        """The signed head that vouched for the catalog held, if any."""
        with self._lock:
            (text,) = self._conn.execute("SELECT head FROM meta").fetchone()
        return None if text is None else SignedHead.from_json(json.loads(text))

    def log_pages(self) -> Iterator[bytes]:
        """The verified log (versions 1 … held), as compressed pages of canonical JSON lines."""
        with self._lock:
            held = self._held()[0]
            bodies = list(page_bodies(self._conn, 0, held))
        yield from bodies

    def held(self) -> tuple[int, bytes]:
        """The catalog version the box holds and the log digest at that version."""
        with self._lock:
            return self._held()

    def count(self) -> int:
        """Entries not deleted (what a head's `count` states)."""
        with self._lock:
            return self._count()

    def mime_types(self) -> dict[str, str]:
        """sha256 → MIME type of every file of the live entries (the first entry's wins)."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT files FROM entries WHERE deleted = 0 ORDER BY doc"
            ).fetchall()
        mimes: dict[str, str] = {}
        for (files,) in rows:
            for record in json.loads(files):
                mimes.setdefault(record["sha256"], record["mime"])
        return mimes

    def live_entries(self, batch: int = 1000) -> Iterator[CatalogEntry]:
        """Every live entry, `batch` at a time: the lock is let go between batches."""
        after = 0
        while True:
            with self._lock:
                rows = self._conn.execute(
                    f"SELECT e.doc, {SELECT} FROM entries e WHERE e.deleted = 0 AND e.doc > ?"
                    " ORDER BY e.doc LIMIT ?",
                    [after, batch],
                ).fetchall()
            if not rows:
                return
            after = rows[-1][0]
            yield from (entry_of(row[1:]) for row in rows)

    def get(self, entry_id: str, *, include_deleted: bool = False) -> CatalogEntry | None:
        with self._lock:
            row = self._conn.execute(
                f"SELECT {SELECT} FROM entries e WHERE e.id = ?", [entry_id]
            ).fetchone()
        entry = entry_of(row) if row else None
        return entry if entry and (include_deleted or not entry.deleted) else None

    def search(
        self,
        text: str = "",
        *,
        subject: str | None = None,
        grade: str | None = None,
        kind: str | None = None,
        limit: int = 50,
    ) -> list[CatalogEntry]:
        """Live entries whose title, subject, grades or kind hold every word of `text` (as a
        prefix), best first; `subject`, `grade` and `kind` filter exactly."""
        sql, params = search_query(text, subject=subject, grade=grade, kind=kind, limit=limit)
        with self._lock:
            rows = self._conn.execute(sql, params).fetchall()
        return [entry_of(row) for row in rows]

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        with self._lock, immediate(self._conn):
            yield

    def _commit(self, signed: SignedHead, public_key: Ed25519PublicKey, now: int) -> CatalogHead:
        held_version, _ = self._held()
        head = verify_head(signed, public_key, held_version=held_version, now=now)
        end, digest = log_end(self._conn)
        if head.version > end:
            raise CatalogError(f"delta: versions {end + 1}…{head.version} are missing")
        if head.version < end:
            raise _Diverged(f"delta: records past the head's version {head.version}")
        if digest.hex() != head.digest:
            raise _Diverged(f"delta: digest at version {head.version} does not match the head")
        apply_staged(self._conn, end)
        live = self._count()
        if live != head.count:
            raise _Diverged(f"head: count {head.count}, catalog holds {live} entries")
        self._conn.execute(
            "UPDATE meta SET version = ?, digest = ?, head = ?",
            [head.version, digest.hex(), canonical_json(signed.to_json()).decode()],
        )
        return head

    def _held(self) -> tuple[int, bytes]:
        version, digest = self._conn.execute("SELECT version, digest FROM meta").fetchone()
        return int(version), bytes.fromhex(digest)

    def _count(self) -> int:
        return int(
            self._conn.execute("SELECT count(*) FROM entries WHERE deleted = 0").fetchone()[0]
        )


class _Diverged(CatalogError):
    """The staged log does not lead to the signed head: it was not the hub's log."""
