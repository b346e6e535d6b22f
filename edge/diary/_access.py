"""Who may read and write what: a teacher writes only for the classes she teaches (or the lessons
she gives as a substitute); a student reads only her own diary; devices get nothing here."""

from __future__ import annotations

import sqlite3

from edge.accounts import Principal, Role
from edge.db import Row
from edge.diary._errors import ForbiddenError, NotFoundError


def classes_taught(conn: sqlite3.Connection, person_id: str) -> set[str]:
    rows = conn.execute(
        "SELECT class_id FROM enrollments WHERE person_id = ? AND role = 'teacher' AND deleted = 0"
        " UNION SELECT DISTINCT class_id FROM lessons WHERE teacher_id = ? AND deleted = 0",
        [person_id, person_id],
    ).fetchall()
    return {r["class_id"] for r in rows}


def teaches_class(conn: sqlite3.Connection, person_id: str, class_id: str) -> bool:
    row = conn.execute(
        "SELECT EXISTS (SELECT 1 FROM enrollments WHERE person_id = ? AND class_id = ?"
        " AND role = 'teacher' AND deleted = 0) OR EXISTS (SELECT 1 FROM lessons"
        " WHERE teacher_id = ? AND class_id = ? AND deleted = 0) AS teaches",
        [person_id, class_id, person_id, class_id],
    ).fetchone()
    return bool(row["teaches"])


def classes_attended(conn: sqlite3.Connection, person_id: str) -> set[str]:
    rows = conn.execute(
        "SELECT class_id FROM enrollments WHERE person_id = ? AND role = 'student' AND deleted = 0",
        [person_id],
    ).fetchall()
    return {r["class_id"] for r in rows}


def visible_classes(conn: sqlite3.Connection, who: Principal) -> set[str] | None:
    """The classes a caller may see; None means all of them (admin)."""
    if who.role is Role.ADMIN:
        return None
    if who.person_id is None or who.role is Role.DEVICE:
        return set()
    if who.role is Role.TEACHER:
        return classes_taught(conn, who.person_id)
    return classes_attended(conn, who.person_id)


def require_class_writer(conn: sqlite3.Connection, who: Principal, class_id: str) -> None:
    if who.role is Role.ADMIN:
        return
    if who.role is Role.TEACHER and who.person_id and teaches_class(conn, who.person_id, class_id):
        return
    raise ForbiddenError("only a teacher of this class (or an admin) may change its diary")


def require_lesson_writer(conn: sqlite3.Connection, who: Principal, lesson: Row) -> None:
    if who.role is Role.TEACHER and who.person_id and lesson["teacher_id"] == who.person_id:
        return
    require_class_writer(conn, who, lesson["class_id"])


def require_class_reader(conn: sqlite3.Connection, who: Principal, class_id: str) -> None:
    classes = visible_classes(conn, who)
    if classes is not None and class_id not in classes:
        raise ForbiddenError("this class is not yours")


def require_student_reader(conn: sqlite3.Connection, who: Principal, student_id: str) -> None:
    if who.role is Role.ADMIN:
        return
    if who.role is Role.STUDENT and who.person_id == student_id:
        return
    if who.role is Role.TEACHER and who.person_id:
        shared = classes_attended(conn, student_id) & classes_taught(conn, who.person_id)
        if shared:
            return
    raise ForbiddenError("you may not read this student's diary")


def get_lesson(conn: sqlite3.Connection, lesson_id: str) -> Row:
    lesson: Row | None = conn.execute(
        "SELECT * FROM lessons WHERE id = ? AND deleted = 0", [lesson_id]
    ).fetchone()
    if lesson is None:
        raise NotFoundError(f"no lesson {lesson_id}")
    return lesson


def require_student_in_class(conn: sqlite3.Connection, student_id: str, class_id: str) -> None:
    if class_id not in classes_attended(conn, student_id):
        raise NotFoundError(f"student {student_id} is not in this class")


def get_lesson_for_writer(conn: sqlite3.Connection, who: Principal, lesson_id: str) -> Row:
    """The lesson, if the caller may take its register (its teacher, a teacher of the class or
    an admin)."""
    lesson = get_lesson(conn, lesson_id)
    require_lesson_writer(conn, who, lesson)
    return lesson
