"""Applying a pulled feed page on the box, as one write job (docs/sync-protocol.md §5, §6, §8).

In order: learn the feed positions of the box's own changes from the page's gaps; load the
versions held of the rows the page touches; merge each entry field by field — a row of which
no version is held takes every field of its change, with no merge to do; write the winning
fields to the diary tables (rows of one shape in one `executemany`); keep every entry in
`feed_log`; log the conflicts; store the new cursor. The writer commits all of it together, so
a crash leaves either the whole page applied with its cursor, or none of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from edge.db import Tx
from edge.db._schema import SYNCABLE
from edge.hubsync import _logs
from edge.hubsync._enroll import SyncError
from edge.hubsync._positions import learn_own_positions, read_position, store_position
from edge.hubsync._rows import RowWriter
from edge.hubsync._versions import Versions
from sync import Timestamp
from sync._merge import field_writes, merge
from sync._wire import FeedEntry, FeedPage


@dataclass
class Applied:
    entries: int = 0
    own: int = 0  #: own changes whose feed position the page told
    conflicts: int = 0
    refused: int = 0
    cursor: int = 0


def apply_page(tx: Tx, page: FeedPage, node: str) -> Applied:
    position = read_position(tx.conn)
    if page.since > position.cursor:
        raise SyncError(f"the hub sent changes after {page.since}; this box has {position.cursor}")
    if page.next <= position.cursor:
        return Applied(cursor=position.cursor)
    fresh = [entry for entry in page.entries if entry.feed_seq > position.cursor]
    _check(fresh, page, node)
    own = learn_own_positions(tx.conn, position, page.next, {e.feed_seq for e in fresh})
    report = Applied(len(fresh), own, cursor=page.next)
    if fresh:
        _merge_entries(tx, fresh, node, report)
    store_position(tx.conn, page.next, position.own_positioned + own)
    return report


def _check(fresh: list[FeedEntry], page: FeedPage, node: str) -> None:
    previous = page.since
    for entry in fresh:
        if entry.feed_seq <= previous or entry.feed_seq > page.next or entry.node == node:
            raise SyncError(f"the hub sent an inconsistent page at feed position {entry.feed_seq}")
        previous = entry.feed_seq


def _merge_entries(tx: Tx, fresh: list[FeedEntry], node: str, report: Applied) -> None:
    now = datetime.now(UTC).isoformat(timespec="milliseconds")
    versions = Versions(node)
    versions.load(tx.conn, _rows_by_table(fresh))
    writer = RowWriter(tx, versions.existing.keys())
    conflicts: list[_logs.Logged] = []
    for entry in fresh:
        change = entry.change
        key = (change.table, change.row)
        if change.table not in SYNCABLE:
            conflicts += _logs.refused(entry, list(change.fields), f"no table {key[0]!r}", now)
        elif versions.is_new(key):  # most pulled changes make rows: all their fields win
            versions.remember_new(key, entry)
            writer.create(key, entry)
        elif winners := _merge_fields(entry, versions, conflicts, now):
            writer.write(key, entry, winners)
    refused: set[tuple[str, str, str]] = set()
    for entry, fields, why in writer.flush():
        conflicts += _logs.refused(entry, fields, why, now)
        refused.update((entry.change.table, entry.change.row, name) for name in fields)
    _logs.keep(tx, fresh, refused)
    _logs.log_conflicts(tx, conflicts)
    report.conflicts = sum(1 for c in conflicts if c[0] == "concurrent")
    report.refused = len(conflicts) - report.conflicts
    tx.clock.observe(Timestamp.decode(max(e.change.hlc for e in fresh)))


def _rows_by_table(fresh: list[FeedEntry]) -> dict[str, list[str]]:
    """The rows of syncable tables the page touches, each once."""
    rows: dict[str, dict[str, None]] = {}
    for entry in fresh:
        rows.setdefault(entry.change.table, {})[entry.change.row] = None
    return {table: list(ids) for table, ids in rows.items() if table in SYNCABLE}


def _merge_fields(
    entry: FeedEntry, versions: Versions, conflicts: list[_logs.Logged], now: str
) -> dict[str, object]:
    winners: dict[str, object] = {}
    # a remote node's changes reach the feed in its own order: feed_seq orders them too
    for incoming in field_writes(entry.change, entry.node, entry.feed_seq, entry.feed_seq):
        outcome = merge(versions.get(incoming.key), incoming)
        if outcome.keep is incoming:
            versions.put(incoming)
            winners[incoming.field] = incoming.value
        if outcome.conflict is not None:
            conflicts.append(_logs.concurrent(outcome.conflict, now))
    return winners
