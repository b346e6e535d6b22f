"""Appending to a school's feed: one accepted change, its per-field merge (docs/sync-protocol.md
§6) with the conflict log, and what the hub derives from it (the parents' presence feed).

Every function runs inside the caller's transaction, on its connection."""

from __future__ import annotations

import json
import sqlite3

from sync._merge import Write, field_writes, merge
from sync._wire import Change
from sync.hub import _presence


def feed_length(conn: sqlite3.Connection, school_id: str) -> int:
    row = conn.execute(
        "SELECT coalesce(max(feed_seq), 0) FROM feed WHERE school_id = ?", [school_id]
    ).fetchone()
    return int(row[0])


def current(
    conn: sqlite3.Connection, school: str, table: str, row: str, field: str
) -> Write | None:
    """The version of a field the hub holds now, if any."""
    found = conn.execute(
        "SELECT value, hlc, node, node_seq, cursor, feed_seq FROM field_versions"
        " WHERE school_id = ? AND table_name = ? AND row_id = ? AND field = ?",
        [school, table, row, field],
    ).fetchone()
    return None if found is None else Write(table, row, field, json.loads(found[0]), *found[1:])


def accept(
    conn: sqlite3.Connection,
    school: str,
    node: str,
    node_seq: int,
    feed_seq: int,
    change: Change,
    now: int,
) -> None:
    """Append `change` at `feed_seq` and merge each of its fields."""
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
    for incoming in field_writes(change, node, node_seq, feed_seq):
        _merge_field(conn, school, incoming, now)
    if change.table == _presence.TABLE:
        _presence.record(conn, school, change)


def _merge_field(conn: sqlite3.Connection, school: str, incoming: Write, now: int) -> None:
    key = [school, incoming.table, incoming.row, incoming.field]
    outcome = merge(current(conn, *key), incoming)
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
