"""Timetable import from real and hand-made .ics files, re-import rules, and the teacher feed."""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Any

import pytest

from edge.school import ImportFailed, import_timetable, parse_calendar, render_teacher_feed
from edge.settings import Settings
from tests.conftest import FIXTURES, shared_fixture

if TYPE_CHECKING:
    from pathlib import Path

    from edge.db import Database, Row, Tx

VIENNA = Settings().replace("school", timezone="Europe/Vienna")
TORONTO = Settings().replace("school", timezone="America/Toronto")
SCHOOL_WEEK = FIXTURES / "ics" / "school-week.ics"
TODAY = date(2025, 10, 1)
WEBUNTIS_TEACHERS = ["BB", "FUE", "FUX", "PIL", "BUM", "REM", "PRAM", "SCW", "WEB", "HAS", "KB"]
WEBUNTIS_TEACHERS += ["BEC", "SG", "MUT"]


def _teacher(tx: Tx, key: str, **fields: Any) -> str:
    person = {"sourced_id": f"t-{key}", "role": "teacher", "given_name": key.title()}
    return tx.insert("people", {**person, "family_name": "Teacher", **fields})


def seed_school(tx: Tx) -> dict[str, str]:
    ids = {
        "2A": tx.insert("classes", {"sourced_id": "class-2a", "title": "Class 2A", "code": "2A"}),
        "2A-EN": tx.insert(
            "classes", {"sourced_id": "class-2a-en", "title": "English 2A", "code": "2A-EN"}
        ),
        "3B": tx.insert("classes", {"sourced_id": "class-3b", "title": "Class 3B", "code": "3B"}),
        "huber": _teacher(
            tx,
            "huber",
            username="ahuber",
            identifier="HUB",
            email="Anna.Huber@school.example",
            given_name="Anna",
            family_name="Huber, née Größmann-Lindqvist-Øster",
        ),
        "bauer": _teacher(tx, "bauer", username="bauer"),
        "gruber": _teacher(tx, "gruber", identifier="GRU", email="gruber@school.example"),
    }
    student = {"given_name": "S", "family_name": "Tudent", "email": "student@school.example"}
    tx.insert("people", {"sourced_id": "s-1", "role": "student", **student})
    for sourced_id, kind, end in (
        ("y25", "schoolYear", "2026-06-30"),
        ("t1", "term", "2026-01-31"),
    ):
        session = {"title": sourced_id, "type": kind, "start_date": "2025-09-01", "end_date": end}
        tx.insert("academic_sessions", {"sourced_id": sourced_id, **session})
    return ids


async def lessons(db: Database) -> dict[str, Row]:
    rows = await db.read(
        lambda c: c.execute(
            "SELECT l.*, r.name AS room FROM lessons l LEFT JOIN rooms r ON r.id = l.room_id"
        ).fetchall()
    )
    return {row["source_key"]: row for row in rows}


async def count(db: Database, table: str) -> int:
    row = await db.read(lambda c: c.execute(f"SELECT count(*) AS n FROM {table}").fetchone())
    return int(row["n"])


def slot(row: Row) -> tuple[str, str, str, str | None, str]:
    return (row["date"], row["start_time"], row["end_time"], row["room"], row["status"])


# --- a clean school week of our own -------------------------------------------------------------


