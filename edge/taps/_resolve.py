"""A tap becomes diary, in the one write transaction that stores it: the raw tap, then card →
person, then either classroom reader + time → lesson → present or late, or entrance reader →
an entry or exit event for the parents' feed. A teacher's manual mark always wins over a tap."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from devices import Tap
from edge.db import Row, Tx
from edge.settings import AttendanceSettings


@dataclass(frozen=True)
class TapResult:
    tap_id: str
    outcome: (
        str  # present, late, repeat, manual_kept, no_lesson, not_in_class, unknown_card, in, out
    )
    person_id: str | None = None
    lesson_id: str | None = None


def record_tap(tx: Tx, tap: Tap, reader: Row, rules: AttendanceSettings, tz: ZoneInfo) -> TapResult:
    card = tx.one("SELECT person_id FROM cards WHERE uid = ? AND deleted = 0", [tap.card_uid])
    person_id = card["person_id"] if card else None
    if person_id is None:
        return _store(tx, tap, "unknown_card")
    if reader["location"] == "entrance":
        return _entrance(tx, tap, reader, person_id, tz)
    return _classroom(tx, tap, reader["room_id"], person_id, rules, tz)


def _store(
    tx: Tx,
    tap: Tap,
    outcome: str,
    person_id: str | None = None,
    lesson_id: str | None = None,
    direction: str | None = None,
) -> TapResult:
    tap_id = tx.insert(
        "taps",
        {
            "card_uid": tap.card_uid,
            "reader_id": tap.reader_id,
            "at": _iso(tap.at),
            "person_id": person_id,
            "outcome": outcome,
            "lesson_id": lesson_id,
            "direction": direction,
        },
    )
    return TapResult(tap_id, outcome, person_id, lesson_id)


def _entrance(tx: Tx, tap: Tap, reader: Row, person_id: str, tz: ZoneInfo) -> TapResult:
    direction = reader["direction"]
    if direction == "toggle":
        direction = "out" if _last_direction_today(tx, person_id, tap.at, tz) == "in" else "in"
    result = _store(tx, tap, direction, person_id, direction=direction)
    tx.insert(
        "presence_events",
        {
            "person_id": person_id,
            "reader_id": tap.reader_id,
            "direction": direction,
            "at": _iso(tap.at),
            "tap_id": result.tap_id,
        },
    )
    return result


def _last_direction_today(tx: Tx, person_id: str, at: datetime, tz: ZoneInfo) -> str | None:
    local_midnight = at.astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0)
    row = tx.one(
        "SELECT direction FROM presence_events WHERE person_id = ? AND at >= ? AND deleted = 0"
        " ORDER BY at DESC LIMIT 1",
        [person_id, _iso(local_midnight)],
    )
    return None if row is None else str(row["direction"])


def _classroom(
    tx: Tx, tap: Tap, room_id: str, person_id: str, rules: AttendanceSettings, tz: ZoneInfo
) -> TapResult:
    local = tap.at.astimezone(tz)
    lessons = _lessons_now(tx, room_id, local, rules.early_minutes)
    if not lessons:
        return _store(tx, tap, "no_lesson", person_id)
    lesson = next((row for row in lessons if _enrolled(tx, person_id, row["class_id"])), None)
    if lesson is None:
        return _store(tx, tap, "not_in_class", person_id, lessons[0]["id"])
    existing = tx.one(
        "SELECT source FROM attendance WHERE lesson_id = ? AND student_id = ? AND deleted = 0",
        [lesson["id"], person_id],
    )
    if existing is not None:
        outcome = "manual_kept" if existing["source"] == "manual" else "repeat"
        return _store(tx, tap, outcome, person_id, lesson["id"])
    status = (
        "late"
        if local > _start(lesson, local) + timedelta(minutes=rules.late_after_minutes)
        else "present"
    )
    result = _store(tx, tap, status, person_id, lesson["id"])
    tx.insert(
        "attendance",
        {
            "lesson_id": lesson["id"],
            "student_id": person_id,
            "status": status,
            "note": "",
            "source": "tap",
            "recorded_by": f"reader:{tap.reader_id}",
            "recorded_at": _iso(tap.at),
        },
    )
    return result


def _lessons_now(tx: Tx, room_id: str, local: datetime, early_minutes: int) -> list[Row]:
    soon = (local + timedelta(minutes=early_minutes)).strftime("%H:%M")
    return tx.query(
        "SELECT id, class_id, start_time FROM lessons WHERE room_id = ? AND date = ?"
        " AND status = 'scheduled' AND deleted = 0 AND start_time <= ? AND end_time > ?"
        " ORDER BY start_time",
        [room_id, local.date().isoformat(), soon, local.strftime("%H:%M")],
    )


def _enrolled(tx: Tx, person_id: str, class_id: str) -> bool:
    return bool(
        tx.one(
            "SELECT 1 FROM enrollments WHERE person_id = ? AND class_id = ? AND role = 'student'"
            " AND deleted = 0",
            [person_id, class_id],
        )
    )


def _start(lesson: Row, local: datetime) -> datetime:
    hours, minutes = map(int, str(lesson["start_time"]).split(":"))
    return local.replace(hour=hours, minute=minutes, second=0, microsecond=0)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")
