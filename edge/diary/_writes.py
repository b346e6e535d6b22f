"""Diary writes: attendance, marks, homework and lesson topics. Each runs inside one writer
transaction, so the permission check and the write see the same data."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from edge.accounts import Principal
from edge.db import Row, Tx
from edge.diary._access import (
    get_lesson,
    require_class_writer,
    require_lesson_writer,
    require_student_in_class,
)
from edge.diary._errors import ConflictError, InvalidError, NotFoundError

ATTENDANCE_STATUSES = ("present", "absent", "late", "excused")


def _stamp(who: Principal) -> dict[str, str]:
    return {
        "recorded_by": who.person_id or who.username,
        "recorded_at": datetime.now(UTC).isoformat(timespec="milliseconds"),
    }


def _open_lesson(tx: Tx, who: Principal, lesson_id: str) -> Row:
    lesson = get_lesson(tx.conn, lesson_id)
    require_lesson_writer(tx.conn, who, lesson)
    if lesson["status"] == "cancelled":
        raise ConflictError("the lesson is cancelled")
    return lesson


def record_attendance(
    tx: Tx, who: Principal, lesson_id: str, student_id: str, status: str, note: str
) -> Row:
    lesson = _open_lesson(tx, who, lesson_id)
    require_student_in_class(tx.conn, student_id, lesson["class_id"])
    values = {"status": status, "note": note, "source": "manual", **_stamp(who)}
    row_id, _ = tx.upsert("attendance", {"lesson_id": lesson_id, "student_id": student_id}, values)
    return _row(tx, "attendance", row_id)


def set_topic(tx: Tx, who: Principal, lesson_id: str, topic: str) -> Row:
    _open_lesson(tx, who, lesson_id)
    row_id, _ = tx.upsert(
        "lesson_topics", {"lesson_id": lesson_id}, {"topic": topic, **_stamp(who)}
    )
    return _row(tx, "lesson_topics", row_id)


def check_mark_value(value: int, lowest: int, highest: int) -> None:
    if not lowest <= value <= highest:
        raise InvalidError(f"a mark is from {lowest} to {highest}, not {value}")


def create_mark(tx: Tx, who: Principal, fields: dict[str, Any], today: date) -> Row:
    class_id = fields["class_id"]
    require_class_writer(tx.conn, who, class_id)
    require_student_in_class(tx.conn, fields["student_id"], class_id)
    lesson_id = fields.get("lesson_id")
    if lesson_id is not None and get_lesson(tx.conn, lesson_id)["class_id"] != class_id:
        raise InvalidError("the lesson belongs to another class")
    row = {
        "student_id": fields["student_id"],
        "class_id": class_id,
        "lesson_id": lesson_id,
        "value": fields["value"],
        "comment": fields.get("comment", ""),
        "date": fields.get("date", today.isoformat()),
        **_stamp(who),
    }
    return _row(tx, "marks", tx.insert("marks", row))


def edit_mark(tx: Tx, who: Principal, mark_id: str, changes: dict[str, Any]) -> Row:
    mark = _row(tx, "marks", mark_id)
    require_class_writer(tx.conn, who, mark["class_id"])
    if any(mark[k] != v for k, v in changes.items()):
        tx.update("marks", mark_id, {**changes, **_stamp(who)})
    return _row(tx, "marks", mark_id)


def delete_mark(tx: Tx, who: Principal, mark_id: str) -> None:
    mark = _row(tx, "marks", mark_id)
    require_class_writer(tx.conn, who, mark["class_id"])
    tx.delete("marks", mark_id)


def create_homework(tx: Tx, who: Principal, lesson_id: str, due: date, text: str) -> Row:
    lesson = _open_lesson(tx, who, lesson_id)
    if due.isoformat() < lesson["date"]:
        raise InvalidError("homework cannot be due before the lesson that sets it")
    row = {
        "lesson_id": lesson_id,
        "class_id": lesson["class_id"],
        "due_date": due.isoformat(),
        "text": text,
        **_stamp(who),
    }
    return _row(tx, "homework", tx.insert("homework", row))


def edit_homework(tx: Tx, who: Principal, homework_id: str, changes: dict[str, Any]) -> Row:
    homework = _row(tx, "homework", homework_id)
    lesson = get_lesson(tx.conn, homework["lesson_id"])
    require_lesson_writer(tx.conn, who, lesson)
    if changes.get("due_date", lesson["date"]) < lesson["date"]:
        raise InvalidError("homework cannot be due before the lesson that sets it")
    if any(homework[k] != v for k, v in changes.items()):
        tx.update("homework", homework_id, {**changes, **_stamp(who)})
    return _row(tx, "homework", homework_id)


def delete_homework(tx: Tx, who: Principal, homework_id: str) -> None:
    homework = _row(tx, "homework", homework_id)
    require_lesson_writer(tx.conn, who, get_lesson(tx.conn, homework["lesson_id"]))
    tx.delete("homework", homework_id)


def _row(tx: Tx, table: str, row_id: str) -> Row:
    row = tx.one(f"SELECT * FROM {table} WHERE id = ? AND deleted = 0", [row_id])
    if row is None:
        raise NotFoundError(f"no {table.rstrip('s').replace('_', ' ')} {row_id}")
    return {k: v for k, v in row.items() if k != "deleted"}
