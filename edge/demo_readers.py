"""The demo's card readers: byte-exact simulators at two classroom doors (RDM6300) and at the
entrance (a Wiegand reader behind a hex converter), registered like real ones, and a tapper that
walks students through them so registers fill up while you watch."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import random
import sqlite3
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from devices.simulators import Rdm6300Simulator, ReaderSimulator, TcpLink, WiegandSimulator
from edge.db import Database, Row, Tx
from edge.taps import add_reader, assign_card

CLASSROOMS = ("Room 101", "Room 102")
EARLY_MINUTES = 10  # students turn up this long before a lesson (the box counts 15)
FIRST_CARD = 1000


def card_uid(number: int) -> str:
    """A demo EM4100 card; its id fits 24 bits, so Wiegand and RDM6300 readers agree on it."""
    return f"{number:010d}"


@dataclass
class DemoReaders:
    doors: dict[str, Rdm6300Simulator]  # room name → the reader at its door
    entrance: WiegandSimulator


def give_demo_cards(tx: Tx) -> None:
    """A card for every student, numbered from FIRST_CARD in sourcedId order."""
    students = tx.query("SELECT sourced_id FROM people WHERE role = 'student' ORDER BY sourced_id")
    for number, student in enumerate(students, start=FIRST_CARD):
        assign_card(tx, card_uid(number), student["sourced_id"])


@contextlib.asynccontextmanager
async def demo_readers(db: Database) -> AsyncIterator[DemoReaders]:
    doors = {room: Rdm6300Simulator(TcpLink()) for room in CLASSROOMS}
    entrance = WiegandSimulator(TcpLink(), "hex")
    simulators: list[ReaderSimulator] = [*doors.values(), entrance]
    for simulator in simulators:
        await simulator.start()
    try:
        await db.write(lambda tx: _register(tx, doors, entrance))
        yield DemoReaders(doors, entrance)
    finally:
        for simulator in simulators:
            await simulator.close()


def _register(tx: Tx, doors: dict[str, Rdm6300Simulator], entrance: WiegandSimulator) -> None:
    for room, simulator in doors.items():
        add_reader(
            tx,
            name=f"door {room}",
            protocol="rdm6300",
            address=simulator.address,
            room=room,
        )
    add_reader(
        tx,
        name="entrance",
        protocol="wiegand-hex",
        address=entrance.address,
        direction="toggle",
    )


async def tap_forever(
    db: Database, readers: DemoReaders, clock: Callable[[], datetime], seed: int = 1
) -> None:
    """Every few seconds a student of the lesson under way taps in at a door, and somebody
    passes the entrance."""
    rng = random.Random(seed)
    while True:
        await asyncio.sleep(rng.uniform(2.0, 5.0))
        room = rng.choice(CLASSROOMS)
        soon = clock() + timedelta(minutes=EARLY_MINUTES)
        students = await db.read(functools.partial(_students_due, room=room, now=soon))
        if students:
            await _present(readers.doors[room], _em4100(rng.choice(students)))
        everyone = await db.read(_all_cards)
        await _present(readers.entrance, rng.choice(everyone)["uid"])


async def _present(simulator: ReaderSimulator, card: str) -> None:
    simulator.present(card)
    await asyncio.sleep(0.4)
    simulator.remove()


def _em4100(uid: str) -> str:
    """The 10 hex characters an RDM6300 sends for a demo card: version byte 0A, then the id."""
    return f"0A{int(uid):08X}"


def _students_due(conn: sqlite3.Connection, room: str, now: datetime) -> list[str]:
    """Cards of students whose lesson in `room` is under way at `now` and who have not tapped
    in yet."""
    rows: list[Row] = conn.execute(
        "SELECT c.uid FROM lessons l JOIN rooms r ON r.id = l.room_id"
        " JOIN enrollments e ON e.class_id = l.class_id AND e.role = 'student' AND e.deleted = 0"
        " JOIN cards c ON c.person_id = e.person_id AND c.deleted = 0"
        " WHERE r.name = ? AND l.date = ? AND l.start_time <= ? AND l.end_time > ?"
        " AND l.status = 'scheduled' AND NOT EXISTS (SELECT 1 FROM attendance a"
        " WHERE a.lesson_id = l.id AND a.student_id = e.person_id)",
        [room, now.date().isoformat(), now.strftime("%H:%M"), now.strftime("%H:%M")],
    ).fetchall()
    return [str(row["uid"]) for row in rows]


def _all_cards(conn: sqlite3.Connection) -> list[Row]:
    return conn.execute("SELECT uid FROM cards WHERE deleted = 0").fetchall()
