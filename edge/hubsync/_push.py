"""Push: the box's change log to the hub, in signed batches, exactly once (protocol §4, §7).

The box has pulled nothing yet (pull is the next step of the sync work), so every change's
`cursor` is 0, which is exactly what the box had seen of the school feed."""

from __future__ import annotations

import email.utils
import functools
import json
import sqlite3
import time
from dataclasses import dataclass

import aiohttp
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from edge.db import Database, Tx
from edge.hubsync._enroll import Enrollment, SyncError
from edge.keys import PRIVATE_NAME, load_private_key
from edge.settings import Settings
from sync import sign_request
from sync._wire import Batch, Change, encode_batch

BATCH = 5000
PUSHED = "pushed_through"


@dataclass
class PushReport:
    batches: int = 0
    changes: int = 0
    bytes_sent: int = 0
    applied_through: int = 0


async def push(db: Database, settings: Settings, who: Enrollment) -> PushReport:
    """Send every change the hub has not acknowledged; returns what was sent."""
    key = load_private_key(settings.keys_dir / PRIVATE_NAME)
    report = PushReport(applied_through=await db.read(_pushed_through))
    path = f"/v1/schools/{who.school_id}/push"
    async with aiohttp.ClientSession(who.hub_url, timeout=aiohttp.ClientTimeout(total=120)) as http:
        while True:
            changes = await db.read(lambda conn: _pending(conn, report.applied_through))
            if not changes:
                return report
            first = report.applied_through + 1
            body = encode_batch(Batch(who.box_id, who.node, first, changes))
            ack = await _send(http, db, key, who, path, body)
            report.batches += 1
            report.changes += max(0, ack - report.applied_through)
            report.bytes_sent += len(body)
            report.applied_through = ack
            await db.write(functools.partial(_remember, applied_through=ack))


async def _send(
    http: aiohttp.ClientSession,
    db: Database,
    key: Ed25519PrivateKey,
    who: Enrollment,
    path: str,
    body: bytes,
) -> int:
    """POST a batch; on a clock-skew refusal, learn the offset from the hub's Date and retry."""
    assert db.clock is not None
    for attempt in range(2):
        created = int(time.time() + db.clock.offset_ms / 1000)
        headers = sign_request(key, who.key_id, "POST", path, body, created)
        try:
            async with http.post(path, data=body, headers=headers) as answer:
                found = await answer.json(content_type=None)
                if answer.status == 200 or (answer.status == 409 and found.get("error") == "gap"):
                    return int(found["applied_through"])
                if answer.status == 401 and found.get("error") == "clock_skew" and not attempt:
                    db.clock.offset_ms = _offset_ms(answer.headers.get("Date"))
                    continue
                raise SyncError(f"the hub refused the batch: {answer.status} {found}")
        except (aiohttp.ClientError, TimeoutError, ValueError) as err:
            raise SyncError(f"cannot reach the hub at {who.hub_url}: {err}") from err
    raise SyncError("the hub keeps refusing our clock")


def _offset_ms(date: str | None) -> int:
    if not date:
        raise SyncError("the hub refused our clock and sent no Date")
    hub = email.utils.parsedate_to_datetime(date).timestamp()
    return int((hub - time.time()) * 1000)


def _pushed_through(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", [PUSHED]).fetchone()
    return 0 if row is None else int(row["value"])


def _pending(conn: sqlite3.Connection, after: int) -> list[Change]:
    rows = conn.execute(
        "SELECT table_name, row_id, op, hlc, fields FROM change_log WHERE seq > ?"
        " ORDER BY seq LIMIT ?",
        [after, BATCH],
    ).fetchall()
    return [
        Change(r["table_name"], r["row_id"], r["op"], r["hlc"], 0, json.loads(r["fields"]))
        for r in rows
    ]


def _remember(tx: Tx, applied_through: int) -> None:
    tx.conn.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", [PUSHED, str(applied_through)]
    )