async def test_school_week_becomes_series_lessons_and_holidays(db: Database) -> None:
    ids = await db.write(seed_school)
    report = await import_timetable(db, SCHOOL_WEEK, VIENNA, today=TODAY)
    assert report.created == {"lessons": 35, "timetable_series": 3, "rooms": 3, "holidays": 1}
    assert report.warnings == [
        "school-week.ics:91: no teacher for event UID project-days@school.example",
        "school-week.ics:108: all-day event UID trip@school.example ('School trip') is not a"
        " lesson: skipped",
    ]
    got = await lessons(db)
    math = {k.split("/")[1]: slot(v) for k, v in got.items() if k.startswith("math-2a-mon")}
    assert math == {  # EXDATEs 09-22 and 10-06 are gone; UNTIL in UTC keeps 10-27 (CET)
        "2025-09-08": ("2025-09-08", "08:00", "08:50", "R 101", "scheduled"),
        "2025-09-15": ("2025-09-16", "10:00", "10:50", "Lab 2", "scheduled"),  # moved
        "2025-09-29": ("2025-09-29", "08:00", "08:50", "R 101", "scheduled"),
        "2025-10-13": ("2025-10-13", "08:00", "08:50", "R 101", "cancelled"),
        "2025-10-20": ("2025-10-20", "08:00", "08:50", "R 101", "scheduled"),
        "2025-10-27": ("2025-10-27", "08:00", "08:50", "R 101", "scheduled"),
    }
    assert {v["teacher_id"] for k, v in got.items() if k.startswith("math")} == {ids["huber"]}
    english = sorted(v["date"] for k, v in got.items() if k.startswith("english"))
    assert english == ["2025-09-10", "2025-09-17", "2025-09-24", "2025-10-01"]  # COUNT=4, floating
    first_english = got["english-2a-wed@school.example/2025-09-10"]
    assert (first_english["class_id"], first_english["teacher_id"]) == (ids["2A-EN"], ids["bauer"])
    assert slot(first_english) == ("2025-09-10", "09:30", "10:20", "R 101", "scheduled")
    lab = got["lab-2a@school.example/2025-09-11"]  # UTC 12:00 is 14:00 in Vienna; URL: no room
    assert (slot(lab), lab["teacher_id"]) == (
        ("2025-09-11", "14:00", "15:40", None, "scheduled"),
        ids["gruber"],
    )
    project = [v for k, v in got.items() if k.startswith("project-days")]
    assert [(p["date"], p["series_id"], p["teacher_id"]) for p in project] == [
        ("2025-11-03", None, None),
        ("2025-11-04", None, None),
        ("2025-11-05", None, None),
    ]
    holidays = await db.read(lambda c: c.execute("SELECT * FROM holidays").fetchall())
    assert [(h["source_uid"], h["title"], h["first_date"], h["last_date"]) for h in holidays] == [
        ("autumn-break@school.example", "Autumn break", "2025-10-27", "2025-10-31")
    ]


async def test_weekly_rules_make_series_and_an_open_one_stops_at_the_term_end(db: Database) -> None:
    ids = await db.write(seed_school)
    await import_timetable(db, SCHOOL_WEEK, VIENNA, today=TODAY)
    series = await db.read(
        lambda c: c.execute("SELECT * FROM timetable_series ORDER BY weekday").fetchall()
    )
    columns = ("weekday", "start_time", "end_time", "first_date", "last_date", "class_id")
    assert {s["source_uid"]: tuple(s[c] for c in columns) for s in series} == {
        "math-2a-mon@school.example": (0, "08:00", "08:50", "2025-09-08", "2025-10-27", ids["2A"]),
        "english-2a-wed@school.example": (
            *(2, "09:30", "10:20", "2025-09-10", "2025-10-01"),
            ids["2A-EN"],
        ),
        "pe-2a-fri@school.example": (4, "11:00", "11:50", "2025-09-12", "2026-01-30", ids["2A"]),
    }
    assert series[0]["rrule"] == "FREQ=WEEKLY;BYDAY=MO;UNTIL=20251027T235959Z"
    got = await lessons(db)
    pe = [v for k, v in got.items() if k.startswith("pe-2a-fri")]
    assert len(pe) == 21
    assert {p["series_id"] for p in pe} == {series[2]["id"]}
    assert {(p["room"], p["teacher_id"]) for p in pe} == {("Gym", ids["gruber"])}
    override = got["math-2a-mon@school.example/2025-09-15"]
    assert override["series_id"] == series[0]["id"]


