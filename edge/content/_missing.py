"""What a day's lessons still lack: per lesson, the attached entries with files not yet stored."""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import dataclass
from datetime import date
from typing import Any

from content_cache import BlobStore, CatalogIndex
from edge.db import Database, Row

_MATERIALS_ON_DAY = """
SELECT l.id AS lesson_id, l.title, l.start_time, c.title AS class_title, m.entry_id
FROM lessons l
JOIN classes c ON c.id = l.class_id
JOIN lesson_materials m ON m.lesson_id = l.id
WHERE l.deleted = 0 AND l.status = 'scheduled' AND l.date = ?
ORDER BY l.start_time, c.title, l.id, m.attached_at, m.entry_id
"""


@dataclass(frozen=True)
class MissingEntry:
    entry_id: str
    in_catalog: bool  # False: the catalog no longer has it, so it cannot be fetched
    missing_files: int
    missing_bytes: int


@dataclass(frozen=True)
class LessonGap:
    lesson_id: str
    title: str
    class_title: str
    start: str  # HH:MM, school time
    entries: list[MissingEntry]

    def as_json(self) -> dict[str, Any]:
        return {
            "lesson_id": self.lesson_id,
            "title": self.title,
            "class": self.class_title,
            "start": self.start,
            "missing_bytes": sum(e.missing_bytes for e in self.entries),
            "entries": [vars(e) for e in self.entries],
        }


async def missing_for(
    db: Database, catalog: CatalogIndex, blobs: BlobStore, day: date
) -> list[LessonGap]:
    """The lessons of `day` with a material not wholly in the blob store, by start time."""
    rows = await db.read(lambda conn: _materials_on(conn, day))
    return await asyncio.to_thread(_gaps, rows, catalog, blobs)


def _materials_on(conn: sqlite3.Connection, day: date) -> list[Row]:
    return conn.execute(_MATERIALS_ON_DAY, [day.isoformat()]).fetchall()


def _gaps(rows: list[Row], catalog: CatalogIndex, blobs: BlobStore) -> list[LessonGap]:
    gaps: dict[str, LessonGap] = {}
    for row in rows:
        missing = _missing_entry(row["entry_id"], catalog, blobs)
        if missing is None:
            continue
        lesson_id = row["lesson_id"]
        if lesson_id not in gaps:
            gaps[lesson_id] = LessonGap(
                lesson_id, row["title"], row["class_title"], row["start_time"], []
            )
        gaps[lesson_id].entries.append(missing)
    return list(gaps.values())


def _missing_entry(entry_id: str, catalog: CatalogIndex, blobs: BlobStore) -> MissingEntry | None:
    entry = catalog.get(entry_id)
    if entry is None:
        return MissingEntry(entry_id, False, 0, 0)
    absent = {f.sha256: f.size for f in entry.files if not blobs.has(f.sha256)}
    if not absent:
        return None
    return MissingEntry(entry_id, True, len(absent), sum(absent.values()))
