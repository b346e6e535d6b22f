"""A tap becomes the right diary rows, in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from devices import Tap
from edge.db import Database, Row, Tx
from edge.settings import AttendanceSettings, Settings
from edge.taps import ReaderError, TapResult, add_reader, assign_card, record_tap, unknown_cards
from tests._school import School, seed_school

TODAY = datetime(2026, 11, 23).date()  # the school's "Mathematics 7A" is at 09:00-10:00 in Room 12
RULES = AttendanceSettings(late_after_minutes=5, early_minutes=15)
TZ = Settings().tz


def at(hhmm: str) -> datetime:
    hours, minutes = map(int, hhmm.split(":"))
    return datetime(2026, 11, 23, hours, minutes, tzinfo=UTC)


@pytest.fixture
async def school(db: Database) -> School:
    school = await seed_school(db, TODAY)

    def setup(tx: Tx) -> None:
        add_reader(
            tx,
            name="door-12",
            protocol="rdm6300",
            address="/dev/serial/by-id/r12",
            room="Room 12",
        )
        add_reader(
            tx,
            name="gate",
            protocol="rdm6300",
            address="tcp://127.0.0.1:4000",
            direction="toggle",
        )
        assign_card(tx, "0000000001", "sam")
        assign_card(tx, "0000000003", "tom")

    await db.write(setup)
    return school


async def tap(db: Database, reader: str, uid: str, when: str) -> TapResult:
    def run(tx: Tx) -> TapResult:
        row = tx.one("SELECT * FROM readers WHERE name = ?", [reader])
        assert row is not None
        return record_tap(tx, Tap(uid, row["id"], at(when)), row, RULES, TZ)

    return await db.write(run)


def _adding(fields: dict[str, Any]) -> Callable[[Tx], Row]:
    return lambda tx: add_reader(tx, **fields)


async def attendance(db: Database) -> list[Row]:
    return await db.read(lambda c: c.execute("SELECT status, source FROM attendance").fetchall())


async def test_on_time_tap_marks_present_then_repeats_change_nothing(
    db: Database, school: School
) -> None:
    first = await tap(db, "door-12", "0000000001", "08:50")  # within the 15 min before start
    assert (first.outcome, first.person_id) == ("present", school["sam"])
    assert first.lesson_id == school["lesson"]
    again = await tap(db, "door-12", "0000000001", "09:20")
    assert again.outcome == "repeat"
    assert await attendance(db) == [{"status": "present", "source": "tap"}]


async def test_late_after_the_grace_period(db: Database, school: School) -> None:
    assert (await tap(db, "door-12", "0000000001", "09:05")).outcome == "present"
    await db.write(lambda tx: tx.conn.execute("DELETE FROM attendance"))
    assert (await tap(db, "door-12", "0000000001", "09:06")).outcome == "late"


async def test_a_teachers_manual_mark_wins_over_taps(db: Database, school: School) -> None:
    def manual(tx: Tx) -> None:
        tx.insert(
            "attendance",
            {
                "lesson_id": school["lesson"],
                "student_id": school["sam"],
                "status": "excused",
                "source": "manual",
                "recorded_at": "2026-11-23T08:00:00",
            },
        )

    await db.write(manual)
    assert (await tap(db, "door-12", "0000000001", "09:00")).outcome == "manual_kept"
    assert await attendance(db) == [{"status": "excused", "source": "manual"}]


async def test_taps_outside_lessons_or_classes_are_kept_but_mark_nothing(
    db: Database, school: School
) -> None:
    assert (await tap(db, "door-12", "0000000001", "08:30")).outcome == "no_lesson"
    assert (await tap(db, "door-12", "0000000003", "09:01")).outcome == "not_in_class"
    unknown = await tap(db, "door-12", "0000009999", "09:01")
    assert (unknown.outcome, unknown.person_id) == ("unknown_card", None)
    assert await attendance(db) == []
    taps = await db.read(lambda c: c.execute("SELECT outcome FROM taps ORDER BY at").fetchall())
    assert len(taps) == 3
    listed = await db.read(unknown_cards)
    assert [row["card_uid"] for row in listed] == ["0000009999"]


async def test_entrance_toggles_in_and_out_and_logs_for_sync(db: Database, school: School) -> None:
    outcomes = [
        (await tap(db, "gate", "0000000001", t)).outcome for t in ("07:50", "13:40", "14:00")
    ]
    assert outcomes == ["in", "out", "in"]
    events = await db.read(
        lambda c: c.execute("SELECT direction FROM presence_events ORDER BY at").fetchall()
    )
    assert [e["direction"] for e in events] == ["in", "out", "in"]
    logged = await db.read(
        lambda c: c.execute(
            "SELECT table_name, count(*) AS n FROM change_log WHERE table_name IN"
            " ('taps', 'presence_events') GROUP BY table_name ORDER BY table_name"
        ).fetchall()
    )
    assert logged == [{"table_name": "presence_events", "n": 3}, {"table_name": "taps", "n": 3}]


async def test_a_cancelled_lesson_takes_no_attendance(db: Database, school: School) -> None:
    # the seeded cancelled lesson is 12:00-13:00 in Room 12
    assert (await tap(db, "door-12", "0000000001", "12:10")).outcome == "no_lesson"


async def test_registry_refuses_bad_readers(db: Database, school: School) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"room": "Room 12", "direction": "in"}, "either at a room"),
        ({"room": "Room 99"}, "no room 'Room 99'"),
        ({"room": "Room 12", "address": "COM3"}, "expected a device path"),
        ({"room": "Room 12", "protocol": "magic"}, "unknown protocol 'magic'"),
        ({"room": "Room 12", "name": "door-12"}, "a reader named 'door-12' exists"),
        ({"room": "Room 12", "address": "/dev/serial/by-id/r12"}, "'door-12' already reads"),
        ({"room": "Room 12", "options": {"required_reads": "two"}}, "rdm6300 options"),
        ({"room": "Room 12", "options": {"colour": 1}}, "rdm6300 options"),
    ]
    for overrides, message in cases:
        fields: dict[str, Any] = {"name": "x", "protocol": "rdm6300", "address": "/dev/ttyUSB0"}
        fields.update(overrides)
        with pytest.raises(ReaderError, match=message):
            await db.write(_adding(fields))
    with pytest.raises(ReaderError, match="no person"):
        await db.write(lambda tx: assign_card(tx, "123", "nobody"))


async def test_wedge_readers_use_a_keyboard_input_and_only_they_do(
    db: Database, school: School
) -> None:
    def add(name: str, protocol: str, address: str) -> Callable[[Tx], Row]:
        return lambda tx: add_reader(
            tx, name=name, protocol=protocol, address=address, room="Room 12"
        )

    node = "/dev/input/by-id/usb-Reader-event-kbd"
    desk = await db.write(add("desk", "wedge", node))
    assert (desk["address"], desk["baudrate"]) == (node, 0)
    assert (await db.write(add("desk-2", "wedge", "keyboard:")))["baudrate"] == 0
    refused = [
        ("wedge", "/dev/serial/by-id/r12", "is not a keyboard input"),
        ("wedge", "tcp://127.0.0.1:4000", "is not a keyboard input"),
        ("rdm6300", node, "is a keyboard input, read only with protocol 'wedge'"),
        ("rdm6300", "keyboard:", "is a keyboard input, read only with protocol 'wedge'"),
    ]
    for protocol, address, message in refused:
        with pytest.raises(ReaderError, match=message):
            await db.write(add("x", protocol, address))
