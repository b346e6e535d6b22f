"""`Tx`: what a write job gets. Writes to syncable tables append to the change log in the same
transaction, with one hybrid-clock timestamp per job: the change log holds, per row, which fields
changed, to what, when, and what the box had pulled then — all that a per-field merge needs."""

from __future__ import annotations

import functools
import json
import re
import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

from edge.db._connect import Row
from edge.db._schema import SYNCABLE
from sync import HybridClock, Timestamp, uuid7

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


class NotFound(LookupError):
    """The row to change does not exist (or is deleted)."""


def _ident(name: str) -> str:
    if not _IDENTIFIER.match(name):
        raise ValueError(f"not a safe SQL identifier: {name!r}")
    return name


@functools.lru_cache(maxsize=256)
def _insert_sql(table: str, columns: tuple[str, ...]) -> str:
    """Built (and its names checked) once per shape: inserts are the diary's hot path."""
    names = ", ".join(_ident(c) for c in columns)
    return f"INSERT INTO {_ident(table)} ({names}) VALUES ({', '.join('?' * len(columns))})"


_LOG_CHANGE = (
    "INSERT INTO change_log (table_name, row_id, op, fields, hlc, origin, actor, cursor)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)


class Tx:
    """One write job's view of the open transaction."""

    def __init__(self, conn: sqlite3.Connection, clock: HybridClock, actor: str | None) -> None:
        self.conn = conn
        self.actor = actor
        self.clock = clock
        self._hlc: str | None = None
        self._cursor: int | None = None
        self._rows_logged: set[tuple[str, str]] = set()
        #: syncable tables this job wrote (read by the writer to version caches after commit)
        self.changed: set[str] = set()

    @property
    def hlc(self) -> str:
        if self._hlc is None:
            self._hlc = self.clock.now().encode()
        return self._hlc

    def query(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[Row]:
        return self.conn.execute(sql, params).fetchall()

    def one(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> Row | None:
        row: Row | None = self.conn.execute(sql, params).fetchone()
        return row

    def insert(self, table: str, values: Mapping[str, Any]) -> str:
        """Insert a row; syncable rows get a UUIDv7 id (unless given) and a change-log entry."""
        row = dict(values)
        if table in SYNCABLE:
            row.setdefault("id", uuid7())
        self.conn.execute(_insert_sql(table, tuple(row)), list(row.values()))
        if table in SYNCABLE:
            self._log_change(table, row["id"], "upsert", row, replaces=False)
        return str(row.get("id", ""))

    def update(self, table: str, row_id: str, values: Mapping[str, Any]) -> dict[str, Any]:
        """Change the given fields of a live row; returns (and logs) only what really changed."""
        current = self.one(f"SELECT * FROM {_ident(table)} WHERE id = ?", [row_id])
        if current is None or current.get("deleted"):
            raise NotFound(f"{table} {row_id}")
        changed = {k: v for k, v in values.items() if current[_ident(k)] != v}
        if changed:
            self._set(table, row_id, changed)
            if table in SYNCABLE:
                self._log_change(table, row_id, "upsert", changed)
        return changed

    def delete(self, table: str, row_id: str) -> None:
        """Tombstone a syncable row: it stays, marked deleted, so a late edit cannot revive it."""
        if table not in SYNCABLE:
            self.conn.execute(f"DELETE FROM {_ident(table)} WHERE id = ?", [row_id])
            return
        current = self.one(f"SELECT deleted FROM {_ident(table)} WHERE id = ?", [row_id])
        if current is None or current["deleted"]:
            raise NotFound(f"{table} {row_id}")
        self._set(table, row_id, {"deleted": 1})
        self._log_change(table, row_id, "delete", {"deleted": 1})

    def upsert(
        self, table: str, key: Mapping[str, Any], values: Mapping[str, Any]
    ) -> tuple[str, bool]:
        """Insert or update by a natural key (e.g. a OneRoster sourcedId). Returns (id, changed).

        Re-importing the same data changes nothing and logs nothing.
        """
        where = " AND ".join(f"{_ident(k)} = ?" for k in key)
        current = self.one(f"SELECT * FROM {_ident(table)} WHERE {where}", list(key.values()))
        if current is None:
            return self.insert(table, {**key, **values}), True
        wanted = dict(values)
        if current.get("deleted"):
            wanted["deleted"] = 0
        changed = {k: v for k, v in wanted.items() if current[_ident(k)] != v}
        if changed:
            self._set(table, current["id"], changed)
            if table in SYNCABLE:
                self._log_change(table, current["id"], "upsert", changed)
        return str(current["id"]), bool(changed)

    def _set(self, table: str, row_id: str, values: Mapping[str, Any]) -> None:
        assignments = ", ".join(f"{_ident(k)} = ?" for k in values)
        self.conn.execute(
            f"UPDATE {_ident(table)} SET {assignments} WHERE id = ?", [*values.values(), row_id]
        )

    def _log_change(
        self, table: str, row_id: str, op: str, fields: Mapping[str, Any], *, replaces: bool = True
    ) -> None:
        body = {k: v for k, v in fields.items() if k != "id"}
        self.changed.add(table)
        if (table, row_id) in self._rows_logged:  # two writes of a field never share a stamp
            self._hlc = self.clock.now().encode()
        self._rows_logged.add((table, row_id))
        if replaces and self.clock.newest_held.encode() >= self.hlc:
            self._stamp_above(table, row_id)
        self.conn.execute(
            _LOG_CHANGE,
            [
                table,
                row_id,
                op,
                json.dumps(body),
                self.hlc,
                self.clock.node,
                self.actor,
                self.cursor,
            ],
        )

    @property
    def cursor(self) -> int:
        """The feed position the box had pulled to: what this job's changes saw (§5)."""
        if self._cursor is None:
            row = self.one("SELECT value FROM meta WHERE key = 'pull_cursor'")
            self._cursor = 0 if row is None else int(row["value"])
        return self._cursor

    def _stamp_above(self, table: str, row_id: str) -> None:
        """The box holds a timestamp ahead of its clock (clamped from the future): stamp this
        change above the newest version of the row it overwrites (docs/sync-protocol.md §6)."""
        row = self.one(
            "SELECT max(hlc) AS hlc FROM (SELECT max(hlc) AS hlc FROM change_log"
            " WHERE table_name = ?1 AND row_id = ?2 UNION ALL SELECT max(hlc) FROM feed_log"
            " WHERE table_name = ?1 AND row_id = ?2)",
            [table, row_id],
        )
        if row is None or row["hlc"] is None or row["hlc"] < self.hlc:
            return
        newest = Timestamp.decode(row["hlc"])
        stamped = Timestamp(newest.wall_ms, newest.counter + 1, self.clock.node)
        self.clock.hold(stamped)
        self._hlc = stamped.encode()
