"""Pull and merge on the box against a real hub: two boxes of one school exchange edits
(docs/sync-protocol.md §5, §6, §8)."""

from __future__ import annotations

import asyncio
import functools
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from edge.db import Tx
from edge.hubsync import SyncError
from edge.hubsync._apply import apply_page
from sync._wire import Change, FeedEntry, FeedPage
from tests._hub import Hub, SyncBox, enrolled_box, running_hub


@pytest.fixture
async def hub(tmp_path: Path) -> AsyncIterator[Hub]:
    async with running_hub(tmp_path / "hub") as found:
        yield found


@pytest.fixture
async def a(hub: Hub, tmp_path: Path) -> AsyncIterator[SyncBox]:
    async with enrolled_box(hub, tmp_path / "a") as box:
        yield box


@pytest.fixture
async def b(hub: Hub, tmp_path: Path) -> AsyncIterator[SyncBox]:
    async with enrolled_box(hub, tmp_path / "b") as box:
        yield box


def new_room(name: str) -> functools.partial[str]:
    return functools.partial(Tx.insert, table="rooms", values={"name": name})


def rename(row: str, name: str) -> functools.partial[dict[str, object]]:
    return functools.partial(Tx.update, table="rooms", row_id=row, values={"name": name})


async def positions(box: SyncBox) -> list[tuple[int, int | None]]:
    rows = await box.db.read(
        lambda c: c.execute("SELECT seq, feed_seq FROM change_log ORDER BY seq").fetchall()
    )
    return [(r["seq"], r["feed_seq"]) for r in rows]


async def test_rows_written_on_one_box_reach_the_other(a: SyncBox, b: SyncBox) -> None:
    ids = [await a.write(new_room(f"Room {n}")) for n in range(3)]
    await a.sync()
    report = await b.sync()
    assert (report.pulled.entries, report.pulled.cursor) == (3, 3)
    for n, row in enumerate(ids):
        assert (await b.row("rooms", row) or {})["name"] == f"Room {n}"
    assert (await b.sync()).pulled.entries == 0, "a second round applies nothing"
    await a.sync()  # the page's gaps tell box A where its own changes are
    assert await positions(a) == [(1, 1), (2, 2), (3, 3)]


async def test_an_edit_that_saw_the_value_replaces_it_without_conflict(
    a: SyncBox, b: SyncBox
) -> None:
    row = await a.write(new_room("Lab"))
    await a.sync()
    await b.sync()
    await b.write(rename(row, "Chemistry lab"))
    assert await b.db.read(lambda c: c.execute("SELECT max(cursor) AS n FROM change_log"))
    cursors = await b.db.read(
        lambda c: [r["cursor"] for r in c.execute("SELECT cursor FROM change_log")]
    )
    assert cursors == [1], "the edit records the feed position the box had pulled"
    await b.sync()
    await a.sync()
    assert (await a.row("rooms", row) or {})["name"] == "Chemistry lab"
    assert await a.conflicts() == [] and await b.conflicts() == []


async def test_concurrent_edits_converge_and_the_loser_is_logged(a: SyncBox, b: SyncBox) -> None:
    row = await a.write(new_room("Lab"))
    await a.sync()
    await b.sync()
    await a.write(rename(row, "Physics lab"))  # both offline
    await asyncio.sleep(0.005)
    await b.write(rename(row, "Biology lab"))  # later: wins
    for box in (a, b, a):
        await box.sync()
    assert (await a.row("rooms", row) or {})["name"] == "Biology lab"
    assert (await b.row("rooms", row) or {})["name"] == "Biology lab"
    for box in (a, b):
        [conflict] = await box.conflicts()
        assert conflict["reason"] == "concurrent" and conflict["field"] == "name"
        assert json.loads(conflict["losing_value"]) == "Physics lab"
        assert json.loads(conflict["winning_value"]) == "Biology lab"


