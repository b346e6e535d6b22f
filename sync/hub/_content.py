"""The hub's content catalog: an append-only log of entries (docs/catalog-format.md), its running
digest and live count kept in meta so a head costs O(1), and the blobs the entries name."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from content_cache import (
    ZERO_DIGEST,
    CatalogEntry,
    CatalogError,
    CatalogHead,
    canonical,
    chain,
    entry_from_json,
    entry_to_json,
)
from sync.hub._content_blobs import blob_path, store_blob
from sync.hub._errors import HubError
from sync.hub._store import HubStore

_HEAD_KEY = "catalog_head"  # meta: {"version", "count", "digest"} of the log as written


class HubCatalog:
    """The log lives in the hub's SQLite file (one transaction per call, under the store's
    lock); blobs under `<data_dir>/blobs/ab/cd/<sha256>`."""

    def __init__(self, store: HubStore, data_dir: Path) -> None:
        self._store, self.blobs_dir = store, data_dir / "blobs"

    def publish(self, entries: Iterable[CatalogEntry]) -> list[CatalogEntry]:
        """Append each entry (its `version` is ignored) as the next version; an entry equal to
        its latest record but for `version` is skipped. Returns the records written."""
        written: list[CatalogEntry] = []
        with self._store._transaction() as conn:
            version, count, digest = _head(conn)
            for entry in entries:
                latest = _latest(conn, entry.id)
                if latest and dataclasses.replace(latest, version=entry.version) == entry:
                    continue  # unchanged material adds nothing
                version += 1
                record = _checked(conn, dataclasses.replace(entry, version=version))
                count += (not record.deleted) - (latest is not None and not latest.deleted)
                digest = chain(digest, record)
                conn.execute(
                    "INSERT INTO catalog_log (version, id, record) VALUES (?, ?, ?)",
                    [version, record.id, canonical(record).decode()],
                )
                written.append(record)
            head = {"version": version, "count": count, "digest": digest.hex()}
            conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [_HEAD_KEY, json.dumps(head)],
            )
        return written

    def delete(self, entry_id: str) -> CatalogEntry | None:
        """Write a tombstone for `entry_id`; None if it is deleted already, 404 if unknown."""
        with self._store._transaction() as conn:
            latest = _latest(conn, entry_id)
        if latest is None:
            raise HubError(404, "not_found", f"no catalog entry {entry_id!r}")
        written = self.publish([dataclasses.replace(latest, deleted=True)])
        return written[0] if written else None

    def head(self, now: int, ttl_seconds: int) -> CatalogHead:
        with self._store._transaction() as conn:
            version, count, digest = _head(conn)
        return CatalogHead(version, count, digest.hex(), now + ttl_seconds)

    def records(self, since: int, limit: int) -> list[CatalogEntry]:
        """The log's records with version > `since`, in order, at most `limit` of them."""
        with self._store._transaction() as conn:
            return _records(conn, since, limit)

    def delta(
        self, since: int, limit: int, now: int, ttl_seconds: int
    ) -> tuple[CatalogHead, list[str]]:
        """The head and the records after `since` (their canonical JSON, as stored), read
        together; 409 past the head."""
        with self._store._transaction() as conn:
            version, count, digest = _head(conn)
            if since > version:
                raise HubError(
                    409, "ahead_of_hub", f"since {since} is past the catalog's version {version}"
                )
            rows = conn.execute(
                "SELECT record FROM catalog_log WHERE version > ? ORDER BY version LIMIT ?",
                [since, limit],
            ).fetchall()
        return CatalogHead(version, count, digest.hex(), now + ttl_seconds), [r[0] for r in rows]

    def latest(self) -> list[CatalogEntry]:
        """The latest record of every entry (tombstones included), by id."""
        with self._store._transaction() as conn:
            rows = conn.execute(
                "SELECT record FROM catalog_log WHERE version IN"
                " (SELECT max(version) FROM catalog_log GROUP BY id) ORDER BY id"
            ).fetchall()
        return [entry_from_json(json.loads(row[0])) for row in rows]

    def add_blob(self, path: Path) -> tuple[str, int]:
        """Copy a file into the blob store (temp, fsync, rename); its sha256 and size."""
        sha256, size = store_blob(path, self.blobs_dir)
        with self._store._transaction() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO content_blobs (sha256, size) VALUES (?, ?)", [sha256, size]
            )
        return sha256, size

    def blob(self, sha256: str) -> Path | None:
        path = blob_path(self.blobs_dir, sha256)
        return path if path.is_file() else None


def _head(conn: sqlite3.Connection) -> tuple[int, int, bytes]:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", [_HEAD_KEY]).fetchone()
    if row is None:
        return 0, 0, ZERO_DIGEST
    head = json.loads(row[0])
    return int(head["version"]), int(head["count"]), bytes.fromhex(head["digest"])


def _latest(conn: sqlite3.Connection, entry_id: str) -> CatalogEntry | None:
    row = conn.execute(
        "SELECT record FROM catalog_log WHERE id = ? ORDER BY version DESC LIMIT 1", [entry_id]
    ).fetchone()
    return None if row is None else entry_from_json(json.loads(row[0]))


def _records(conn: sqlite3.Connection, since: int, limit: int) -> list[CatalogEntry]:
    rows = conn.execute(
        "SELECT record FROM catalog_log WHERE version > ? ORDER BY version LIMIT ?", [since, limit]
    ).fetchall()
    return [entry_from_json(json.loads(row[0])) for row in rows]


def _checked(conn: sqlite3.Connection, record: CatalogEntry) -> CatalogEntry:
    """The record as a box will decode it, its files stored blobs; else 400 saying why."""
    try:
        checked = entry_from_json(entry_to_json(record))
    except CatalogError as err:
        raise HubError(400, "bad_entry", f"{record.id!r}: {err}") from err
    for file in record.files:
        row = conn.execute("SELECT size FROM content_blobs WHERE sha256 = ?", [file.sha256])
        if row.fetchone() != (file.size,):
            raise HubError(400, "unknown_blob", f"{record.id!r}: {file.path} is not a stored blob")
    return checked
