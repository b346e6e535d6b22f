"""The hub's store: SQLite, one connection, writes serialized by a lock and run off the event
loop by the caller. Every push is one transaction (docs/sync-protocol.md §7)."""

from __future__ import annotations

import hashlib
import json
import math
import re
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sync._clock import HybridClock, Timestamp
from sync._merge import Value, stamp
from sync._wire import Batch, Change, FeedEntry, FeedPage
from sync.hub import _presence
from sync.hub._errors import HubError as HubError
from sync.hub._feed import accept, current, feed_length
from sync.hub._schema import SCHEMA, SYNCABLE_TABLES

TOKEN_SECONDS = 24 * 3600
BUSY_TIMEOUT_MS = 5000  # the CLI writes while `edge-hub run` serves from the same file
_FIELD_NAME = re.compile(r"[a-z_][a-z0-9_]*")


@dataclass(frozen=True)
class Box:
    id: str
    school_id: str
    key_id: str
    public_key: bytes
    node: str
    applied_through: int


def key_id_for(public_key: bytes) -> str:
    return "box-" + hashlib.sha256(public_key).hexdigest()[:16]


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class HubStore:
    """The hub's data, and the hub as a node (§1): `node` and `clock` stamp central edits."""

    def __init__(self, path: Path, wall: Callable[[], float] = time.time) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        self._conn.execute("PRAGMA journal_mode = WAL")
        self._conn.execute("PRAGMA synchronous = FULL")
        self._lock = threading.Lock()
        for statement in SCHEMA:
            self._conn.execute(statement)
        self.node = self.meta("node", lambda: secrets.token_hex(8))
        with self._transaction() as conn:
            # per school, so that the feed_once index answers without a scan of the feed
            newest = conn.execute(
                "SELECT max((SELECT max(hlc) FROM feed INDEXED BY feed_once"
                " WHERE school_id = schools.id AND node = ?)) FROM schools",
                [self.node],
            ).fetchone()[0]
        last = Timestamp.decode(newest) if newest else None
        self.clock = HybridClock(self.node, last=last, wall=wall)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def _transaction(self) -> _Transaction:
        return _Transaction(self._conn, self._lock)

    def meta(self, key: str, make: Any) -> str:
        """A value kept forever once made (the hub's node id, its content key)."""
        with self._transaction() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
            if row is not None:
                return str(row[0])
            value = str(make())
            conn.execute("INSERT INTO meta (key, value) VALUES (?, ?)", [key, value])
            return value

    def add_school(self, school_id: str, name: str) -> None:
        with self._transaction() as conn:
            conn.execute("INSERT INTO schools (id, name) VALUES (?, ?)", [school_id, name])

    def schools(self) -> list[tuple[str, str]]:
        with self._transaction() as conn:
            return [(r[0], r[1]) for r in conn.execute("SELECT id, name FROM schools ORDER BY id")]

    def new_token(self, school_id: str, now: int) -> str:
        # hex: an IT technician types it as a command-line argument, where a leading '-' of
        # the base64url alphabet would read as an option
        token = secrets.token_hex(24)
        with self._transaction() as conn:
            _known_school(conn, school_id)
            conn.execute(
                "INSERT INTO tokens (digest, school_id, expires_at) VALUES (?, ?, ?)",
                [_digest(token), school_id, now + TOKEN_SECONDS],
            )
        return token

    def enroll(self, token: str, public_key: bytes, name: str, node: str, now: int) -> Box:
        """Register a box's key with a one-time token, in one transaction with its use."""
        with self._transaction() as conn:
            row = conn.execute(
                "SELECT school_id FROM tokens WHERE digest = ? AND used_at IS NULL"
                " AND expires_at > ?",
                [_digest(token), now],
            ).fetchone()
            if row is None:
                raise HubError(401, "bad_token", "the token is unknown, used or expired")
            if node == self.node:
                raise HubError(409, "node_taken", "that node id is the hub's own")
            key_id = key_id_for(public_key)
            if conn.execute("SELECT 1 FROM boxes WHERE key_id = ?", [key_id]).fetchone():
                raise HubError(409, "already_enrolled", "this key is enrolled already")
            box = Box(secrets.token_hex(8), row[0], key_id, public_key, node, 0)
            conn.execute("UPDATE tokens SET used_at = ? WHERE digest = ?", [now, _digest(token)])
            conn.execute(
                "INSERT INTO boxes (id, school_id, key_id, public_key, node, name, enrolled_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                [box.id, box.school_id, key_id, public_key, node, name, now],
            )
        return box

    def box(self, key_id: str) -> Box | None:
        with self._transaction() as conn:
            row = conn.execute(
                "SELECT id, school_id, key_id, public_key, node, applied_through FROM boxes"
                " WHERE key_id = ?",
                [key_id],
            ).fetchone()
        return None if row is None else Box(*row)

    def push(self, box: Box, batch: Batch, now: int) -> dict[str, int]:
        """Apply a batch exactly once (§7); returns the acknowledgement."""
        if batch.box != box.id or batch.node != box.node:
            raise HubError(403, "forbidden", "the batch names another box")
        with self._transaction() as conn:
            applied = conn.execute(
                "SELECT applied_through FROM boxes WHERE id = ?", [box.id]
            ).fetchone()[0]
            if batch.first > applied + 1:
                raise HubError(409, "gap", f"send from {applied + 1}", applied_through=applied)
            fresh = batch.changes[max(0, applied + 1 - batch.first) :]
            feed_seq = feed_length(conn, box.school_id)
            for offset, change in enumerate(fresh):
                feed_seq += 1
                node_seq = max(applied + 1, batch.first) + offset
                accept(conn, box.school_id, box.node, node_seq, feed_seq, change, now)
            if batch.last > applied:
                conn.execute(
                    "UPDATE boxes SET applied_through = ? WHERE id = ?", [batch.last, box.id]
                )
            through = max(applied, batch.last)
            position = conn.execute(
                "SELECT feed_seq FROM feed WHERE school_id = ? AND node = ? AND node_seq = ?",
                [box.school_id, box.node, through],
            ).fetchone()
        if batch.changes:  # §2: our clock moves past what we receive (clamped if far ahead)
            self.clock.observe(max(Timestamp.decode(change.hlc) for change in batch.changes))
        # a function of what was applied, so a replay gets the very same answer
        return {"applied_through": through, "feed_seq": position[0] if position else 0}

    def page(self, school_id: str, since: int, limit: int, exclude_node: str) -> FeedPage:
        with self._transaction() as conn:
            rows = conn.execute(
                "SELECT feed_seq, node, table_name, row_id, op, hlc, cursor, fields FROM feed"
                " WHERE school_id = ? AND feed_seq > ? ORDER BY feed_seq LIMIT ?",
                [school_id, since, limit + 1],
            ).fetchall()
        more = len(rows) > limit
        rows = rows[:limit]
        entries = [
            FeedEntry(seq, node, Change(table, row, op, hlc, cursor, json.loads(fields)))
            for seq, node, table, row, op, hlc, cursor, fields in rows
            if node != exclude_node
        ]
        next_seq = rows[-1][0] if rows else since
        return FeedPage(since, next_seq, more, entries)

    def edit(
        self, school_id: str, table: str, row: str, fields: Mapping[str, Value], now: int
    ) -> int:
        """Write a change as the hub's own node (§11); returns its place in the feed.

        It saw the whole feed (its cursor is the feed's length) and is stamped above every
        version it replaces, so it wins over them and conflicts only with what a box wrote
        without having seen it."""
        _check_edit(table, row, fields)
        deleted = fields.get("deleted")
        tombstone = len(fields) == 1 and type(deleted) is int and deleted == 1
        with self._transaction() as conn:
            _known_school(conn, school_id)
            cursor = feed_length(conn, school_id)
            node_seq, newest = conn.execute(
                "SELECT coalesce(max(node_seq), 0) + 1, max(hlc) FROM feed INDEXED BY feed_once"
                " WHERE school_id = ? AND node = ?",
                [school_id, self.node],
            ).fetchone()
            if newest:  # another process may have edited since our clock was made
                self.clock.observe(Timestamp.decode(newest))
            replaced = [current(conn, school_id, table, row, field) for field in fields]
            hlc = stamp(self.clock.now(), replaced)
            self.clock.observe(hlc)
            change = Change(
                table, row, "delete" if tombstone else "upsert", hlc.encode(), cursor, dict(fields)
            )
            accept(conn, school_id, self.node, node_seq, cursor + 1, change, now)
        return cursor + 1

    def rows(self, school_id: str, table: str) -> dict[str, dict[str, Value]]:
        """The current value of every field of every row of a table, by row id."""
        if table not in SYNCABLE_TABLES:
            raise HubError(400, "bad_request", f"{table!r} is not a syncable table")
        with self._transaction() as conn:
            _known_school(conn, school_id)
            found = conn.execute(
                "SELECT row_id, field, value FROM field_versions"
                " WHERE school_id = ? AND table_name = ? ORDER BY row_id, field",
                [school_id, table],
            ).fetchall()
        rows: dict[str, dict[str, Value]] = {}
        for row_id, field, value in found:
            rows.setdefault(row_id, {})[field] = json.loads(value)
        return rows

    def add_parent(self, school_id: str, student: str, now: int) -> str:
        """A parent's token to `student`'s entries and exits (their row id or OneRoster id);
        only its digest is kept, so this is the one time it is seen."""
        with self._transaction() as conn:
            return _presence.add_parent(conn, school_id, student, now)

    def revoke_parent(self, token: str, now: int) -> None:
        with self._transaction() as conn:
            _presence.revoke(conn, token, now)

    def presence(self, token: str, since: int, limit: int) -> dict[str, Any]:
        """The entries and exits a parent's token may read, after `since` (§12)."""
        with self._transaction() as conn:
            return _presence.events(conn, token, since, limit)


