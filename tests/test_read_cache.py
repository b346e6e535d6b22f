from __future__ import annotations

import sqlite3

import pytest

from edge.db import Database, ReadCache, Tx
from edge.web._keys import DB
from tests._box import Box


def room_names(conn: sqlite3.Connection) -> list[str]:
    return [r["name"] for r in conn.execute("SELECT name FROM rooms ORDER BY name")]


async def test_cache_serves_until_a_watched_table_changes(db: Database) -> None:
    cache: ReadCache[list[str]] = ReadCache(db, ("rooms",))
    await db.write(lambda tx: tx.insert("rooms", {"name": "A"}))
    assert await cache.get("rooms", room_names) == ["A"]
    assert await cache.get("rooms", room_names) == ["A"]
    assert (cache.hits, cache.misses) == (1, 1)
    await db.write(lambda tx: tx.insert("schools", {"sourced_id": "s", "name": "S"}))
    assert await cache.get("rooms", room_names) == ["A"], "other tables do not invalidate"
    assert cache.hits == 2
    await db.write(lambda tx: tx.insert("rooms", {"name": "B"}))
    assert await cache.get("rooms", room_names) == ["A", "B"]
    assert cache.misses == 2


async def test_failed_write_leaves_the_cache_correct(db: Database) -> None:
    cache: ReadCache[list[str]] = ReadCache(db, ("rooms",))
    assert await cache.get("k", room_names) == []

    def half_done(tx: Tx) -> None:
        tx.insert("rooms", {"name": "ghost"})
        raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        await db.write(half_done)
    assert await cache.get("k", room_names) == []


async def test_cache_is_bounded(db: Database) -> None:
    cache: ReadCache[list[str]] = ReadCache(db, ("rooms",), max_entries=2)
    for key in ("a", "b", "c"):
        await cache.get(key, room_names)
    await cache.get("a", room_names)
    assert cache.misses == 4, "the least recently used entry was evicted"


async def test_timetable_answers_change_with_the_lessons(box: Box) -> None:
    _, before = await box.call("GET", "/timetable/today", "teach")
    lesson = box.school["lesson"]
    await box.client.app[DB].write(lambda tx: tx.update("lessons", lesson, {"start_time": "09:05"}))
    _, after = await box.call("GET", "/timetable/today", "teach")
    assert before["lessons"][0]["start"] == "09:00"
    assert after["lessons"][0]["start"] == "09:05"
