"""The per-teacher iCalendar feed. Times are written in UTC, so no VTIMEZONE is needed."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING

from edge.db import NotFound
from edge.school._ics_values import escape_text

if TYPE_CHECKING:
    import sqlite3
    from datetime import tzinfo

    from edge.db import Row
    from edge.settings import Settings

PRODID = "-//Classroom Edge//Timetable//EN"
_MAX_OCTETS = 75

_LESSONS = """
    SELECT l.id, l.title, l.date, l.start_time, l.end_time, l.status,
           c.title AS class_title, r.name AS room
    FROM lessons l
    JOIN classes c ON c.id = l.class_id
    LEFT JOIN rooms r ON r.id = l.room_id AND r.deleted = 0
    WHERE l.teacher_id = ? AND l.deleted = 0 AND l.date BETWEEN ? AND ?
    ORDER BY l.date, l.start_time, l.id
"""


def render_teacher_feed(
    conn: sqlite3.Connection, teacher_id: str, settings: Settings, *, since: date, until: date
) -> str:
    """A VCALENDAR with one VEVENT per lesson of the teacher dated `since` … `until` (inclusive).

    Cancelled lessons stay in, with STATUS:CANCELLED, so subscribed calendars drop them.
    Raises NotFound for an unknown teacher.
    """
    teacher = conn.execute(
        "SELECT given_name, family_name FROM people WHERE id = ? AND deleted = 0", [teacher_id]
    ).fetchone()
    if teacher is None:
        raise NotFound(f"people {teacher_id}")
    name = f"{teacher['given_name']} {teacher['family_name']}".strip()
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
        f"X-WR-TIMEZONE:{settings.school.timezone}",
    ]
    stamp = _utc(datetime.now(UTC))
    rows = conn.execute(_LESSONS, [teacher_id, since.isoformat(), until.isoformat()]).fetchall()
    for row in rows:
        lines += _vevent(row, settings.tz, stamp)
    lines.append("END:VCALENDAR")
    return "".join(f"{fold(line)}\r\n" for line in lines)


def _vevent(row: Row, tz: tzinfo, stamp: str) -> list[str]:
    day = date.fromisoformat(row["date"])
    summary = row["title"] or row["class_title"]
    lines = [
        "BEGIN:VEVENT",
        f"UID:{row['id']}@classroom-edge",
        f"DTSTAMP:{stamp}",
        f"DTSTART:{_utc(_local(day, row['start_time'], tz))}",
        f"DTEND:{_utc(_local(day, row['end_time'], tz))}",
        f"SUMMARY:{escape_text(summary)}",
    ]
    if row["room"]:
        lines.append(f"LOCATION:{escape_text(row['room'])}")
    if row["class_title"] != summary:
        lines.append(f"DESCRIPTION:{escape_text('Class: ' + row['class_title'])}")
    lines.append("STATUS:CANCELLED" if row["status"] == "cancelled" else "STATUS:CONFIRMED")
    lines.append("END:VEVENT")
    return lines


def _local(day: date, clock: str, tz: tzinfo) -> datetime:
    return datetime.combine(day, time.fromisoformat(clock), tz)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def fold(line: str) -> str:
    """RFC 5545 §3.1: at most 75 octets per physical line, never splitting a UTF-8 character."""
    if len(line.encode()) <= _MAX_OCTETS:
        return line
    pieces: list[str] = []
    current, size, room = "", 0, _MAX_OCTETS
    for char in line:
        width = len(char.encode())
        if size + width > room:
            pieces.append(current)
            current, size, room = "", 0, _MAX_OCTETS - 1  # a continuation starts with a space
        current += char
        size += width
    pieces.append(current)
    return "\r\n ".join(pieces)
