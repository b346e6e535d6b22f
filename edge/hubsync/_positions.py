"""Where the box stands in its school's feed: the cursor it has applied up to, and how many of
its own changes it knows the feed positions of (docs/sync-protocol.md §5, §8).

Both live in `meta` and change only in the job that applies a page, with the page itself.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from edge.hubsync._enroll import SyncError

CURSOR = "pull_cursor"
OWN_POSITIONED = "own_positioned"


@dataclass(frozen=True)
class Position:
    cursor: int  #: the feed position applied up to
    own_positioned: int  #: own changes 1 … this have known feed positions, all ≤ cursor


def read_position(conn: sqlite3.Connection) -> Position:
    rows = conn.execute(
        "SELECT key, value FROM meta WHERE key IN (?, ?)", [CURSOR, OWN_POSITIONED]
    ).fetchall()
    found = {row["key"]: int(row["value"]) for row in rows}
    return Position(found.get(CURSOR, 0), found.get(OWN_POSITIONED, 0))


def store_position(conn: sqlite3.Connection, cursor: int, own_positioned: int) -> None:
    conn.executemany(
        "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
        [(CURSOR, str(cursor)), (OWN_POSITIONED, str(own_positioned))],
    )


def learn_own_positions(
    conn: sqlite3.Connection, position: Position, until: int, listed: set[int]
) -> int:
    """Record the feed positions of own changes: the positions `cursor + 1 … until` a page
    leaves out, in sequence order. Returns how many there were."""
    gaps = [at for at in range(position.cursor + 1, until + 1) if at not in listed]
    if not gaps:
        return 0
    first = position.own_positioned + 1
    written = conn.execute("SELECT coalesce(max(seq), 0) AS n FROM change_log").fetchone()["n"]
    if first + len(gaps) - 1 > written:
        raise SyncError(
            f"the hub holds {first + len(gaps) - 1} changes from this box, which wrote only"
            f" {written}: was its database restored from an older copy?"
        )
    for start, index, length in _runs(gaps):
        seq = first + index
        conn.execute(
            "UPDATE change_log SET feed_seq = seq + ? WHERE seq BETWEEN ? AND ?",
            [start - seq, seq, seq + length - 1],
        )
    return len(gaps)


def _runs(positions: list[int]) -> list[tuple[int, int, int]]:
    """Consecutive positions as (first, its index, length): one UPDATE per run, not per change."""
    runs: list[tuple[int, int, int]] = []
    for index, at in enumerate(positions):
        if runs and runs[-1][0] + runs[-1][2] == at:
            runs[-1] = (runs[-1][0], runs[-1][1], runs[-1][2] + 1)
        else:
            runs.append((at, index, 1))
    return runs
