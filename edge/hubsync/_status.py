"""Where the box stands with the hub, read in one snapshot: for `edge sync status`, the API
and the metrics (docs/sync-protocol.md §10); and the conflict log, for admins."""

from __future__ import annotations

import sqlite3
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from edge.hubsync._positions import read_position
from edge.hubsync._push import pushed_through


@dataclass(frozen=True)
class SyncStatus:
    enrolled: bool
    hub_url: str
    school_id: str
    box_id: str
    last_attempt: int | None  #: Unix seconds
    last_success: int | None
    last_error: str
    written: int  #: changes this box wrote
    pushed: int  #: … of which the hub acknowledged
    pending: int
    cursor: int  #: the school feed applied up to here
    bytes_sent: int
    bytes_received: int
    clock_offset_ms: int
    conflicts: int

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ScheduleState:
    """What the sync schedule is up to (`SyncScheduler.state`)."""

    next_run: datetime | None  #: None while a round runs, or when nothing is scheduled
    failures: int  #: failed rounds in a row
    backoff_seconds: float  #: the ceiling of the current wait; 0 while the hub answers
    running: bool

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "next_run": self.next_run and self.next_run.isoformat()}


def read_status(conn: sqlite3.Connection) -> SyncStatus:
    meta = {r["key"]: r["value"] for r in conn.execute("SELECT key, value FROM meta")}
    written = conn.execute("SELECT coalesce(max(seq), 0) AS n FROM change_log").fetchone()["n"]
    conflicts = conn.execute("SELECT count(*) AS n FROM sync_conflicts").fetchone()["n"]
    pushed = pushed_through(conn)
    return SyncStatus(
        enrolled="box_id" in meta,
        hub_url=meta.get("hub_url", ""),
        school_id=meta.get("school_id", ""),
        box_id=meta.get("box_id", ""),
        last_attempt=_int_or_none(meta.get("sync_last_attempt")),
        last_success=_int_or_none(meta.get("sync_last_success")),
        last_error=meta.get("sync_last_error", ""),
        written=written,
        pushed=pushed,
        pending=written - pushed,
        cursor=read_position(conn).cursor,
        bytes_sent=int(meta.get("sync_bytes_sent", 0)),
        bytes_received=int(meta.get("sync_bytes_received", 0)),
        clock_offset_ms=int(meta.get("clock_offset_ms", 0)),
        conflicts=conflicts,
    )


def _int_or_none(value: str | None) -> int | None:
    return None if value is None else int(value)


def list_conflicts(conn: sqlite3.Connection, *, limit: int = 100, after: int = 0) -> list[Any]:
    """The conflict log, oldest first, from id `after` on: what lost, to what, and why."""
    return conn.execute(
        "SELECT id, reason, table_name, row_id, field, losing_value, losing_hlc, losing_node,"
        " winning_value, winning_hlc, winning_node, detail, detected_at FROM sync_conflicts"
        " WHERE id > ? ORDER BY id LIMIT ?",
        [after, limit],
    ).fetchall()
