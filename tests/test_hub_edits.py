"""Central edits (docs/sync-protocol.md §11): the hub writes as its own node, positioned after
the whole feed and stamped above what it replaces, and boxes get the edit in their pull pages."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from sync import Timestamp, uuid7
from sync._wire import Batch, Change, decode_page, encode_batch
from sync.hub import HubError, HubStore, create_hub_app
from sync.hub._cli import main
from tests.test_hub import NOW, SCHOOL, Enrolled, enroll, store_path

NOW_MS = NOW * 1000


@pytest.fixture
async def hub(aiohttp_client: Any, tmp_path: Path) -> AsyncIterator[tuple[Any, HubStore]]:
    store = HubStore(tmp_path / "hub.db", wall=lambda: NOW)
    store.add_school(SCHOOL, "North School")
    store.add_school("south", "South School")
    client = await aiohttp_client(create_hub_app(store, "CONTENTKEY", now=lambda: NOW))
    yield client, store
    store.close()


async def push(box: Enrolled, first: int, *changes: Change) -> dict[str, int]:
    body = encode_batch(Batch(box.box_id, box.node, first, list(changes)))
    answer = await box.send("POST", f"/v1/schools/{SCHOOL}/push", body)
    assert answer.status == 200, await answer.text()
    result: dict[str, int] = await answer.json()
    return result


def mark(box: Enrolled, row: str, wall_ms: int, cursor: int = 0, value: int = 4) -> Change:
    hlc = Timestamp(wall_ms, 0, box.node).encode()
    return Change("marks", row, "upsert", hlc, cursor, {"value": value})


def query(store: HubStore, sql: str, *args: object) -> list[tuple[Any, ...]]:
    with sqlite3.connect(store_path(store)) as conn:
        return conn.execute(sql, args).fetchall()


async def test_a_central_edit_comes_back_in_the_pull_pages(hub: tuple[Any, HubStore]) -> None:
    client, store = hub
    a, b = await enroll(client, store, "nodea"), await enroll(client, store, "nodeb")
    row, other = uuid7(), uuid7()
    await push(a, 1, mark(a, row, NOW_MS - 1000), mark(a, other, NOW_MS - 900))
    assert store.edit(SCHOOL, "marks", row, {"value": 5, "comment": "re-marked"}, NOW) == 3
    assert store.edit(SCHOOL, "marks", other, {"deleted": 1}, NOW) == 4

    answer = await a.send("GET", f"/v1/schools/{SCHOOL}/changes?since=0")
    assert answer.status == 200
    page = decode_page(await answer.read())
    assert [(e.feed_seq, e.node) for e in page.entries] == [(3, store.node), (4, store.node)]
    edit, tombstone = (e.change for e in page.entries)
    assert (edit.table, edit.row, edit.op, edit.cursor) == ("marks", row, "upsert", 2)
    assert edit.fields == {"value": 5, "comment": "re-marked"}
    stamped = Timestamp.decode(edit.hlc)
    assert stamped.node == store.node and stamped > Timestamp(NOW_MS - 1000, 0, "nodea")
    assert (tombstone.op, tombstone.cursor, tombstone.fields) == ("delete", 3, {"deleted": 1})
    assert Timestamp.decode(tombstone.hlc) > stamped, "the hub never stamps two writes alike"
    everything = decode_page(await (await b.send("GET", f"/v1/schools/{SCHOOL}/changes")).read())
    assert [e.feed_seq for e in everything.entries] == [1, 2, 3, 4]
    hub_rows = query(store, "SELECT node_seq FROM feed WHERE node = ? ORDER BY 1", store.node)
    assert hub_rows == [(1,), (2,)]
    assert store.rows(SCHOOL, "marks")[row] == {"value": 5, "comment": "re-marked"}
    assert query(store, "SELECT count(*) FROM conflicts") == [(0,)], "the edit saw what it beat"


async def test_the_hub_clock_follows_pushes_and_resumes_after_a_restart(
    hub: tuple[Any, HubStore], tmp_path: Path
) -> None:
    client, store = hub
    box = await enroll(client, store)
    ahead = NOW_MS + 60_000  # a minute ahead: within the clamp, so the hub's clock follows
    await push(box, 1, mark(box, uuid7(), ahead))
    store.edit(SCHOOL, "marks", uuid7(), {"value": 2}, NOW)  # another row: only the clock
    (hlc,) = query(store, "SELECT hlc FROM feed WHERE node = ?", store.node)[0]
    assert Timestamp.decode(hlc) > Timestamp(ahead, 0, box.node)
    again = HubStore(tmp_path / "hub.db", wall=lambda: NOW - 3600)  # its wall clock went back
    try:
        assert again.node == store.node
        assert again.clock.now() > Timestamp.decode(hlc)
    finally:
        again.close()


async def test_an_edit_beats_the_far_future_value_it_replaces(hub: tuple[Any, HubStore]) -> None:
    client, store = hub
    box = await enroll(client, store)
    row = uuid7()
    future = Timestamp(NOW_MS + 24 * 3600 * 1000, 3, box.node)  # a box a day ahead
    await push(box, 1, Change("marks", row, "upsert", future.encode(), 0, {"value": 1}))
    assert store.clock.now() < future, "the hub clamped the box's clock"
    store.edit(SCHOOL, "marks", row, {"value": 2}, NOW)
    (hlc, value) = query(
        store, "SELECT hlc, value FROM field_versions WHERE row_id = ? AND field = 'value'", row
    )[0]
    assert Timestamp.decode(hlc) == Timestamp(future.wall_ms, 4, store.node)
    assert value == "2"
    assert query(store, "SELECT count(*) FROM conflicts") == [(0,)]


@pytest.mark.parametrize("box_offset_ms", [-5000, 5000], ids=["box-behind", "box-ahead"])
async def test_an_edit_and_a_box_write_that_did_not_see_it_conflict(
    hub: tuple[Any, HubStore], box_offset_ms: int
) -> None:
    client, store = hub
    box = await enroll(client, store)
    row = uuid7()
    store.edit(SCHOOL, "marks", row, {"value": 5}, NOW)
    await push(box, 1, mark(box, row, NOW_MS + box_offset_ms, cursor=0, value=3))
    conflicts = query(store, "SELECT losing_value, losing_node, winning_node FROM conflicts")
    if box_offset_ms > 0:
        assert conflicts == [("5", store.node, box.node)]
    else:
        assert conflicts == [("3", box.node, store.node)]
    await push(box, 2, mark(box, row, NOW_MS + 9000, cursor=2, value=4))  # saw both
    assert len(query(store, "SELECT * FROM conflicts")) == 1
    assert store.rows(SCHOOL, "marks")[row] == {"value": 4}


@pytest.mark.parametrize(
    ("school", "table", "fields", "status"),
    [
        (SCHOOL, "grades", {"value": 1}, 400),
        (SCHOOL, "meta", {"value": 1}, 400),
        (SCHOOL, "marks", {"Value": 1}, 400),
        (SCHOOL, "marks", {"1value": 1}, 400),
        (SCHOOL, "marks", {"value-x": 1}, 400),
        (SCHOOL, "marks", {"value": [1, 2]}, 400),
        (SCHOOL, "marks", {"value": {"a": 1}}, 400),
        (SCHOOL, "marks", {"value": float("nan")}, 400),
        (SCHOOL, "marks", {}, 400),
        ("west", "marks", {"value": 1}, 404),
    ],
)
def test_edit_refuses_what_is_not_a_change(
    tmp_path: Path, school: str, table: str, fields: dict[str, Any], status: int
) -> None:
    store = HubStore(tmp_path / "hub.db")
    store.add_school(SCHOOL, "North School")
    try:
        with pytest.raises(HubError) as refused:
            store.edit(school, table, "row-1", fields, NOW)
        assert refused.value.status == status
        assert query(store, "SELECT count(*) FROM feed") == [(0,)]
        with pytest.raises(HubError):
            store.edit(SCHOOL, "marks", "", {"value": 1}, NOW)
    finally:
        store.close()


def test_cli_edits_and_shows_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hub = ["--data-dir", str(tmp_path)]
    assert main([*hub, "schools", "add", SCHOOL, "North School"]) == 0
    capsys.readouterr()
    args = ["value=5", "comment=good work", "final=true", 'code="4"', "note=null", "x=[1]"]
    assert main([*hub, "edit", "--school", SCHOOL, "marks", "r1", *args]) == 0
    assert main([*hub, "edit", "--school", SCHOOL, "marks", "r2", "value=2.5"]) == 0
    assert main([*hub, "edit", "--school", SCHOOL, "marks", "r2", "deleted=1"]) == 0
    assert capsys.readouterr().out.split() == ["1", "2", "3"]
    assert main([*hub, "rows", "--school", SCHOOL, "marks"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines == [
        {
            "row": "r1",
            "fields": {
                "value": 5,
                "comment": "good work",
                "final": True,
                "code": "4",
                "note": None,
                "x": "[1]",
            },
        },
        {"row": "r2", "fields": {"value": 2.5, "deleted": 1}},
    ]
    store = HubStore(tmp_path / "hub.db")
    try:
        ops = query(store, "SELECT op FROM feed ORDER BY feed_seq")
        assert ops == [("upsert",), ("upsert",), ("delete",)]
    finally:
        store.close()
    for bad in (
        ["grades", "r1", "value=1"],
        ["marks", "r1", "novalue"],
        ["marks", "r1", "a=1", "a=2"],
    ):
        assert main([*hub, "edit", "--school", SCHOOL, *bad]) == 2
    assert main([*hub, "edit", "--school", "west", "marks", "r1", "value=1"]) == 2
    assert main([*hub, "rows", "--school", SCHOOL, "grades"]) == 2
    assert "edge-hub: error:" in capsys.readouterr().err


def test_the_cli_waits_for_the_running_hub_to_finish_writing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    serving = HubStore(tmp_path / "hub.db")
    serving.add_school(SCHOOL, "North School")
    assert serving._conn.execute("PRAGMA busy_timeout").fetchone() == (5000,)
    holding = threading.Event()

    def write_for_a_while() -> None:
        with serving._transaction():
            holding.set()
            time.sleep(0.3)

    writer = threading.Thread(target=write_for_a_while)
    writer.start()
    try:
        assert holding.wait(5)
        hub = ["--data-dir", str(tmp_path)]
        assert main([*hub, "edit", "--school", SCHOOL, "marks", "r1", "value=1"]) == 0
    finally:
        writer.join()
        serving.close()
    assert capsys.readouterr().out.strip() == "1"
