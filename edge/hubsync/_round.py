"""One sync round: push, then pull (docs/sync-protocol.md §10), and what it leaves in `meta`
for `edge sync status`, the API and the metrics."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from edge.db import Database, Tx
from edge.hubsync._enroll import NotEnrolledError, SyncError, enrollment
from edge.hubsync._http import HubClient
from edge.hubsync._pull import PullReport, pull
from edge.hubsync._push import PushReport, push
from edge.settings import Settings

TIMEOUT_SECONDS = 120.0
_COUNTERS = ("bytes_sent", "bytes_received")


@dataclass
class RoundReport:
    pushed: PushReport = field(default_factory=PushReport)
    pulled: PullReport = field(default_factory=PullReport)
    bytes_sent: int = 0
    bytes_received: int = 0
    seconds: float = 0.0


async def sync_once(db: Database, settings: Settings) -> RoundReport:
    """Push what the hub lacks, then pull what the box lacks. Raises `SyncError` (and records
    it for the status) when the hub cannot be reached or refuses."""
    who = await enrollment(db)
    if who is None:
        raise NotEnrolledError("not enrolled: run `edge enroll HUB_URL TOKEN` first")
    started = time.monotonic()
    report = RoundReport()
    client = HubClient(db, settings, who, TIMEOUT_SECONDS)
    try:
        async with client:
            report.pushed = await push(db, client)
            report.pulled = await pull(db, client)
    except SyncError as err:
        why = str(err)
        await db.write(lambda tx: _record(tx, client, error=why))
        raise
    report.bytes_sent, report.bytes_received = client.bytes_sent, client.bytes_received
    report.seconds = time.monotonic() - started
    await db.write(lambda tx: _record(tx, client, error=""))
    return report


def _record(tx: Tx, client: HubClient, error: str) -> None:
    now = str(int(time.time()))
    values = {
        "sync_last_attempt": now,
        "sync_last_error": error,
        "clock_offset_ms": str(tx.clock.offset_ms),
    }
    if not error:
        values["sync_last_success"] = now
    for name, amount in zip(_COUNTERS, (client.bytes_sent, client.bytes_received), strict=True):
        row = tx.one("SELECT value FROM meta WHERE key = ?", [f"sync_{name}"])
        values[f"sync_{name}"] = str((int(row["value"]) if row else 0) + amount)
    tx.conn.executemany(
        "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", list(values.items())
    )
