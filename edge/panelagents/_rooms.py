"""Who may drive a room's panel: an admin, or a teacher of the lesson held in that room now
(its teacher or a teacher of its class, as for the lesson's register)."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from edge.accounts import Principal, Role
from edge.diary import ForbiddenError, NotFoundError, get_lesson_for_writer


def require_room_controller(
    conn: sqlite3.Connection, who: Principal, room_id: str, local_now: datetime
) -> None:
    room = conn.execute("SELECT 1 FROM rooms WHERE id = ? AND deleted = 0", [room_id]).fetchone()
    if room is None:
        raise NotFoundError(f"no room {room_id}")
    if who.role is Role.ADMIN:
        return
    for lesson_id in lessons_now(conn, room_id, local_now):
        try:
            get_lesson_for_writer(conn, who, lesson_id)
        except ForbiddenError:
            continue
        return
    raise ForbiddenError(
        "only the teacher of the lesson in this room now (or an admin) may control its panel"
    )


def lessons_now(conn: sqlite3.Connection, room_id: str, local_now: datetime) -> list[str]:
    """The scheduled lessons in the room at this local time."""
    clock = local_now.strftime("%H:%M")
    rows = conn.execute(
        "SELECT id FROM lessons WHERE room_id = ? AND date = ? AND status = 'scheduled'"
        " AND deleted = 0 AND start_time <= ? AND end_time > ? ORDER BY start_time",
        [room_id, local_now.date().isoformat(), clock, clock],
    ).fetchall()
    return [str(row["id"]) for row in rows]