async def test_a_tombstone_stays_whatever_older_edits_arrive(a: SyncBox, b: SyncBox) -> None:
    row = await a.write(new_room("Annex"))
    await a.sync()
    await b.sync()
    await b.write(rename(row, "Annex 2"))
    await a.write(functools.partial(Tx.delete, table="rooms", row_id=row))
    for box in (b, a, b):
        await box.sync()
    assert (await a.row("rooms", row) or {})["deleted"] == 1
    assert (await b.row("rooms", row) or {})["deleted"] == 1


async def test_an_edit_of_a_value_from_the_future_still_wins(a: SyncBox, b: SyncBox) -> None:
    assert b.db.clock is not None
    b.db.clock._wall = lambda: time.time() + 86_400  # box B's clock runs a day ahead
    row = await b.write(new_room("Gym"))
    await b.sync()
    await a.sync()  # A's clock is clamped 5 min ahead: far behind B's timestamp
    await a.write(rename(row, "Sports hall"))
    await a.sync()
    await b.sync()
    assert (await b.row("rooms", row) or {})["name"] == "Sports hall"
    assert await a.conflicts() == [] and await b.conflicts() == []


def hub_entry(at: int, table: str, row: str, fields: dict[str, object]) -> FeedEntry:
    return FeedEntry(
        at,
        "hubnode",
        Change(table, row, "upsert", f"{1795347370850 + at}-000000-hubnode", 0, fields),
    )


async def test_values_the_schema_refuses_are_kept_in_the_conflict_log(a: SyncBox) -> None:
    page = FeedPage(
        0,
        3,
        False,
        [
            hub_entry(1, "rooms", "r1", {"name": "Hall", "colour": "red"}),
            hub_entry(2, "rooms", "r2", {"deleted": 0}),  # no name: NOT NULL refuses it
            hub_entry(3, "widgets", "w1", {"size": 3}),
        ],
    )
    applied = await a.write(functools.partial(apply_page, page=page, node=a.who.node))
    assert (applied.entries, applied.refused, applied.cursor) == (3, 3, 3)
    assert (await a.row("rooms", "r1") or {})["name"] == "Hall"
    refused = {(c["table_name"], c["field"]) for c in await a.conflicts()}
    assert refused == {("rooms", "colour"), ("rooms", "deleted"), ("widgets", "size")}
    kept = await a.db.read(lambda c: c.execute("SELECT count(*) AS n FROM feed_log").fetchone())
    assert kept["n"] == 3, "every pulled change is kept as the hub sent it"


async def test_a_page_is_applied_with_its_cursor_or_not_at_all(a: SyncBox) -> None:
    change = Change("rooms", "r1", "upsert", "1795347370853-000000-hubnode", 0, {"name": "Hall"})
    page = FeedPage(0, 1, False, [FeedEntry(1, "hubnode", change)])

    def apply_then_fail(tx: Tx) -> None:
        apply_page(tx, page, a.who.node)
        raise OSError("power cut")

    with pytest.raises(OSError, match="power cut"):
        await a.write(apply_then_fail)
    assert await a.row("rooms", "r1") is None
    assert (await a.write(functools.partial(apply_page, page=page, node=a.who.node))).entries == 1
    again = await a.write(functools.partial(apply_page, page=page, node=a.who.node))
    assert (again.entries, again.cursor) == (0, 1), "a page applied twice changes nothing"


async def test_inconsistent_pages_are_refused(a: SyncBox) -> None:
    own = Change("rooms", "r1", "upsert", "1795347370853-000000-x", 0, {"name": "Hall"})
    with pytest.raises(SyncError, match="inconsistent page"):
        await a.write(
            functools.partial(
                apply_page,
                page=FeedPage(0, 1, False, [FeedEntry(1, a.who.node, own)]),
                node=a.who.node,
            )
        )
    with pytest.raises(SyncError, match="restored from an older copy"):
        await a.write(
            functools.partial(apply_page, page=FeedPage(0, 5, False, []), node=a.who.node)
        )
    with pytest.raises(SyncError, match="sent changes after 7"):
        await a.write(
            functools.partial(apply_page, page=FeedPage(7, 9, False, []), node=a.who.node)
        )
