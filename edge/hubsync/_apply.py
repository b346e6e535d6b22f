"""Applying a pulled feed page on the box, as one write job (docs/sync-protocol.md §5, §6, §8).

In order: learn the feed positions of the box's own changes from the page's gaps; load the
versions held of the rows the page touches; merge each entry field by field; write the winning
fields to the diary tables (gathered per row, rows of one shape in one `executemany`); keep
every entry in `feed_log`; log the conflicts; store the new cursor. The writer commits all of it
together, so a crash leaves either the whole page applied with its cursor, or none of it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from edge.db import Tx
from edge.db._schema import SYNCABLE
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
    rows = {(e.change.table, e.change.row) for e in fresh if e.change.table in SYNCABLE}
    versions = Versions(node)
    versions.load(tx.conn, rows)
    writer = RowWriter(tx, versions.existing.keys())
    conflicts: list[list[object]] = []
    for entry in fresh:
        change = entry.change
        if change.table not in SYNCABLE:
            conflicts += _refused(entry, list(change.fields), f"no table {change.table!r}", now)
        elif versions.is_new((change.table, change.row)):  # most pulled changes make rows
            versions.remember_new(entry)
            writer.write(entry, change.fields)
        elif winners := _merge_fields(entry, versions, conflicts, now):
            writer.write(entry, winners)
    refused: set[tuple[str, str, str]] = set()
    for entry, fields, why in writer.flush():
        conflicts += _refused(entry, fields, why, now)
        refused.update((entry.change.table, entry.change.row, name) for name in fields)
    _keep(tx, fresh, refused)
    tx.conn.executemany(
        "INSERT INTO sync_conflicts (reason, table_name, row_id, field, losing_value,"
        " losing_hlc, losing_node, winning_value, winning_hlc, winning_node, detail,"
        " detected_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        conflicts,
    )
    report.conflicts = sum(1 for c in conflicts if c[0] == "concurrent")
    report.refused = len(conflicts) - report.conflicts
    tx.clock.observe(Timestamp.decode(max(e.change.hlc for e in fresh)))


def _merge_fields(
    entry: FeedEntry, versions: Versions, conflicts: list[list[object]], now: str
) -> dict[str, object]:
    change = entry.change
    winners: dict[str, object] = {}
    # a remote node's changes reach the feed in its own order: feed_seq orders them too
    for incoming in field_writes(change, entry.node, entry.feed_seq, entry.feed_seq):
        name = incoming.field
        outcome = merge(versions.get(incoming.key), incoming)
        if outcome.keep is incoming:
            versions.put(incoming)
            winners[name] = incoming.value
        if outcome.conflict is not None:
            loser, winner = outcome.conflict.loser, outcome.conflict.winner
            conflicts.append(
                [
                    "concurrent",
                    change.table,
                    change.row,
                    name,
                    json.dumps(loser.value),
                    loser.hlc,
                    loser.node,
                    json.dumps(winner.value),
                    winner.hlc,
                    winner.node,
                    "",
                    now,
                ]
            )
    return winners


def _refused(entry: FeedEntry, fields: list[str], why: str, now: str) -> list[list[object]]:
    """A pulled value the box's schema would not take: kept in the conflict log, not lost."""
    change = entry.change
    return [
        [
            "refused",
            change.table,
            change.row,
            name,
            json.dumps(change.fields.get(name)),
            change.hlc,
            entry.node,
            None,
            None,
            None,
            why,
            now,
        ]
        for name in fields
    ]


def _keep(tx: Tx, fresh: list[FeedEntry], refused: set[tuple[str, str, str]]) -> None:
    """Each pulled change's place, clock, cursor and the fields it wrote (their values are in
    the diary tables; refused ones are left out, being nowhere but in the conflict log)."""
    rows = []
    for entry in fresh:
        c = entry.change
        names = ",".join(
            [f for f in c.fields if (c.table, c.row, f) not in refused] if refused else c.fields
        )
        rows.append((c.table, c.row, entry.feed_seq, entry.node, c.op, c.hlc, c.cursor, names))
    tx.conn.executemany(
        "INSERT INTO feed_log (table_name, row_id, feed_seq, node, op, hlc, cursor, fields)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
