"""A small school written straight into the database, for API tests.

Two classes; Ms Teach teaches 7A (and gives one lesson in 7B as a substitute), Mr Other teaches
7B; Sam and Sue are in 7A, Tom in 7B. Lessons: today and tomorrow, plus one cancelled."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from edge.accounts import Role, add_user, hash_password
from edge.db import Database, Tx

PASSWORD = "correct-horse-battery"


@cache
def password_hash() -> str:
    return hash_password(PASSWORD)


@dataclass
class School:
    today: date
    ids: dict[str, str]

    def __getitem__(self, key: str) -> str:
        return self.ids[key]


def _person(tx: Tx, sourced_id: str, role: str, given: str, family: str) -> str:
    return tx.insert(
        "people",
        {
            "sourced_id": sourced_id,
            "role": role,
            "given_name": given,
            "family_name": family,
            "username": sourced_id,
            "email": f"{sourced_id}@school.example",
        },
    )


def _enrol(tx: Tx, class_id: str, person_id: str, role: str) -> None:
    tx.insert(
        "enrollments",
        {
            "sourced_id": f"e-{class_id}-{person_id}",
            "class_id": class_id,
            "person_id": person_id,
            "role": role,
        },
    )


def _lesson(
    tx: Tx,
    key: str,
    class_id: str,
    teacher_id: str,
    room_id: str,
    day: date,
    start: str,
    status: str = "scheduled",
) -> str:
    return tx.insert(
        "lessons",
        {
            "source_key": key,
            "class_id": class_id,
            "teacher_id": teacher_id,
            "room_id": room_id,
            "title": "Mathematics",
            "date": day.isoformat(),
            "start_time": start,
            "end_time": f"{int(start[:2]) + 1:02d}{start[2:]}",
            "status": status,
        },
    )


def _build(tx: Tx, today: date) -> dict[str, str]:
    ids: dict[str, str] = {}
    ids["room"] = tx.insert("rooms", {"name": "Room 12"})
    ids["7a"] = tx.insert("classes", {"sourced_id": "c-7a", "title": "Class 7A", "code": "7A"})
    ids["7b"] = tx.insert("classes", {"sourced_id": "c-7b", "title": "Class 7B", "code": "7B"})
    ids["teach"] = _person(tx, "teach", "teacher", "Mia", "Teach")
    ids["other"] = _person(tx, "other", "teacher", "Otto", "Other")
    ids["sam"] = _person(tx, "sam", "student", "Sam", "Adams")
    ids["sue"] = _person(tx, "sue", "student", "Sue", "Brown")
    ids["tom"] = _person(tx, "tom", "student", "Tom", "Clark")
    _enrol(tx, ids["7a"], ids["teach"], "teacher")
    _enrol(tx, ids["7b"], ids["other"], "teacher")
    for student, klass in (("sam", "7a"), ("sue", "7a"), ("tom", "7b")):
        _enrol(tx, ids[klass], ids[student], "student")
    tomorrow = today + timedelta(days=1)
    ids["lesson"] = _lesson(tx, "l1", ids["7a"], ids["teach"], ids["room"], today, "09:00")
    ids["lesson_7b"] = _lesson(tx, "l2", ids["7b"], ids["other"], ids["room"], today, "10:00")
    ids["substitute"] = _lesson(tx, "l3", ids["7b"], ids["teach"], ids["room"], today, "11:00")
    ids["tomorrow"] = _lesson(tx, "l4", ids["7a"], ids["teach"], ids["room"], tomorrow, "09:00")
    ids["cancelled"] = _lesson(
        tx, "l5", ids["7a"], ids["teach"], ids["room"], today, "12:00", "cancelled"
    )
    accounts = {
        "admin": (Role.ADMIN, None),
        "teach": (Role.TEACHER, "teach"),
        "other": (Role.TEACHER, "other"),
        "sam": (Role.STUDENT, "sam"),
        "tom": (Role.STUDENT, "tom"),
        "panel": (Role.DEVICE, None),
    }
    for username, (role, person) in accounts.items():
        add_user(tx, username, role, password_hash(), person)
    return ids


async def seed_school(db: Database, today: date) -> School:
    return School(today, await db.write(lambda tx: _build(tx, today)))
