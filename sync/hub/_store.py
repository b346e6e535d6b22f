"""The hub's store: SQLite, one connection, writes serialized by a lock and run off the event
loop by the caller. Every push is one transaction (docs/sync-protocol.md §7)."""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sync._merge import Write, merge
from sync._wire import Batch, Change, FeedEntry, FeedPage
from sync.hub._schema import SCHEMA

TOKEN_SECONDS = 24 * 3600


class HubError(Exception):
    """A request the hub refuses; `code` is the JSON error code, `status` the HTTP status."""

    def __init__(self, status: int, code: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail, self.extra = status, code, detail, extra


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
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode = WAL")
        self._conn.execute("PRAGMA synchronous = FULL")
        self._lock = threading.Lock()
        for statement in SCHEMA:
            self._conn.execute(statement)

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
        token = secrets.token_urlsafe(24)
        with self._transaction() as conn:
            if conn.execute("SELECT 1 FROM schools WHERE id = ?", [school_id]).fetchone() is None:
                raise HubError(404, "not_found", f"no school {school_id!r}")
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
            feed_seq = _feed_length(conn, box.school_id)
            for offset, change in enumerate(fresh):
                feed_seq += 1
                node_seq = max(applied + 1, batch.first) + offset
                _accept(conn, box.school_id, box.node, node_seq, feed_seq, change, now)
            if batch.last > applied:
                conn.execute(
                    "UPDATE boxes SET applied_through = ? WHERE id = ?", [batch.last, box.id]
                )
            through = max(applied, batch.last)
            position = conn.execute(
                "SELECT feed_seq FROM feed WHERE school_id = ? AND node = ? AND node_seq = ?",
                [box.school_id, box.node, through],
            ).fetchone()
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


def _feed_length(conn: sqlite3.Connection, school_id: str) -> int:
    row = conn.execute(
        "SELECT coalesce(max(feed_seq), 0) FROM feed WHERE school_id = ?", [school_id]
    ).fetchone()
    return int(row[0])


def _accept(
    conn: sqlite3.Connection,
    school: str,
    node: str,
    node_seq: int,
    feed_seq: int,
    change: Change,
    now: int,
) -> None:
    conn.execute(
        "INSERT INTO feed (school_id, feed_seq, node, node_seq, table_name, row_id, op, hlc,"
        " cursor, fields) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            school,
            feed_seq,
            node,
            node_seq,
            change.table,
            change.row,
            change.op,
            change.hlc,
            change.cursor,
            json.dumps(change.fields, separators=(",", ":")),
        ],
    )
    for field, value in change.fields.items():
        incoming = Write(
            change.table,
            change.row,
            field,
            value,
            change.hlc,
            node,
            node_seq,
            change.cursor,
            feed_seq,
        )
        _merge_field(conn, school, incoming, now)


def _merge_field(conn: sqlite3.Connection, school: str, incoming: Write, now: int) -> None:
    key = [school, incoming.table, incoming.row, incoming.field]
    row = conn.execute(
        "SELECT value, hlc, node, node_seq, cursor, feed_seq FROM field_versions"
        " WHERE school_id = ? AND table_name = ? AND row_id = ? AND field = ?",
        key,
    ).fetchone()
    current = (
        None
        if row is None
        else Write(incoming.table, incoming.row, incoming.field, json.loads(row[0]), *row[1:])
    )
    outcome = merge(current, incoming)
    if outcome.keep is incoming:
        conn.execute(
            "INSERT OR REPLACE INTO field_versions (school_id, table_name, row_id, field, value,"
            " hlc, node, node_seq, cursor, feed_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                *key,
                json.dumps(incoming.value),
                incoming.hlc,
                incoming.node,
                incoming.node_seq,
                incoming.cursor,
                incoming.feed_seq,
            ],
        )
    if outcome.conflict is not None:
        loser, winner = outcome.conflict.loser, outcome.conflict.winner
        conn.execute(
            "INSERT INTO conflicts (school_id, table_name, row_id, field, losing_value,"
            " losing_hlc, losing_node, winning_hlc, winning_node, detected_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [*key, json.dumps(loser.value), loser.hlc, loser.node, winner.hlc, winner.node, now],
        )


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
