from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from edge.db import Database, NotFound, Tx


def new_room(number: int) -> Callable[[Tx], str]:
    return lambda tx: tx.insert("rooms", {"name": f"r{number}"})


async def test_insert_writes_row_and_change_log_in_one_transaction(db: Database) -> None:
    room_id = await db.write(lambda tx: tx.insert("rooms", {"name": "Room 12"}))
    log = await db.read(lambda c: c.execute("SELECT * FROM change_log").fetchall())
    assert [(e["table_name"], e["row_id"], e["op"]) for e in log] == [("rooms", room_id, "upsert")]
    assert json.loads(log[0]["fields"]) == {"name": "Room 12"}
    assert room_id[14] == "7", "ids are UUIDv7"


async def test_failed_job_rolls_back_alone_even_inside_a_group(db: Database) -> None:
    def bad(tx: Tx) -> None:
        tx.insert("rooms", {"name": "half-written"})
        raise ValueError("boom")

    jobs = [db.write(new_room(i)) for i in range(20)]
    results = await asyncio.gather(*jobs[:10], db.write(bad), *jobs[10:], return_exceptions=True)
    assert sum(isinstance(r, ValueError) for r in results) == 1
    names = await db.read(lambda c: [r["name"] for r in c.execute("SELECT name FROM rooms")])
    assert len(names) == 20 and "half-written" not in names
    changes = await db.read(lambda c: c.execute("SELECT count(*) AS n FROM change_log").fetchone())
    assert changes["n"] == 20


async def test_upsert_is_idempotent_and_logs_only_changed_fields(db: Database) -> None:
    key = {"sourced_id": "s1"}
    first = await db.write(lambda tx: tx.upsert("schools", key, {"name": "North"}))
    again = await db.write(lambda tx: tx.upsert("schools", key, {"name": "North"}))
    renamed = await db.write(lambda tx: tx.upsert("schools", key, {"name": "North High"}))
    assert first[1] and not again[1] and renamed[1]
    assert first[0] == again[0] == renamed[0]
    log = await db.read(
        lambda c: c.execute("SELECT fields FROM change_log ORDER BY seq").fetchall()
    )
    assert [json.loads(e["fields"]) for e in log] == [
        {"sourced_id": "s1", "name": "North"},
        {"name": "North High"},
    ]


async def test_delete_leaves_a_tombstone_logged_after_the_insert(db: Database) -> None:
    room_id = await db.write(lambda tx: tx.insert("rooms", {"name": "Lab"}))
    await db.write(lambda tx: tx.delete("rooms", room_id))
    row = await db.read(lambda c: c.execute("SELECT deleted FROM rooms").fetchone())
    assert row["deleted"] == 1
    with pytest.raises(NotFound):
        await db.write(lambda tx: tx.delete("rooms", room_id))
    log = await db.read(
        lambda c: c.execute("SELECT op, fields, hlc FROM change_log ORDER BY seq").fetchall()
    )
    assert [(e["op"], json.loads(e["fields"])) for e in log] == [
        ("upsert", {"name": "Lab"}),
        ("delete", {"deleted": 1}),
    ]
    assert log[0]["hlc"] < log[1]["hlc"], "the hybrid clock orders the two changes"


async def test_clock_resumes_after_restart(tmp_path: Path) -> None:
    path = tmp_path / "edge.db"
    async with Database(path) as first:
        await first.write(lambda tx: tx.insert("rooms", {"name": "A"}))
        assert first.clock is not None
        node, last = first.clock.node, first.clock.now()
    async with Database(path) as second:
        assert second.clock is not None
        assert second.clock.node == node
        assert second.clock.now() > last


async def test_reads_are_read_only(db: Database) -> None:
    with pytest.raises(sqlite3.OperationalError):
        await db.read(lambda c: c.execute("INSERT INTO rooms (id, name) VALUES ('x', 'y')"))


async def test_database_is_wal_and_durable(db: Database) -> None:
    mode = await db.read(lambda c: c.execute("PRAGMA journal_mode").fetchone())
    assert mode["journal_mode"] == "wal"
    sync = await db.write(lambda tx: tx.one("PRAGMA synchronous"))
    assert sync is not None and sync["synchronous"] == 2  # FULL


async def test_change_log_sequence_has_no_gaps_when_jobs_fail(db: Database) -> None:
    """Push numbers a box's changes 1, 2, 3 … without gaps (docs/sync-protocol.md §7)."""

    def failing(tx: Tx) -> None:
        tx.insert("rooms", {"name": "doomed"})
        raise ValueError("rolled back with its savepoint")

    jobs = [db.write(failing if n % 3 == 0 else new_room(n)) for n in range(30)]
    await asyncio.gather(*jobs, return_exceptions=True)
    seqs = await db.read(lambda c: [r["seq"] for r in c.execute("SELECT seq FROM change_log")])
    assert seqs == list(range(1, len(seqs) + 1)) and len(seqs) == 20
