"""Teachers' content choices: catalog entries attached to a lesson (a teacher of the lesson or an
admin), and entries pinned for the whole school. Attaching or pinning twice keeps the first."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import datetime
from typing import Any

from content_cache import BlobStore, CatalogIndex
from edge.accounts import Principal, Role
from edge.content._entries import require_entry, with_entries
from edge.db import Database, Row, Tx
from edge.diary import NotFoundError, get_lesson_for_writer, require_class_reader
from edge.diary._access import get_lesson


async def attach_material(
    db: Database,
    catalog: CatalogIndex,
    who: Principal,
    lesson_id: str,
    entry_id: str,
    now: datetime,
) -> Row:
    await asyncio.to_thread(require_entry, catalog, entry_id)
    stamp = [who.person_id or who.username, _iso(now)]

    def attach(tx: Tx) -> Row:
        get_lesson_for_writer(tx.conn, who, lesson_id)
        tx.conn.execute(
            "INSERT INTO lesson_materials VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [lesson_id, entry_id, *stamp],
        )
        return _material(tx.conn, lesson_id, entry_id)

    return await db.write(attach, actor=who.username)


async def detach_material(db: Database, who: Principal, lesson_id: str, entry_id: str) -> None:
    def detach(tx: Tx) -> None:
        get_lesson_for_writer(tx.conn, who, lesson_id)
        gone = tx.conn.execute(
            "DELETE FROM lesson_materials WHERE lesson_id = ? AND entry_id = ?",
            [lesson_id, entry_id],
        )
        if gone.rowcount == 0:
            raise NotFoundError(f"catalog entry {entry_id} is not attached to this lesson")

    await db.write(detach, actor=who.username)


async def lesson_materials(
    db: Database, catalog: CatalogIndex, blobs: BlobStore, who: Principal, lesson_id: str
) -> list[dict[str, Any]]:
    """The lesson's materials, oldest first, for whoever may read the lesson."""

    def read(conn: sqlite3.Connection) -> list[Row]:
        lesson = get_lesson(conn, lesson_id)
        if not (who.role is Role.TEACHER and lesson["teacher_id"] == who.person_id):
            require_class_reader(conn, who, lesson["class_id"])
        return conn.execute(
            "SELECT entry_id, attached_by, attached_at FROM lesson_materials"
            " WHERE lesson_id = ? ORDER BY attached_at, entry_id",
            [lesson_id],
        ).fetchall()

    rows = await db.read(read)
    return await asyncio.to_thread(with_entries, rows, catalog, blobs)


async def pin_entry(
    db: Database, catalog: CatalogIndex, who: Principal, entry_id: str, now: datetime
) -> Row:
    await asyncio.to_thread(require_entry, catalog, entry_id)
    stamp = [who.person_id or who.username, _iso(now)]

    def pin(tx: Tx) -> Row:
        tx.conn.execute(
            "INSERT INTO content_pins VALUES (?, ?, ?) ON CONFLICT DO NOTHING", [entry_id, *stamp]
        )
        row: Row = tx.conn.execute(_PIN, [entry_id]).fetchone()
        return row

    return await db.write(pin, actor=who.username)


async def unpin_entry(db: Database, who: Principal, entry_id: str) -> None:
    def unpin(tx: Tx) -> None:
        gone = tx.conn.execute("DELETE FROM content_pins WHERE entry_id = ?", [entry_id])
        if gone.rowcount == 0:
            raise NotFoundError(f"catalog entry {entry_id} is not pinned")

    await db.write(unpin, actor=who.username)


async def content_pins(
    db: Database, catalog: CatalogIndex, blobs: BlobStore
) -> list[dict[str, Any]]:
    rows = await db.read(lambda conn: conn.execute(_PINS).fetchall())
    return await asyncio.to_thread(with_entries, rows, catalog, blobs)


_PIN = "SELECT entry_id, pinned_by, pinned_at FROM content_pins WHERE entry_id = ?"
_PINS = "SELECT entry_id, pinned_by, pinned_at FROM content_pins ORDER BY pinned_at, entry_id"


def _material(conn: sqlite3.Connection, lesson_id: str, entry_id: str) -> Row:
    row: Row = conn.execute(
        "SELECT lesson_id, entry_id, attached_by, attached_at FROM lesson_materials"
        " WHERE lesson_id = ? AND entry_id = ?",
        [lesson_id, entry_id],
    ).fetchone()
    return row


def _iso(now: datetime) -> str:
    return now.isoformat(timespec="milliseconds")
