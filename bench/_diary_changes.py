"""Realistic diary changes: what a 1,000-student school writes in a few school days (taps at
the entrance and doors, attendance from taps and teachers, marks, homework, topics)."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial

from sync import HybridClock
from sync._wire import Change

STATUSES = ("present", "present", "present", "present", "late", "absent", "excused")


class _Wall:
    """The clock a change was really made at: ids and HLCs as random as real ones."""

    def __init__(self, seed: int) -> None:
        self.now = datetime(2026, 9, 1, tzinfo=UTC)
        self._rng = random.Random(seed)

    def __call__(self) -> float:
        return self.now.timestamp()

    def uuid7(self, at: datetime | None = None) -> str:
        ms = int((at or self.now).timestamp() * 1000)
        rand = self._rng.getrandbits(74)
        value = ms << 80 | 0x7 << 76 | (rand >> 62) << 64 | 0b10 << 62 | (rand & ((1 << 62) - 1))
        return str(uuid.UUID(int=value))


Event = tuple[datetime, Callable[[], Change]]


NODE = "box7f3a9c2e"


def school_days(days: int, students: int = 1000, seed: int = 1) -> list[Change]:
    """The changes in the order the box writes them, each at its moment of the day."""
    rng = random.Random(seed)
    wall = _Wall(seed)
    clock = HybridClock(NODE, wall=wall)
    people = [wall.uuid7() for _ in range(students)]
    teachers = [wall.uuid7() for _ in range(students // 15)]
    readers = [wall.uuid7() for _ in range(12)]
    classes = [people[i : i + 25] for i in range(0, students, 25)]
    events: list[Event] = []
    start = datetime(2026, 11, 23, 7, 30, tzinfo=UTC)
    for day in range(days):
        morning = start + timedelta(days=day)
        for student in people:  # in at the entrance
            at = morning + timedelta(seconds=rng.uniform(0, 3600))
            events.append((at, partial(_tap, clock, wall, student, rng.choice(readers))))
        for lesson_no in range(6):
            moment = morning + timedelta(minutes=30 + 55 * lesson_no)
            for students_of_class in classes:
                events += _lesson(clock, wall, students_of_class, rng.choice(teachers), moment, rng)
    events.sort(key=lambda event: event[0])
    changes = []
    for at, make in events:
        wall.now = at
        changes.append(make())
    return changes


def _lesson(
    clock: HybridClock,
    wall: _Wall,
    students: list[str],
    teacher: str,
    moment: datetime,
    rng: random.Random,
) -> list[Event]:
    lesson = wall.uuid7(moment)
    events: list[Event] = [
        (
            moment + timedelta(seconds=rng.uniform(-300, 400)),
            partial(_attendance, clock, wall, lesson, student, teacher, rng),
        )
        for student in students
    ]
    if rng.random() < 0.5:
        at = moment + timedelta(seconds=rng.uniform(600, 2400))
        events.append((at, partial(_mark, clock, wall, rng.choice(students), lesson, teacher, rng)))
    return events


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds")


def _attendance(
    clock: HybridClock, wall: _Wall, lesson: str, student: str, teacher: str, rng: random.Random
) -> Change:
    fields = {
        "lesson_id": lesson,
        "student_id": student,
        "status": rng.choice(STATUSES),
        "note": "",
        "source": "tap" if rng.random() < 0.8 else "manual",
        "recorded_by": teacher,
        "recorded_at": _iso(wall.now),
    }
    return Change("attendance", wall.uuid7(), "upsert", clock.now().encode(), 0, fields)


def _mark(
    clock: HybridClock, wall: _Wall, student: str, lesson: str, teacher: str, rng: random.Random
) -> Change:
    fields = {
        "student_id": student,
        "class_id": lesson,
        "lesson_id": lesson,
        "value": rng.randint(1, 5),
        "comment": "",
        "date": wall.now.date().isoformat(),
        "recorded_by": teacher,
        "recorded_at": _iso(wall.now),
    }
    return Change("marks", wall.uuid7(), "upsert", clock.now().encode(), 0, fields)


def _tap(clock: HybridClock, wall: _Wall, student: str, reader: str) -> Change:
    fields = {
        "card_uid": f"{int(student[-8:], 16) % 10**10:010d}",
        "reader_id": reader,
        "at": _iso(wall.now),
        "person_id": student,
        "outcome": "in",
        "lesson_id": None,
        "direction": "in",
    }
    return Change("taps", wall.uuid7(), "upsert", clock.now().encode(), 0, fields)
