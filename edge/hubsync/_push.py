"""Push: the box's change log to the hub, in signed batches, exactly once (protocol §4, §7)."""

from __future__ import annotations

import functools
import json
import sqlite3
from dataclasses import dataclass

from edge.db import Database, Tx
from edge.hubsync._enroll import SyncError
from edge.hubsync._http import HubClient
from sync._wire import Batch, Change, encode_batch

BATCH = 5000
PUSHED = "pushed_through"


@dataclass
class PushReport:
    batches: int = 0
    changes: int = 0
    bytes_sent: int = 0
    applied_through: int = 0


async def push(db: Database, hub: HubClient) -> PushReport:
    """Send every change the hub has not acknowledged; returns what was sent."""
    who = hub.who
    report = PushReport(applied_through=await db.read(pushed_through))
    path = f"/v1/schools/{who.school_id}/push"
    while True:
        changes = await db.read(lambda conn: _pending(conn, report.applied_through))
        if not changes:
            return report
        body = encode_batch(Batch(who.box_id, who.node, report.applied_through + 1, changes))
        status, answer = await hub.request("POST", path, body)
        ack = _acknowledged(status, answer)
        report.batches += 1
        report.changes += max(0, ack - report.applied_through)
        report.bytes_sent += len(body)
        report.applied_through = ack
        await db.write(functools.partial(_remember, applied_through=ack))


def _acknowledged(status: int, answer: bytes) -> int:
    """The hub's applied_through: from a 200, or from a 409 gap (we resend from there)."""
    try:
        found = json.loads(answer)
        if status == 200 or (status == 409 and found.get("error") == "gap"):
            return int(found["applied_through"])
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        raise SyncError(f"the hub answered a push with {status} and no usable body") from err
    raise SyncError(f"the hub refused the batch: {status} {found}")


def pushed_through(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", [PUSHED]).fetchone()
    return 0 if row is None else int(row["value"])


def _pending(conn: sqlite3.Connection, after: int) -> list[Change]:
    rows = conn.execute(
        "SELECT table_name, row_id, op, hlc, cursor, fields FROM change_log WHERE seq > ?"
        " ORDER BY seq LIMIT ?",
        [after, BATCH],
    ).fetchall()
    return [
        Change(
            r["table_name"], r["row_id"], r["op"], r["hlc"], r["cursor"], json.loads(r["fields"])
        )
        for r in rows
    ]


def _remember(tx: Tx, applied_through: int) -> None:
    tx.conn.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", [PUSHED, str(applied_through)]
    )
