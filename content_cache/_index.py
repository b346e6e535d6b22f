"""The box's catalog: its own SQLite file (WAL, one connection), searched with FTS5.

`apply` verifies a signed head and the delta leading to it, then stores the latest record of each
entry and the head, all in one transaction: a refused delta changes nothing."""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlite_utils import Database as UtilsDatabase

from content_cache._catalog import CatalogEntry, canonical_json
from content_cache._fields import CatalogError
from content_cache._head import CatalogHead, SignedHead, verify_delta, verify_head
from content_cache._index_schema import SELECT, UPSERT, entry_of, migrations, row_of

MAX_LIMIT = 1000
MAX_TERMS = 16
_TERM = re.compile(r"\w+")


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
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                held_version, held_digest = self._held()
                head = verify_head(signed, public_key, held_version=held_version, now=now)
                digest = verify_delta(held_version, held_digest, records, head)
                latest = {record.id: record for record in records}
                self._conn.executemany(UPSERT, [row_of(entry) for entry in latest.values()])
                live = self._count()
                if live != head.count:
                    raise CatalogError(f"head: count {head.count}, catalog holds {live} entries")
                self._conn.execute(
                    "UPDATE meta SET version = ?, digest = ?, head = ?",
                    [head.version, digest.hex(), canonical_json(signed.to_json()).decode()],
                )
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")
            return head

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
        source, order, clauses, params = "entries e", "e.title, e.id", ["e.deleted = 0"], []
        match = _match(text)
        if match:
            source = "entries_fts JOIN entries e ON e.doc = entries_fts.rowid"
            order = "entries_fts.rank, e.id"
            clauses.append("entries_fts MATCH ?")
            params.append(match)
        for value, clause in (
            (subject, "e.subject = ?"),
            (grade, "EXISTS (SELECT 1 FROM json_each(e.grades) WHERE value = ?)"),
            (kind, "e.kind = ?"),
        ):
            if value is not None:
                clauses.append(clause)
                params.append(value)
        where = " AND ".join(clauses)
        limit = max(1, min(limit, MAX_LIMIT))
        sql = f"SELECT {SELECT} FROM {source} WHERE {where} ORDER BY {order} LIMIT {limit}"
        with self._lock:
            rows = self._conn.execute(sql, params).fetchall()
        return [entry_of(row) for row in rows]

    def _held(self) -> tuple[int, bytes]:
        version, digest = self._conn.execute("SELECT version, digest FROM meta").fetchone()
        return int(version), bytes.fromhex(digest)

    def _count(self) -> int:
        return int(
            self._conn.execute("SELECT count(*) FROM entries WHERE deleted = 0").fetchone()[0]
        )


def _match(text: str) -> str:
    """An FTS5 query of the words of `text`, each quoted (so `AND`, `"` or `*` are only text)."""
    terms = _TERM.findall(unicodedata.normalize("NFC", text))[:MAX_TERMS]
    return " ".join('"' + term.replace('"', '""') + '"*' for term in terms)
