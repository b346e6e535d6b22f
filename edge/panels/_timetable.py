"""The timetable as the panel schedule reads it: each room's lessons on given days, holidays,
cancelled and deleted lessons left out."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from datetime import date, datetime, time, tzinfo

from edge.panels._plan import RoomDay

_ROOM_LESSONS = """
SELECT l.room_id, l.date, l.start_time, l.end_time FROM lessons l
WHERE l.deleted = 0 AND l.status = 'scheduled' AND l.room_id IS NOT NULL
  AND l.date BETWEEN ? AND ?
  AND NOT EXISTS (SELECT 1 FROM holidays h
                  WHERE h.deleted = 0 AND l.date BETWEEN h.first_date AND h.last_date)
ORDER BY l.room_id, l.date, l.start_time
"""


def room_days(conn: sqlite3.Connection, first: date, last: date, tz: tzinfo) -> list[RoomDay]:
    """Per room and day from `first` to `last`, its lessons as aware datetimes in zone `tz`."""
    found: defaultdict[tuple[str, date], list[tuple[datetime, datetime]]] = defaultdict(list)
    for row in conn.execute(_ROOM_LESSONS, [first.isoformat(), last.isoformat()]):
        day = date.fromisoformat(row["date"])
        found[(row["room_id"], day)].append(
            (_at(day, row["start_time"], tz), _at(day, row["end_time"], tz))
        )
    return [RoomDay(room, day, tuple(lessons)) for (room, day), lessons in found.items()]


def _at(day: date, clock: str, tz: tzinfo) -> datetime:
    return datetime.combine(day, time.fromisoformat(clock), tz)
