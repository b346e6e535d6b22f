"""The reference hub: enrollment once per token, signed push exactly once, pull by cursor, and
refusals that change nothing."""

from __future__ import annotations

import base64
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sync import HybridClock, sign_request, uuid7
from sync._wire import Batch, Change, decode_page, encode_batch
from sync.hub import HubStore, create_hub_app

NOW = 1_795_347_370
SCHOOL = "north"


@dataclass
class Enrolled:
    client: Any
    key: Ed25519PrivateKey
    box_id: str
    key_id: str
    node: str
    clock: HybridClock

    async def send(self, method: str, path: str, body: bytes = b"", **extra: str) -> Any:
        headers = sign_request(self.key, self.key_id, method, path, body, NOW)
        return await self.client.request(method, path, data=body, headers={**headers, **extra})

    def batch(self, first: int, count: int, cursor: int = 0) -> Batch:
        changes = [
            Change(
                "marks",
                uuid7(),
                "upsert",
                self.clock.now().encode(),
                cursor,
                {"value": 4, "comment": f"n{first + n}"},
            )
            for n in range(count)
        ]
        return Batch(self.box_id, self.node, first, changes)


def raw_public(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


@pytest.fixture
async def hub(aiohttp_client: Any, tmp_path: Path) -> AsyncIterator[tuple[Any, HubStore]]:
    store = HubStore(tmp_path / "hub.db")
    store.add_school(SCHOOL, "North School")
    store.add_school("south", "South School")
    client = await aiohttp_client(create_hub_app(store, "CONTENTKEY", now=lambda: NOW))
    yield client, store
    store.close()


async def enroll(client: Any, store: HubStore, node: str = "boxnode1") -> Enrolled:
    key = Ed25519PrivateKey.generate()
    token = store.new_token(SCHOOL, NOW)
    body = {
        "token": token,
        "public_key": base64.b64encode(raw_public(key)).decode(),
        "name": "North box",
        "node": node,
    }
    answer = await client.post("/v1/enroll", json=body)
    assert answer.status == 201, await answer.text()
    found = await answer.json()
    assert found["school_id"] == SCHOOL and found["content_key"] == "CONTENTKEY"
    again = await client.post("/v1/enroll", json=body)
    assert again.status == 401 and (await again.json())["error"] == "bad_token"
    return Enrolled(client, key, found["box_id"], found["key_id"], node, HybridClock(node))


def feed_rows(store: HubStore) -> int:
    with sqlite3.connect(store_path(store)) as conn:
        return int(conn.execute("SELECT count(*) FROM feed").fetchone()[0])


def store_path(store: HubStore) -> str:
    return str(store._conn.execute("PRAGMA database_list").fetchone()[2])


async def test_push_is_applied_exactly_once(hub: tuple[Any, HubStore]) -> None:
    client, store = hub
    box = await enroll(client, store)
    first = encode_batch(box.batch(1, 3))
    path = f"/v1/schools/{SCHOOL}/push"
    answer = await box.send("POST", path, first)
    assert answer.status == 200 and await answer.json() == {"applied_through": 3, "feed_seq": 3}
    replay = await box.send("POST", path, first)
    assert replay.status == 200
    assert await replay.json() == {"applied_through": 3, "feed_seq": 3}, "the same answer"
    assert feed_rows(store) == 3, "a replayed batch is a no-op"
    gap = await box.send("POST", path, encode_batch(box.batch(7, 1)))
    assert gap.status == 409 and (await gap.json()) == {
        "error": "gap",
        "detail": "send from 4",
        "applied_through": 3,
    }
    overlap = box.batch(2, 4)  # 2-3 again, then 4-5
    answer = await box.send("POST", path, encode_batch(overlap))
    assert (await answer.json())["applied_through"] == 5
    assert feed_rows(store) == 5


async def test_pull_pages_through_the_feed_without_the_boxs_own_changes(
    hub: tuple[Any, HubStore],
) -> None:
    client, store = hub
    north_a = await enroll(client, store, "nodea")
    north_b = await enroll(client, store, "nodeb")
    await north_a.send("POST", f"/v1/schools/{SCHOOL}/push", encode_batch(north_a.batch(1, 5)))
    answer = await north_b.send("GET", f"/v1/schools/{SCHOOL}/changes?since=0&limit=3")
    page = decode_page(await answer.read())
    assert ([e.feed_seq for e in page.entries], page.next, page.more) == ([1, 2, 3], 3, True)
    rest = decode_page(
        await (await north_b.send("GET", f"/v1/schools/{SCHOOL}/changes?since=3&limit=3")).read()
    )
    assert ([e.feed_seq for e in rest.entries], rest.next, rest.more) == ([4, 5], 5, False)
    own = decode_page(
        await (await north_a.send("GET", f"/v1/schools/{SCHOOL}/changes?since=0")).read()
    )
    assert own.entries == [] and own.next == 5


async def test_refused_requests_change_nothing(hub: tuple[Any, HubStore]) -> None:
    client, store = hub
    box = await enroll(client, store)
    body = encode_batch(box.batch(1, 2))
    path = f"/v1/schools/{SCHOOL}/push"
    unsigned = await client.post(path, data=body)
    assert unsigned.status == 401
    tampered = await box.send("POST", path, body)  # signed for this body …
    forged = sign_request(box.key, box.key_id, "POST", path, body, NOW)
    bad = await client.post(path, data=body + b"x", headers=forged)  # … sent with another
    assert tampered.status == 200 and bad.status == 401
    stranger = Ed25519PrivateKey.generate()
    unknown = await client.post(
        path, data=body, headers=sign_request(stranger, box.key_id, "POST", path, body, NOW)
    )
    assert unknown.status == 401 and (await unknown.json())["error"] == "bad_signature"
    other = await box.send("POST", "/v1/schools/south/push", body)
    assert other.status == 403
    old = sign_request(box.key, box.key_id, "POST", path, body, NOW - 3600)
    skewed = await client.post(path, data=body, headers=old)
    assert skewed.status == 401 and (await skewed.json())["error"] == "clock_skew"
    assert "Date" in skewed.headers
    garbage = await box.send("POST", path, b"not zstd at all")
    assert garbage.status == 400 and (await garbage.json())["error"] == "bad_batch"
    huge = await box.send("POST", path, b"\0" * ((1 << 20) + 10))
    assert huge.status == 413
    assert feed_rows(store) == 2, "only the one good batch was applied"


async def test_concurrent_edits_merge_and_the_loser_is_logged(hub: tuple[Any, HubStore]) -> None:
    client, store = hub
    a, b = await enroll(client, store, "nodea"), await enroll(client, store, "nodeb")
    row = uuid7()
    first = Change("marks", row, "upsert", a.clock.now().encode(), 0, {"value": 3})
    later = Change("marks", row, "upsert", b.clock.now().encode(), 0, {"value": 5})
    for box, change in ((b, later), (a, first)):  # arrive out of HLC order, neither saw the other
        batch = Batch(box.box_id, box.node, 1, [change])
        assert (
            await box.send("POST", f"/v1/schools/{SCHOOL}/push", encode_batch(batch))
        ).status == 200
    with sqlite3.connect(store_path(store)) as conn:
        value = conn.execute("SELECT value FROM field_versions WHERE row_id = ?", [row]).fetchone()
        conflicts = conn.execute("SELECT losing_value, losing_node FROM conflicts").fetchall()
    assert value == ("5",)
    assert conflicts == [("3", "nodea")]