async def test_open_series_without_a_term_runs_to_the_horizon(db: Database) -> None:
    await db.write(seed_school)
    await db.write(lambda tx: tx.conn.execute("DELETE FROM academic_sessions"))
    settings = VIENNA.replace("timetable", horizon_days=30)
    await import_timetable(db, SCHOOL_WEEK, settings, today=TODAY)
    pe = sorted(v["date"] for k, v in (await lessons(db)).items() if k.startswith("pe-"))
    assert (pe[0], pe[-1], len(pe)) == ("2025-09-12", "2025-10-31", 8)


async def test_reimporting_the_same_file_writes_nothing(db: Database) -> None:
    await db.write(seed_school)
    await import_timetable(db, SCHOOL_WEEK, VIENNA, today=TODAY)
    before = await count(db, "change_log")
    again = await import_timetable(db, SCHOOL_WEEK, VIENNA, today=TODAY)
    assert await count(db, "change_log") == before
    assert not again.created
    assert not again.updated
    assert again.unchanged == {"lessons": 35, "timetable_series": 3, "rooms": 3, "holidays": 1}


def _edited_school_week() -> str:
    text = SCHOOL_WEEK.read_bytes().decode()
    text = text.replace("UNTIL=20251027T235959Z", "UNTIL=20251013T235959Z")
    text = text.replace("FREQ=WEEKLY;COUNT=4", "FREQ=WEEKLY;COUNT=3")
    text = text.replace("LOCATION:Lab 2", "LOCATION:Lab 3")
    for uid in ("project-days", "lab-2a"):  # one future event, one past event
        text = re.sub(rf"BEGIN:VEVENT\r\nUID:{uid}@.*?END:VEVENT\r\n", "", text, flags=re.S)
    return text


async def test_an_edited_file_cancels_future_lessons_it_no_longer_has(
    db: Database, tmp_path: Path
) -> None:
    ids = await db.write(seed_school)
    await import_timetable(db, SCHOOL_WEEK, VIENNA, today=TODAY)
    other = {"class_id": ids["3B"], "title": "Chemistry", "date": "2025-10-02"}
    await db.write(
        lambda tx: tx.insert(
            "lessons",
            {"source_key": "manual/3b", "start_time": "08:00", "end_time": "08:50", **other},
        )
    )
    rows_before = await count(db, "lessons")
    edited = tmp_path / "school-week.ics"
    edited.write_bytes(_edited_school_week().encode())
    report = await import_timetable(db, edited, VIENNA, today=TODAY)
    got = await lessons(db)
    assert await count(db, "lessons") == rows_before  # nothing deleted
    cancelled = sorted(k for k, v in got.items() if v["status"] == "cancelled")
    assert cancelled == [
        "english-2a-wed@school.example/2025-10-01",  # dated today: cancelled too
        "math-2a-mon@school.example/2025-10-13",  # was cancelled in the file already
        "math-2a-mon@school.example/2025-10-20",
        "math-2a-mon@school.example/2025-10-27",
        "project-days@school.example/2025-11-03",
        "project-days@school.example/2025-11-04",
        "project-days@school.example/2025-11-05",
    ]
    assert got["lab-2a@school.example/2025-09-11"]["status"] == "scheduled"  # in the past
    assert got["manual/3b"]["status"] == "scheduled"  # a class this file does not cover
    assert got["math-2a-mon@school.example/2025-09-15"]["room"] == "Lab 3"
    assert report.created["rooms"] == 1  # Lab 3
    assert report.updated["lessons"] == 7  # 6 cancelled, 1 moved to Lab 3
    await import_timetable(db, SCHOOL_WEEK, VIENNA, today=TODAY)  # the original file again
    restored = await lessons(db)
    assert restored["project-days@school.example/2025-11-04"]["status"] == "scheduled"


# --- files with problems: all reported, nothing written -----------------------------------------

