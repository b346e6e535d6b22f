"""What applying a page leaves besides the diary rows (docs/sync-protocol.md §6, §8): every
pulled change in `feed_log`, and the values that lost a concurrent write or that the box's
schema refused in `sync_conflicts`."""

from __future__ import annotations

import json

from edge.db import Tx
from edge.db._bulk import insert_rows
from sync._merge import Conflict
from sync._wire import FeedEntry

_FEED_LOG = ("table_name", "row_id", "feed_seq", "node", "op", "hlc", "cursor", "fields")
Logged = list[object]  #: a `sync_conflicts` row, as its columns


def keep(tx: Tx, fresh: list[FeedEntry], refused: set[tuple[str, str, str]]) -> None:
    """Each pulled change's place, clock, cursor and the fields it wrote (their values are in
    the diary tables; refused ones are left out, being nowhere but in the conflict log)."""
    rows = [
        (c.table, c.row, e.feed_seq, e.node, c.op, c.hlc, c.cursor, ",".join(c.fields))
        for e in fresh
        for c in (e.change,)
    ]
    if refused:
        touched = {(table, row) for table, row, _ in refused}
        for at, (table, row, seq, node, op, hlc, cursor, _) in enumerate(rows):
            if (table, row) in touched:
                names = [f for f in fresh[at].change.fields if (table, row, f) not in refused]
                rows[at] = (table, row, seq, node, op, hlc, cursor, ",".join(names))
    insert_rows(tx.conn, "feed_log", _FEED_LOG, rows)


def concurrent(conflict: Conflict, now: str) -> Logged:
    """A value that lost to a write that had not seen it."""
    loser, winner = conflict.loser, conflict.winner
    return [
        "concurrent", loser.table, loser.row, loser.field, json.dumps(loser.value), loser.hlc,
        loser.node, json.dumps(winner.value), winner.hlc, winner.node, "", now,
    ]  # fmt: skip


def refused(entry: FeedEntry, fields: list[str], why: str, now: str) -> list[Logged]:
    """Pulled values the box's schema would not take: kept in the conflict log, not lost."""
    c = entry.change
    lost = [(name, json.dumps(c.fields.get(name))) for name in fields]
    return [
        ["refused", c.table, c.row, name, value, c.hlc, entry.node, None, None, None, why, now]
        for name, value in lost
    ]


def log_conflicts(tx: Tx, conflicts: list[Logged]) -> None:
    tx.conn.executemany(
        "INSERT INTO sync_conflicts (reason, table_name, row_id, field, losing_value,"
        " losing_hlc, losing_node, winning_value, winning_hlc, winning_node, detail,"
        " detected_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        conflicts,
    )
