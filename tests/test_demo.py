"""The demo school loads through the real importers and looks like a school."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from edge.cli._demo import DEMO_STUDENT_ACCOUNTS, load_demo_school
from edge.db import Database
from edge.settings import Settings

MONDAY = date(2026, 11, 23)


async def test_demo_school_loads_and_is_consistent(tmp_path: Path) -> None:
    settings = Settings().replace("box", data_dir=tmp_path)
    logins = await load_demo_school(settings, MONDAY)
    assert len(logins["teacher"]) == 20
    assert len(logins["student"]) == DEMO_STUDENT_ACCOUNTS
    async with Database(settings.database_path) as db:
        counts = await db.read(
            lambda c: c.execute(
                "SELECT (SELECT count(*) FROM people WHERE role = 'student') AS students,"
                " (SELECT count(*) FROM people WHERE role = 'teacher') AS teachers,"
                " (SELECT count(*) FROM classes) AS classes,"
                " (SELECT count(*) FROM timetable_series) AS series,"
                " (SELECT count(*) FROM lessons WHERE date = ?) AS today,"
                " (SELECT count(*) FROM users) AS accounts",
                [MONDAY.isoformat()],
            ).fetchone()
        )
        double_booked = await db.read(
            lambda c: c.execute(
                "SELECT count(*) AS n FROM (SELECT 1 FROM lessons GROUP BY teacher_id, date,"
                " start_time HAVING count(*) > 1 UNION ALL SELECT 1 FROM lessons"
                " GROUP BY room_id, date, start_time HAVING count(*) > 1)"
            ).fetchone()
        )
    assert counts == {
        "students": 300,
        "teachers": 20,
        "classes": 12,
        "series": 360,
        "today": 72,
        "accounts": 1 + 20 + DEMO_STUDENT_ACCOUNTS,
    }
    assert double_booked["n"] == 0, "no teacher or room is in two places at once"


async def test_the_readme_teacher_teaches_every_school_day(tmp_path: Path) -> None:
    settings = Settings().replace("box", data_dir=tmp_path)
    logins = await load_demo_school(settings, MONDAY)
    assert logins["teacher"][0] == "kira.eriksen", "README.md's walk-through logs in as her"
    async with Database(settings.database_path) as db:
        days = await db.read(
            lambda c: c.execute(
                "SELECT DISTINCT l.date FROM lessons l JOIN people p ON p.id = l.teacher_id"
                " WHERE p.username = 'kira.eriksen' AND l.date BETWEEN ? AND ?",
                [MONDAY.isoformat(), (MONDAY + timedelta(days=6)).isoformat()],
            ).fetchall()
        )
    assert len(days) == 5
