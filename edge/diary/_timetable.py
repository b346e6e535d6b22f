"""The caller's lessons between two dates, as the API shows them."""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import Any

from edge.accounts import Principal, Role
from edge.db import Row
from edge.diary._access import get_lesson, require_class_reader, visible_classes

_LESSONS = """
SELECT l.id, l.date, l.start_time, l.end_time, l.title, l.status,
       c.id AS class_id, c.title AS class_title,
       r.id AS room_id, r.name AS room_name,
       p.id AS teacher_id, p.given_name || ' ' || p.family_name AS teacher_name
FROM lessons l
JOIN classes c ON c.id = l.class_id
LEFT JOIN rooms r ON r.id = l.room_id
LEFT JOIN people p ON p.id = l.teacher_id
WHERE l.deleted = 0 AND l.date BETWEEN ? AND ? {scope}
ORDER BY l.date, l.start_time, c.title
"""

_STUDENT_SCOPE = (
    "AND l.class_id IN (SELECT class_id FROM enrollments"
    " WHERE person_id = ? AND role = 'student' AND deleted = 0)"
)


def lessons_between(
    conn: sqlite3.Connection, who: Principal, first: date, last: date
) -> list[dict[str, Any]]:
    params: list[Any] = [first.isoformat(), last.isoformat()]
    if who.role is Role.ADMIN:
        scope = ""
    elif who.person_id is None or who.role is Role.DEVICE:
        return []
    elif who.role is Role.TEACHER:
        scope = "AND l.teacher_id = ?"
        params.append(who.person_id)
    else:
        scope = _STUDENT_SCOPE
        params.append(who.person_id)
    rows = conn.execute(_LESSONS.format(scope=scope), params).fetchall()
    return [lesson_view(row) for row in rows]


def lesson_view(row: Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "date": row["date"],
        "start": row["start_time"],
        "end": row["end_time"],
        "title": row["title"],
        "status": row["status"],
        "class": {"id": row["class_id"], "title": row["class_title"]},
        "room": {"id": row["room_id"], "name": row["room_name"]} if row["room_id"] else None,
        "teacher": (
            {"id": row["teacher_id"], "name": row["teacher_name"]} if row["teacher_id"] else None
        ),
    }


def lesson_detail(conn: sqlite3.Connection, who: Principal, lesson_id: str) -> dict[str, Any]:
    """One lesson with its topic and the homework set in it."""
    lesson = get_lesson(conn, lesson_id)
    if not (who.role is Role.TEACHER and lesson["teacher_id"] == who.person_id):
        require_class_reader(conn, who, lesson["class_id"])
    row = conn.execute(
        _LESSONS.format(scope="AND l.id = ?"), [lesson["date"], lesson["date"], lesson_id]
    ).fetchone()
    topic = conn.execute(
        "SELECT topic FROM lesson_topics WHERE lesson_id = ? AND deleted = 0", [lesson_id]
    ).fetchone()
    homework = conn.execute(
        "SELECT id, due_date, text FROM homework WHERE lesson_id = ? AND deleted = 0"
        " ORDER BY due_date",
        [lesson_id],
    ).fetchall()
    return {**lesson_view(row), "topic": topic["topic"] if topic else None, "homework": homework}


def classes_for(conn: sqlite3.Connection, who: Principal) -> list[Row]:
    visible = visible_classes(conn, who)
    rows = conn.execute(
        "SELECT c.id, c.sourced_id, c.title, c.code,"
        " (SELECT count(*) FROM enrollments e WHERE e.class_id = c.id AND e.role = 'student'"
        "  AND e.deleted = 0) AS students"
        " FROM classes c WHERE c.deleted = 0 ORDER BY c.title"
    ).fetchall()
    return [r for r in rows if visible is None or r["id"] in visible]


def students_of(conn: sqlite3.Connection, class_id: str) -> list[Row]:
    return conn.execute(
        "SELECT p.id, p.sourced_id, p.given_name, p.family_name FROM enrollments e"
        " JOIN people p ON p.id = e.person_id"
        " WHERE e.class_id = ? AND e.role = 'student' AND e.deleted = 0 AND p.deleted = 0"
        " ORDER BY p.family_name, p.given_name",
        [class_id],
    ).fetchall()


def find_room(conn: sqlite3.Connection, name_or_id: str) -> str | None:
    """The id of the live room with that name or id (rooms come from the timetable import)."""
    found = conn.execute(
        "SELECT id FROM rooms WHERE (name = ? OR id = ?) AND deleted = 0", [name_or_id, name_or_id]
    ).fetchone()
    return None if found is None else str(found["id"])
