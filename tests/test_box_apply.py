"""Applying pulled pages on the box (docs/sync-protocol.md §6, §8): a row first seen in a page
is created as its change came, with no merge; that shortcut must decide as the merge would."""

from __future__ import annotations

import functools
import json
import time
from typing import Any

from edge.db import Database, Tx
from edge.hubsync._apply import Applied, apply_page
from sync._wire import Change, FeedEntry, FeedPage

NOW_MS = int(time.time() * 1000)


def entry(
    at: int, row: str, fields: dict[str, Any], *, ms: int, node: str = "hubnode"
) -> FeedEntry:
    change = Change("rooms", row, "upsert", f"{ms}-000000-{node}", 0, fields)
    return FeedEntry(at, node, change)


async def apply(db: Database, since: int, *entries: FeedEntry) -> Applied:
    page = FeedPage(since, entries[-1].feed_seq, False, list(entries))
    return await db.write(functools.partial(apply_page, page=page, node="thisbox"))


async def rows(db: Database, sql: str, *params: object) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = await db.read(lambda c: c.execute(sql, params).fetchall())
    return found


async def names(db: Database) -> dict[str, str]:
    return {r["id"]: r["name"] for r in await rows(db, "SELECT id, name FROM rooms")}


async def logged(db: Database) -> list[tuple[str, str, Any, Any]]:
    found = await rows(db, "SELECT * FROM sync_conflicts ORDER BY id")
    return [
        (c["reason"], c["row_id"], json.loads(c["losing_value"]), c["winning_value"] and
         json.loads(c["winning_value"])) for c in found
    ]  # fmt: skip


async def test_new_rows_and_concurrent_local_edits_in_one_page(db: Database) -> None:
    lab = await db.write(functools.partial(Tx.insert, table="rooms", values={"name": "Lab"}))
    gym = await db.write(functools.partial(Tx.insert, table="rooms", values={"name": "Gym"}))
    now_ms = int(time.time() * 1000)  # after the local writes (a module constant ages)
    applied = await apply(
        db,
        0,
        entry(1, "r1", {"name": "Hall"}, ms=now_ms),
        entry(2, lab, {"name": "Physics lab"}, ms=now_ms + 60_000),  # later: wins
        entry(3, "r2", {"name": "Annex"}, ms=now_ms),
        entry(4, gym, {"name": "Sports hall"}, ms=now_ms - 60_000),  # earlier: loses
    )
    assert (applied.entries, applied.conflicts, applied.refused) == (4, 2, 0)
    assert await names(db) == {lab: "Physics lab", gym: "Gym", "r1": "Hall", "r2": "Annex"}
    assert await logged(db) == [
        ("concurrent", lab, "Lab", "Physics lab"),
        ("concurrent", gym, "Sports hall", "Gym"),
    ]
    kept = await rows(db, "SELECT row_id, fields FROM feed_log ORDER BY feed_seq")
    assert [(r["row_id"], r["fields"]) for r in kept] == [
        ("r1", "name"), (lab, "name"), ("r2", "name"), (gym, "name")
    ]  # fmt: skip


async def test_a_row_created_and_changed_again_in_one_page(db: Database) -> None:
    applied = await apply(
        db,
        0,
        entry(1, "r1", {"name": "A"}, ms=NOW_MS, node="boxone"),
        entry(2, "r1", {"name": "B"}, ms=NOW_MS + 1, node="boxone"),  # saw A: its own
        entry(3, "r1", {"name": "C"}, ms=NOW_MS + 2, node="boxtwo"),  # saw neither
    )
    assert (applied.conflicts, await names(db)) == (1, {"r1": "C"})
    assert await logged(db) == [("concurrent", "r1", "B", "C")]
    # the next page merges against the versions the feed log now holds
    applied = await apply(db, 3, entry(4, "r1", {"name": "D"}, ms=NOW_MS + 1, node="boxthree"))
    assert (applied.conflicts, await names(db)) == (1, {"r1": "C"})
    assert (await logged(db))[-1] == ("concurrent", "r1", "D", "C")


async def test_refused_new_rows_do_not_hold_back_the_others(db: Database) -> None:
    applied = await apply(
        db,
        0,
        entry(1, "r1", {"name": "Hall"}, ms=NOW_MS),
        entry(2, "r2", {"name": "Hall"}, ms=NOW_MS),  # a second room of that name
        entry(3, "r3", {"name": "Annex", "colour": "red"}, ms=NOW_MS),
        entry(4, "r4", {"deleted": 0}, ms=NOW_MS),  # no name
        entry(5, "r5", {"name": "Yard"}, ms=NOW_MS),
    )
    assert applied.refused == 3
    assert await names(db) == {"r1": "Hall", "r3": "Annex", "r5": "Yard"}
    refused = {(c["row_id"], c["field"]) for c in await rows(db, "SELECT * FROM sync_conflicts")}
    assert refused == {("r2", "name"), ("r3", "colour"), ("r4", "deleted")}
    kept = await rows(db, "SELECT row_id, fields FROM feed_log ORDER BY feed_seq")
    assert [r["fields"] for r in kept] == ["name", "", "name", "", "name"]
    # a refused row holds no version: a later change creates it whole
    await apply(db, 5, entry(6, "r4", {"name": "Garden"}, ms=NOW_MS - 1000))
    assert (await names(db))["r4"] == "Garden"


async def test_a_row_from_before_change_tracking_is_updated(db: Database) -> None:
    await db.write(lambda tx: tx.conn.execute("INSERT INTO rooms (id, name) VALUES ('r1', 'Old')"))
    applied = await apply(db, 0, entry(1, "r1", {"name": "New"}, ms=NOW_MS))
    assert (applied.refused, applied.conflicts, await names(db)) == (0, 0, {"r1": "New"})


async def test_a_refused_row_among_hundreds_in_one_statement(db: Database) -> None:
    made = [entry(n, f"r{n}", {"name": f"Room {n}"}, ms=NOW_MS) for n in range(1, 1001)]
    made[700] = entry(701, "r701", {"name": "Room 5"}, ms=NOW_MS)  # the name of r5
    applied = await apply(db, 0, *made)
    assert (applied.entries, applied.refused) == (1000, 1)
    rooms = await names(db)
    assert len(rooms) == 999 and "r701" not in rooms and rooms["r1000"] == "Room 1000"
    [(reason, row, value, _)] = await logged(db)
    assert (reason, row, value) == ("refused", "r701", "Room 5")


async def test_a_change_of_no_field_makes_no_row(db: Database) -> None:
    await apply(db, 0, entry(1, "r1", {}, ms=NOW_MS))
    assert await names(db) == {}
    await apply(db, 1, entry(2, "r1", {"name": "Hall"}, ms=NOW_MS + 1))
    assert await names(db) == {"r1": "Hall"}


async def test_a_refused_row_logs_each_value_with_the_change_that_brought_it(db: Database) -> None:
    await db.write(functools.partial(Tx.insert, table="rooms", values={"name": "Hall"}))
    await apply(
        db,
        0,
        entry(1, "r1", {"deleted": 0}, ms=NOW_MS),
        entry(2, "r1", {"name": "Hall"}, ms=NOW_MS + 1),  # taken: the row is refused
    )
    found = await rows(db, "SELECT field, losing_value, losing_hlc FROM sync_conflicts")
    assert sorted((c["field"], c["losing_value"], c["losing_hlc"][:13]) for c in found) == [
        ("deleted", "0", str(NOW_MS)),
        ("name", '"Hall"', str(NOW_MS + 1)),
    ]
