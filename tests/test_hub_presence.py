"""The parents' presence feed (docs/sync-protocol.md §12): the entries and exits boxes push,
read by one student's parents with a bearer token, in order, once each, and nobody else's."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from sync import uuid7
from sync._wire import Batch, Change, encode_batch
from sync.hub import HubError, HubStore, create_hub_app
from sync.hub._cli import main
from tests.test_hub import NOW, SCHOOL, Enrolled, enroll

ADA, BEN = "0190a1b2-0000-7000-8000-00000000a0a0", "0190a1b2-0000-7000-8000-00000000b0b0"


@pytest.fixture
async def hub(aiohttp_client: Any, tmp_path: Path) -> AsyncIterator[tuple[Any, HubStore]]:
    store = HubStore(tmp_path / "hub.db")
    store.add_school(SCHOOL, "North School")
    store.add_school("south", "South School")
    for school in (SCHOOL, "south"):
        store.edit(school, "people", ADA, {"sourced_id": "stu-ada", "role": "student"}, NOW)
    store.edit(SCHOOL, "people", BEN, {"sourced_id": "stu-ben", "role": "student"}, NOW)
    store.edit(SCHOOL, "people", "t-1", {"sourced_id": "tch-1", "role": "teacher"}, NOW)
    client = await aiohttp_client(create_hub_app(store, "CONTENTKEY", now=lambda: NOW))
    yield client, store
    store.close()


def event(box: Enrolled, person: str, direction: str, minute: int) -> Change:
    fields = {
        "person_id": person,
        "reader_id": "gate-1",
        "direction": direction,
        "at": f"2026-11-23T07:{minute:02d}:00.000+01:00",
        "tap_id": uuid7(),
        "deleted": 0,
    }
    return Change("presence_events", uuid7(), "upsert", box.clock.now().encode(), 0, fields)


async def push(box: Enrolled, first: int, changes: list[Change]) -> None:
    body = encode_batch(Batch(box.box_id, box.node, first, changes))
    answer = await box.send("POST", f"/v1/schools/{SCHOOL}/push", body)
    assert answer.status == 200, await answer.text()


async def read(client: Any, token: str | None, query: str = "") -> tuple[int, Any]:
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    answer = await client.get(f"/v1/presence{query}", headers=headers)
    return answer.status, await answer.json()


async def test_a_parent_reads_their_childs_events_in_order_and_in_pages(
    hub: tuple[Any, HubStore],
) -> None:
    client, store = hub
    box = await enroll(client, store)
    changes = [
        event(box, ADA, "in", 50),
        event(box, BEN, "in", 51),
        event(box, ADA, "out", 55),
        event(box, ADA, "in", 58),
    ]
    await push(box, 1, changes)
    await push(box, 1, changes)  # a replay: nothing is applied twice
    store.edit("south", "presence_events", uuid7(), changes[0].fields, NOW)  # same id, other school
    ada = store.add_parent(SCHOOL, "stu-ada", NOW)  # by OneRoster id
    ben = store.add_parent(SCHOOL, BEN, NOW)  # by row id

    status, body = await read(client, ada)
    assert status == 200 and body["student"] == ADA
    assert [(e["direction"], e["at"][11:16]) for e in body["events"]] == [
        ("in", "07:50"),
        ("out", "07:55"),
        ("in", "07:58"),
    ]
    seqs = [e["seq"] for e in body["events"]]
    assert seqs == sorted(seqs) and body["next"] == seqs[-1]
    assert all(e["reader"] == "gate-1" for e in body["events"])

    status, first = await read(client, ada, "?since=0&limit=2")
    assert status == 200 and [e["seq"] for e in first["events"]] == seqs[:2]
    assert first["next"] == seqs[1]
    _, rest = await read(client, ada, f"?since={first['next']}&limit=2")
    assert [e["seq"] for e in rest["events"]] == seqs[2:] and rest["next"] == seqs[2]
    _, done = await read(client, ada, f"?since={rest['next']}")
    assert done == {"student": ADA, "events": [], "next": seqs[2]}

    _, theirs = await read(client, ben)
    assert theirs["student"] == BEN and [e["at"][11:16] for e in theirs["events"]] == ["07:51"]


async def test_events_are_append_only_and_a_deleted_one_is_left_out(
    hub: tuple[Any, HubStore],
) -> None:
    client, store = hub
    box = await enroll(client, store)
    came, left = event(box, ADA, "in", 50), event(box, ADA, "out", 55)
    await push(box, 1, [came, left])
    rewritten = Change(
        "presence_events", came.row, "upsert", box.clock.now().encode(), 0, {"direction": "out"}
    )
    deleted = Change(
        "presence_events", left.row, "delete", box.clock.now().encode(), 2, {"deleted": 1}
    )
    await push(box, 3, [rewritten, deleted])
    token = store.add_parent(SCHOOL, ADA, NOW)
    _, body = await read(client, token)
    assert [(e["direction"], e["at"][11:16]) for e in body["events"]] == [("in", "07:50")]
    incomplete = Change(
        "presence_events", uuid7(), "upsert", box.clock.now().encode(), 4, {"person_id": ADA}
    )
    await push(box, 5, [incomplete])
    assert len((await read(client, token))[1]["events"]) == 1, "no direction or time, no event"


async def test_refused_reads(hub: tuple[Any, HubStore]) -> None:
    client, store = hub
    token = store.add_parent(SCHOOL, ADA, NOW)
    for bad in (None, "", "not-a-token"):
        status, body = await read(client, bad)
        assert (status, body["error"]) == (401, "bad_token")
    basic = await client.get("/v1/presence", headers={"Authorization": f"Basic {token}"})
    assert basic.status == 401
    for query in ("?since=-1", "?limit=0", "?limit=many", "?since=1.5"):
        status, body = await read(client, token, query)
        assert (status, body["error"]) == (400, "bad_request"), query
    assert (await read(client, token, "?limit=5000"))[0] == 200, "a large limit is capped"
    store.revoke_parent(token, NOW)
    store.revoke_parent(token, NOW)  # once revoked, it stays so
    status, body = await read(client, token)
    assert (status, body["error"]) == (401, "bad_token")


@pytest.mark.parametrize(
    ("school", "student", "status"),
    [
        (SCHOOL, "stu-nobody", 404),
        (SCHOOL, "tch-1", 400),
        ("west", "stu-ada", 404),
    ],
)
async def test_a_token_is_only_for_a_known_student(
    hub: tuple[Any, HubStore], school: str, student: str, status: int
) -> None:
    _, store = hub
    with pytest.raises(HubError) as refused:
        store.add_parent(school, student, NOW)
    assert refused.value.status == status


async def test_a_deleted_or_ambiguous_student_gets_no_token(hub: tuple[Any, HubStore]) -> None:
    _, store = hub
    store.edit(SCHOOL, "people", BEN, {"deleted": 1}, NOW)
    with pytest.raises(HubError, match="no student"):
        store.add_parent(SCHOOL, "stu-ben", NOW)
    store.edit(SCHOOL, "people", uuid7(), {"sourced_id": "stu-ada", "role": "student"}, NOW)
    with pytest.raises(HubError) as twice:
        store.add_parent(SCHOOL, "stu-ada", NOW)
    assert twice.value.status == 409
    with pytest.raises(HubError) as unknown:
        store.revoke_parent("never-issued", NOW)
    assert unknown.value.status == 404


def test_cli_adds_and_revokes_parents(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hub = ["--data-dir", str(tmp_path)]
    assert main([*hub, "schools", "add", SCHOOL, "North School"]) == 0
    assert main([*hub, "edit", "--school", SCHOOL, "people", ADA, "sourced_id=stu-ada"]) == 0
    capsys.readouterr()
    assert main([*hub, "parents", "add", "--school", SCHOOL, "--student", "stu-ada"]) == 0
    token = capsys.readouterr().out.strip()
    assert len(token) >= 32
    store = HubStore(tmp_path / "hub.db")
    try:
        assert store.presence(token, 0, 100) == {"student": ADA, "events": [], "next": 0}
        assert token not in str(store._conn.execute("SELECT * FROM parent_tokens").fetchall())
        assert main([*hub, "parents", "revoke", token]) == 0
        with pytest.raises(HubError) as revoked:
            store.presence(token, 0, 100)
        assert revoked.value.status == 401
    finally:
        store.close()
    assert main([*hub, "parents", "add", "--school", SCHOOL, "--student", "stu-x"]) == 2
    assert main([*hub, "parents", "revoke", "never-issued"]) == 2