BAD_FILES = {
    "bad-unterminated.ics": ["bad-unterminated.ics:4: BEGIN:VEVENT has no END:VEVENT"],
    "bad-dtstart.ics": [
        "bad-dtstart.ics:6: DTSTART: bad date-time '2025-09-08 08:00'",
        "bad-dtstart.ics:12: DTSTART: unknown time zone 'Mars/Olympus_Mons'",
        "bad-dtstart.ics:18: DTEND is before DTSTART",
        "bad-dtstart.ics:20: no ':' after the property name: 'SUMMARY no colon here'",
        "bad-dtstart.ics:22: VEVENT has no UID",
    ],
    "bad-teacher-email.ics": [
        "bad-teacher-email.ics:10: unknown teacher e-mail 'nobody@school.example' (ORGANIZER)"
    ],
    "bad-class.ics": [
        "bad-class.ics:10: unknown class '9Z' (X-EDGE-CLASS)",
        "bad-class.ics:13: no class for event UID nowhere@school.example",
        "bad-class.ics:26: unknown teacher 'XYZ' (DESCRIPTION)",
    ],
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
async def test_a_bad_file_reports_every_problem_and_changes_nothing(
    db: Database, name: str
) -> None:
    await db.write(seed_school)
    await import_timetable(db, SCHOOL_WEEK, VIENNA, today=TODAY)
    before = await count(db, "change_log")
    with pytest.raises(ImportFailed) as failed:
        await import_timetable(db, FIXTURES / "ics" / name, VIENNA, today=TODAY)
    assert [str(p) for p in failed.value.problems] == BAD_FILES[name]
    assert await count(db, "change_log") == before


async def test_unknown_defaults_and_unreadable_files_are_problems(
    db: Database, tmp_path: Path
) -> None:
    await db.write(seed_school)
    with pytest.raises(ImportFailed) as failed:
        await import_timetable(
            db, SCHOOL_WEEK, VIENNA, default_class="9Z", default_teacher="nobody"
        )
    assert [str(p) for p in failed.value.problems] == [
        "school-week.ics:0: unknown default class '9Z'",
        "school-week.ics:0: unknown default teacher 'nobody'",
    ]
    latin1 = tmp_path / "latin1.ics"
    latin1.write_bytes(b"BEGIN:VCALENDAR\r\nSUMMARY:Gr\xf6\xdfe\r\nEND:VCALENDAR\r\n")
    with pytest.raises(ImportFailed, match=r"latin1.ics:2: not UTF-8 text"):
        await import_timetable(db, latin1, VIENNA)
    with pytest.raises(ImportFailed, match=r"missing.ics:0: cannot read the file"):
        await import_timetable(db, tmp_path / "missing.ics", VIENNA)


ODD_EVENTS = """BEGIN:VCALENDAR
VERSION:2.0
BEGIN:VEVENT
UID:late
DTSTART:20251001T230000
DTEND:20251002T010000
SUMMARY:Class 3B
END:VEVENT
BEGIN:VEVENT
UID:twice-a-day
DTSTART:20251006T080000
DURATION:PT45M
RRULE:FREQ=DAILY;BYHOUR=8,10;COUNT=4
CATEGORIES:Other,3b
END:VEVENT
BEGIN:VEVENT
UID:lonely
RECURRENCE-ID:20251008T080000
DTSTART:20251009T090000
DTEND:20251009T094500
X-EDGE-CLASS:class-3b
END:VEVENT
BEGIN:VEVENT
UID:summer
DTSTART;VALUE=DATE:20260706
DTEND;VALUE=DATE:20260905
RRULE:FREQ=YEARLY;COUNT=2
CATEGORIES:Vacation
SUMMARY:Summer
END:VEVENT
END:VCALENDAR
"""


async def test_odd_events(db: Database, tmp_path: Path) -> None:
    ids = await db.write(seed_school)
    path = tmp_path / "odd.ics"
    path.write_text(ODD_EVENTS)
    settings = VIENNA.replace("timetable", horizon_days=700)
    report = await import_timetable(db, path, settings, default_teacher="GRU", today=TODAY)
    assert report.warnings == [
        "odd.ics:3: event UID late on 2025-10-01 ends on another day: not a lesson"
    ]
    got = {
        k: (*slot(v)[:3], v["class_id"], v["teacher_id"]) for k, v in (await lessons(db)).items()
    }
    assert got == {  # CATEGORIES matches a class code; several a day get /2; orphan override kept
        "twice-a-day/2025-10-06": ("2025-10-06", "08:00", "08:45", ids["3B"], ids["gruber"]),
        "twice-a-day/2025-10-06/2": ("2025-10-06", "10:00", "10:45", ids["3B"], ids["gruber"]),
        "twice-a-day/2025-10-07": ("2025-10-07", "08:00", "08:45", ids["3B"], ids["gruber"]),
        "twice-a-day/2025-10-07/2": ("2025-10-07", "10:00", "10:45", ids["3B"], ids["gruber"]),
        "lonely/2025-10-08": ("2025-10-09", "09:00", "09:45", ids["3B"], ids["gruber"]),
    }
    holidays = await db.read(lambda c: c.execute("SELECT * FROM holidays").fetchall())
    assert sorted((h["source_uid"], h["first_date"], h["last_date"]) for h in holidays) == [
        ("summer/2026-07-06", "2026-07-06", "2026-09-04"),  # a recurring holiday: one row each
        ("summer/2027-07-06", "2027-07-06", "2027-09-04"),
    ]


async def test_a_runaway_rule_is_a_problem(db: Database, tmp_path: Path) -> None:
    await db.write(seed_school)
    path = tmp_path / "runaway.ics"
    rule = "RRULE:FREQ=MINUTELY"
    path.write_text(ODD_EVENTS.replace("RRULE:FREQ=DAILY;BYHOUR=8,10;COUNT=4", rule))
    with pytest.raises(ImportFailed) as failed:
        await import_timetable(db, path, VIENNA, default_teacher="GRU", today=TODAY)
    assert [str(p) for p in failed.value.problems] == [
        "runaway.ics:13: RRULE yields more than 2000 occurrences up to 2026-01-31"
    ]


# --- the real WebUntis week --------------------------------------------------------------------


def seed_webuntis(tx: Tx, teachers: list[str]) -> dict[str, str]:
    ids = {code: _teacher(tx, code.lower(), identifier=code) for code in teachers}
    ids["3AHIF"] = tx.insert("classes", {"sourced_id": "3ahif", "title": "3AHIF", "code": "3AHIF"})
    ids["ETH"] = tx.insert(
        "classes", {"sourced_id": "eth-group", "title": "Ethik Gruppe", "code": "ETH"}
    )
    return ids


async def test_webuntis_week_reads_rooms_and_teachers_from_description(db: Database) -> None:
    path = shared_fixture("ics", "webuntis-htl-vienna-week.ics")
    ids = await db.write(lambda tx: seed_webuntis(tx, WEBUNTIS_TEACHERS))
    report = await import_timetable(
        db, path, VIENNA, default_class="3AHIF", today=date(2025, 4, 24)
    )
    assert report.warnings == []
    assert report.created == {"lessons": 46, "rooms": 7}
    got = await lessons(db)

    def lesson(uid: str, day: str) -> tuple[Any, ...]:
        row = got[f"{uid}/{day}"]
        return (*slot(row), row["title"], row["teacher_id"], row["class_id"], row["series_id"])

    assert lesson("d52927a2-eb06-45a2-847f-ab86d1baa729", "2025-04-23") == (
        *("2025-04-23", "07:50", "08:40", "Z305", "scheduled"),
        *("BWM_1", ids["BB"], ids["3AHIF"], None),
    )
    # "Lehrer: RE" + folded " M" is REM; "Lehrer: " + folded " PIL" is PIL
    assert lesson("f575d478-093b-4747-bd95-fdeb105c4805", "2025-04-23")[6] == ids["REM"]
    assert lesson("9f53a245-484c-4ce0-b8fe-6941eb17dd27", "2025-04-23")[6] == ids["PIL"]
    # "Raum: ---" and "Raum: " (empty) are no room
    assert got["cd224dfd-54c3-45db-83c4-c62cc569a10e/2025-04-28"]["room"] is None
    assert got["791def5f-1ff3-4538-8a79-ca336f828ad0/2025-04-28"]["room"] is None
    # two lessons in one slot (split groups) both stay
    same_slot = [(v["title"], v["room"]) for v in got.values() if v["date"] == "2025-04-28"]
    assert sorted(t for t in same_slot if t[0] in ("D", "E1")) == [
        ("D", None),
        ("D", None),
        ("E1", "Z305"),
    ]
    assert [v["start_time"] for v in got.values() if v["title"] == "E1"][:1] == ["08:40"]
    # SUMMARY equal to a class code picks that class over the calendar default
    ethics = {v["class_id"] for v in got.values() if v["title"] == "ETH"}
    assert ethics == {ids["ETH"]}
    rooms = await db.read(lambda c: [r["name"] for r in c.execute("SELECT name FROM rooms")])
    assert sorted(rooms) == ["T1", "Z202", "Z210", "Z211", "Z220", "Z305", "Z306"]


async def test_webuntis_teacher_code_that_nobody_has_is_a_problem(db: Database) -> None:
    path = shared_fixture("ics", "webuntis-htl-vienna-week.ics")
    await db.write(lambda tx: seed_webuntis(tx, [t for t in WEBUNTIS_TEACHERS if t != "MUT"]))
    before = await count(db, "change_log")
    with pytest.raises(ImportFailed) as failed:
        await import_timetable(db, path, VIENNA, default_class="3AHIF", today=date(2025, 4, 24))
    assert [str(p) for p in failed.value.problems] == [
        "webuntis-htl-vienna-week.ics:345: unknown teacher 'MUT' (DESCRIPTION)"
    ]
    assert await count(db, "change_log") == before


# --- the real Google Calendar course -----------------------------------------------------------


async def test_google_course_calendar(db: Database) -> None:
    path = shared_fixture("ics", "google-calendar-utsc-cscb63-course.ics")
    course = {"sourced_id": "cscb63-w21", "title": "CSCB63 Data Structures", "code": "CSCB63"}
    class_id = await db.write(lambda tx: tx.insert("classes", course))
    settings = TORONTO.replace("timetable", horizon_days=60)
    report = await import_timetable(
        db, path, settings, default_class="cscb63-w21", today=date(2021, 3, 17)
    )
    skipped = [w for w in report.warnings if "is not a lesson: skipped" in w]
    no_teacher = [w for w in report.warnings if "no teacher for event UID" in w]
    assert (len(skipped), len(no_teacher), len(report.warnings)) == (37, 16, 53)
    assert skipped[0] == (
        "google-calendar-utsc-cscb63-course.ics:88: all-day event UID"
        " 6v6n8pmahhnhn8dl6b0f0h3fo4@google.com ('A3') is not a lesson: skipped"
    )
    got = await lessons(db)
    assert {v["class_id"] for v in got.values()} == {class_id}
    assert {v["teacher_id"] for v in got.values()} == {None}

    def dates(prefix: str) -> list[str]:
        return sorted(v["date"] for k, v in got.items() if k.startswith(prefix))

    # Thursday lectures until 2021-04-15T03:59:59Z, reading week (EXDATE 02-18) skipped
    thursdays = dates("5t94p7nehras40rl1a0rm9famb")
    assert (len(thursdays), thursdays[0], thursdays[-1]) == (12, "2021-01-14", "2021-04-08")
    assert "2021-02-18" not in thursdays
    # 2020 series: INTERVAL=1, two EXDATE lines, overrides that move and retitle occurrences
    mondays_2020 = dates("7negc83jtt3k6hp63nil8tlum8")
    assert "2020-08-03" not in mondays_2020
    assert "2020-08-17" not in mondays_2020
    assert mondays_2020[-1] == "2020-08-10"
    moved = got["7negc83jtt3k6hp63nil8tlum8@google.com/2020-03-09"]
    assert slot(moved) == ("2020-03-11", "13:30", "14:45", None, "scheduled")
    friday = got["7hd65vqohl69pt24qmebsh28ru@google.com/2021-03-05"]
    assert slot(friday) == ("2021-03-05", "12:30", "13:30", None, "scheduled")  # URL location
    # unbounded weekly rules run to today + 60 days
    assert dates("7hd65vqohl69pt24qmebsh28ru")[-1] == "2021-05-14"
    assert dates("0erotcmmk7fndtfbbsirgt0alb")[-1] == "2021-05-10"
    # UTC times land in Toronto's local time, across the DST change of 2021-03-14
    after_dst = got["55ri1lvavuiudg2pkh323k2pn3@google.com/2021-03-16"]
    assert slot(after_dst)[:3] == ("2021-03-16", "10:10", "11:10")
    before_dst = got["7jkamti4td7r8qgfd7ui4dfse5@google.com/2021-02-10"]
    assert slot(before_dst)[:4] == ("2021-02-10", "15:00", "16:00", None)
    assert got["382EAD34-0824-4F0A-856F-6104DDB1F2BA/2020-02-05"]["room"] == "IC493"
    series = await count(db, "timetable_series")
    holidays = await count(db, "holidays")
    assert (series, holidays, len(got)) == (6, 0, 113)
    before = await count(db, "change_log")
    await import_timetable(db, path, settings, default_class="CSCB63", today=date(2021, 3, 17))
    assert await count(db, "change_log") == before


# --- the teacher feed ---------------------------------------------------------------------------


async def test_teacher_feed_is_valid_icalendar_that_reads_back(db: Database) -> None:
    ids = await db.write(seed_school)
    await import_timetable(db, SCHOOL_WEEK, VIENNA, today=TODAY)
    key = "math-2a-mon@school.example/2025-09-29"
    row_id = (await lessons(db))[key]["id"]
    long_title = "Mathematics, algebra; \\ and quadratic equations — Übungsstunde " * 2
    await db.write(lambda tx: tx.update("lessons", row_id, {"title": long_title}))

    def feed(since: date, until: date) -> Any:
        return db.read(
            lambda c: render_teacher_feed(c, ids["huber"], VIENNA, since=since, until=until)
        )

    text = await feed(date(2025, 9, 1), date(2025, 10, 13))
    physical = text.split("\r\n")
    assert physical[-1] == ""
    assert "\n" not in text.replace("\r\n", "")
    assert max(len(line.encode()) for line in physical) <= 75
    assert "PRODID:-//Classroom Edge//Timetable//EN" in physical
    assert "VERSION:2.0" in physical
    parsed = parse_calendar(text, "feed.ics")
    assert parsed.name == "Anna Huber, née Größmann-Lindqvist-Øster"
    events = {e.uid: e for e in parsed.events}
    assert len(events) == 4  # 09-08, 09-15 moved to 09-16, 09-29, 10-13 (cancelled)
    renamed = events[f"{row_id}@classroom-edge"]
    assert renamed.text("SUMMARY") == long_title
    assert renamed.text("LOCATION") == "R 101"
    assert renamed.text("DESCRIPTION") == "Class: Class 2A"
    assert renamed.start.isoformat() == "2025-09-29T06:00:00+00:00"  # 08:00 CEST
    assert renamed.end.isoformat() == "2025-09-29T06:50:00+00:00"
    statuses = sorted((e.start.isoformat()[:10], e.status) for e in events.values())
    assert statuses == [
        ("2025-09-08", "CONFIRMED"),
        ("2025-09-16", "CONFIRMED"),
        ("2025-09-29", "CONFIRMED"),
        ("2025-10-13", "CANCELLED"),
    ]
    late_october = parse_calendar(await feed(date(2025, 10, 27), date(2025, 10, 27)), "f.ics")
    (only,) = late_october.events
    assert only.start.isoformat() == "2025-10-27T07:00:00+00:00"  # 08:00 CET after DST ends
