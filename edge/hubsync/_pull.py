"""Pull: the school feed's changes since the box's cursor, a page at a time, each page applied
with its cursor in one write job (docs/sync-protocol.md §8)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from edge.db import Database
from edge.hubsync._apply import apply_page
from edge.hubsync._enroll import SyncError
from edge.hubsync._http import HubClient
from edge.hubsync._positions import read_position
from sync._wire import WireError, decode_page

PAGE = 5000


@dataclass
class PullReport:
    pages: int = 0
    entries: int = 0
    conflicts: int = 0
    refused: int = 0
    bytes_received: int = 0
    cursor: int = 0


async def pull(db: Database, hub: HubClient, *, page_size: int = PAGE) -> PullReport:
    who = hub.who
    report = PullReport(cursor=(await db.read(read_position)).cursor)
    while True:
        path = f"/v1/schools/{who.school_id}/changes?since={report.cursor}&limit={page_size}"
        status, body = await hub.request("GET", path)
        if status != 200:
            raise SyncError(f"the hub refused to send changes: {status} {body[:200]!r}")
        try:
            page = decode_page(body)
        except WireError as err:
            raise SyncError(f"the hub sent a page we cannot read: {err}") from err
        applied = await db.write(functools.partial(apply_page, page=page, node=who.node))
        report.pages += 1
        report.entries += applied.entries
        report.conflicts += applied.conflicts
        report.refused += applied.refused
        report.bytes_received += len(body)
        report.cursor = applied.cursor
        if not page.more:
            return report
