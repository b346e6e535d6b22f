"""Diary reads: the attendance register of a lesson, marks, homework, a student's diary."""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import Any

from edge.accounts import Principal, Role
from edge.db import Row
from edge.diary._access import (
    get_lesson_for_writer,
    require_class_reader,
    require_student_reader,
    visible_classes,
)
from edge.diary._timetable import students_of


def attendance_register(conn: sqlite3.Connection, who: Principal, lesson_id: str) -> dict[str, Any]:
    lesson = get_lesson_for_writer(conn, who, lesson_id)
    marks = {
        row["student_id"]: row
        for row in conn.execute(
            "SELECT student_id, status, note, source, recorded_by, recorded_at FROM attendance"
            " WHERE lesson_id = ? AND deleted = 0",
            [lesson_id],
        )
    }
    register = []
    for student in students_of(conn, lesson["class_id"]):
        entry = marks.get(student["id"], {})
        register.append(
            {
                "student": {
                    "id": student["id"],
                    "name": f"{student['given_name']} {student['family_name']}",
                },
                "status": entry.get("status"),
                "note": entry.get("note", ""),
                "source": entry.get("source"),
                "recorded_by": entry.get("recorded_by"),
                "recorded_at": entry.get("recorded_at"),
            }
        )
    return {"lesson_id": lesson_id, "date": lesson["date"], "register": register}


def _scoped(
    conn: sqlite3.Connection, who: Principal, table: str, filters: dict[str, str | None]
) -> list[Row]:
    clauses, params = [f"{table}.deleted = 0"], []
    for column, value in filters.items():
        if value is not None:
            clauses.append(f"{table}.{column} = ?")
            params.append(value)
    if who.role is Role.STUDENT and table == "marks":
        clauses.append("marks.student_id = ?")
        params.append(who.person_id or "")
    visible = visible_classes(conn, who)
    rows = conn.execute(
        f"SELECT * FROM {table} WHERE {' AND '.join(clauses)} ORDER BY recorded_at", params
    ).fetchall()
    return [
        {k: v for k, v in r.items() if k != "deleted"}
        for r in rows
        if visible is None or r["class_id"] in visible
    ]


def list_marks(
    conn: sqlite3.Connection, who: Principal, class_id: str | None, student_id: str | None
) -> list[Row]:
    if class_id is not None:
        require_class_reader(conn, who, class_id)
    if student_id is not None:
        require_student_reader(conn, who, student_id)
    return _scoped(conn, who, "marks", {"class_id": class_id, "student_id": student_id})


def list_homework(conn: sqlite3.Connection, who: Principal, class_id: str | None) -> list[Row]:
    if class_id is not None:
        require_class_reader(conn, who, class_id)
    return _scoped(conn, who, "homework", {"class_id": class_id})


def student_diary(
    conn: sqlite3.Connection, who: Principal, student_id: str, first: date, last: date
) -> dict[str, Any]:
    require_student_reader(conn, who, student_id)
    span = [student_id, first.isoformat(), last.isoformat()]
    attendance = conn.execute(
        "SELECT a.lesson_id, l.date, l.start_time, c.title AS class_title, a.status, a.note"
        " FROM attendance a JOIN lessons l ON l.id = a.lesson_id"
        " JOIN classes c ON c.id = l.class_id"
        " WHERE a.student_id = ? AND a.deleted = 0 AND l.date BETWEEN ? AND ?"
        " ORDER BY l.date, l.start_time",
        span,
    ).fetchall()
    marks = conn.execute(
        "SELECT m.id, m.date, m.value, m.comment, c.title AS class_title FROM marks m"
        " JOIN classes c ON c.id = m.class_id"
        " WHERE m.student_id = ? AND m.deleted = 0 AND m.date BETWEEN ? AND ? ORDER BY m.date",
        span,
    ).fetchall()
    homework = conn.execute(
        "SELECT h.id, h.due_date, h.text, c.title AS class_title FROM homework h"
        " JOIN classes c ON c.id = h.class_id JOIN enrollments e ON e.class_id = h.class_id"
        " WHERE e.person_id = ? AND e.role = 'student' AND e.deleted = 0 AND h.deleted = 0"
        " AND h.due_date BETWEEN ? AND ? ORDER BY h.due_date",
        span,
    ).fetchall()
    return {
        "student_id": student_id,
        "attendance": attendance,
        "marks": marks,
        "homework": homework,
    }