def _known_school(conn: sqlite3.Connection, school_id: str) -> None:
    if conn.execute("SELECT 1 FROM schools WHERE id = ?", [school_id]).fetchone() is None:
        raise HubError(404, "not_found", f"no school {school_id!r}")


def _check_edit(table: str, row: str, fields: Mapping[str, Value]) -> None:
    if table not in SYNCABLE_TABLES:
        raise HubError(400, "bad_request", f"{table!r} is not a syncable table")
    if not isinstance(row, str) or not row:
        raise HubError(400, "bad_request", "a row id is non-empty text")
    if not fields:
        raise HubError(400, "bad_request", "an edit writes at least one field")
    for name, value in fields.items():
        if not isinstance(name, str) or not _FIELD_NAME.fullmatch(name):
            raise HubError(400, "bad_request", f"bad field name {name!r}")
        scalar = value is None or isinstance(value, str | int | float | bool)
        if not scalar or (isinstance(value, float) and not math.isfinite(value)):
            raise HubError(400, "bad_request", f"{name}: field values are JSON scalars")


class _Transaction:
    """`with store._transaction() as conn:` — one writer at a time, BEGIN IMMEDIATE…COMMIT."""

    def __init__(self, conn: sqlite3.Connection, lock: threading.Lock) -> None:
        self._conn, self._lock = conn, lock

    def __enter__(self) -> sqlite3.Connection:
        self._lock.acquire()
        self._conn.execute("BEGIN IMMEDIATE")
        return self._conn

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        try:
            self._conn.execute("ROLLBACK" if kind else "COMMIT")
        finally:
            self._lock.release()
