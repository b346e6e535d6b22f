"""What the prefetch planner needs from the diary: the coming school days' lessons and their
materials, the teachers' pins, and the (subject, grade) pairs of the school's classes.

A school day is a day with at least one scheduled lesson outside the holidays: weekends and
holidays are skipped by having no lessons, not by a calendar rule."""

from __future__ import annotations

import itertools
import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

_SCHOOL_DAYS = """
SELECT DISTINCT l.date FROM lessons l
WHERE l.deleted = 0 AND l.status = 'scheduled' AND l.date >= ?
  AND NOT EXISTS (SELECT 1 FROM holidays h
                  WHERE h.deleted = 0 AND l.date BETWEEN h.first_date AND h.last_date)
ORDER BY l.date LIMIT ?
"""
_MATERIALS_ON_DAYS = """
SELECT m.entry_id, l.date, l.start_time FROM lesson_materials m
JOIN lessons l ON l.id = m.lesson_id
WHERE l.deleted = 0 AND l.status = 'scheduled' AND l.date IN (SELECT value FROM json_each(?))
ORDER BY l.date, l.start_time, m.attached_at
"""


@dataclass(frozen=True)
class PlanInputs:
    #: (catalog entry id, start of a lesson it is attached to), one pair per attachment
    lesson_needs: list[tuple[str, datetime]]
    #: pinned entry ids, the oldest pin first
    pinned_ids: list[str]
    subject_grades: set[tuple[str, str]]


def read_plan_inputs(conn: sqlite3.Connection, today: date, days: int, tz: tzinfo) -> PlanInputs:
    """Inputs for the `days` school days from `today` (included), lesson starts in zone `tz`."""
    dates = school_days(conn, today, days)
    rows = conn.execute(_MATERIALS_ON_DAYS, [json.dumps(dates)]).fetchall()
    needs = [(r["entry_id"], lesson_start(r["date"], r["start_time"], tz)) for r in rows]
    return PlanInputs(needs, pinned_entry_ids(conn), class_subject_grades(conn))


def school_days(conn: sqlite3.Connection, first: date, count: int) -> list[str]:
    rows = conn.execute(_SCHOOL_DAYS, [first.isoformat(), count]).fetchall()
    return [r["date"] for r in rows]


def next_school_day(conn: sqlite3.Connection, after: date) -> date | None:
    found = school_days(conn, after + timedelta(days=1), 1)
    return date.fromisoformat(found[0]) if found else None


def lesson_start(day: str, start_time: str, tz: tzinfo) -> datetime:
    local = datetime.combine(date.fromisoformat(day), time.fromisoformat(start_time), tz)
    return local.astimezone(UTC)


def pinned_entry_ids(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute("SELECT entry_id FROM content_pins ORDER BY pinned_at, entry_id")
    return [r["entry_id"] for r in rows]


def class_subject_grades(conn: sqlite3.Connection) -> set[tuple[str, str]]:
    """Every (subject, grade) a class of the school is taught in."""
    pairs: set[tuple[str, str]] = set()
    for row in conn.execute("SELECT subjects, grades FROM classes WHERE deleted = 0"):
        pairs.update(itertools.product(json.loads(row["subjects"]), json.loads(row["grades"])))
    return pairs
