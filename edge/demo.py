"""The demo school: a OneRoster bundle and an iCalendar timetable written to disk, then loaded
through the same importers a real school uses. ~300 students, 20 teachers, 12 classes, a weekly
timetable of six periods a day."""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

GIVEN = [
    "Anna",
    "Boris",
    "Chiara",
    "Daniel",
    "Elif",
    "Farid",
    "Greta",
    "Hugo",
    "Ines",
    "Jonas",
    "Kira",
    "Luca",
    "Mira",
    "Nikolai",
    "Olga",
    "Pavel",
    "Rosa",
    "Samir",
    "Tanya",
    "Yusuf",
]
FAMILY = [
    "Abbas",
    "Bauer",
    "Costa",
    "Dimitrov",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Horvat",
    "Ivanova",
    "Jensen",
    "Kowalski",
    "Lopez",
    "Moreau",
    "Novak",
    "Okafor",
    "Petrov",
    "Quinn",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Usman",
    "Varga",
    "Weber",
    "Young",
    "Zeman",
]
SUBJECTS = [
    "Mathematics",
    "Language",
    "Literature",
    "English",
    "History",
    "Geography",
    "Biology",
    "Physics",
    "Chemistry",
    "Computing",
]
#: (start, end) of each period, in minutes after the school day starts
PERIODS = [(0, 45), (55, 100), (110, 155), (175, 220), (230, 275), (285, 330)]
DAY_START = time(8, 0)
WEEKDAYS = ["MO", "TU", "WE", "TH", "FR"]
SCHOOL_ID = "demo-school"
TEACHERS, CLASSES, STUDENTS_PER_CLASS = 20, 12, 25


@dataclass
class DemoSchool:
    roster_dir: Path
    timetable: Path
    teachers: list[str] = field(default_factory=list)  # usernames
    students: list[str] = field(default_factory=list)
    taken: set[str] = field(default_factory=set)  # usernames are unique across the school


def write_demo_school(
    folder: Path, term_start: date, term_end: date, seed: int = 7, day_start: time = DAY_START
) -> DemoSchool:
    rng = random.Random(seed)
    roster = folder / "oneroster"
    roster.mkdir(parents=True, exist_ok=True)
    school = DemoSchool(roster, folder / "timetable.ics")
    teachers = [_person(rng, f"t{n:02d}", "teacher", school) for n in range(TEACHERS)]
    classes = [
        (f"cls-{grade}{letter}", f"{grade}{letter}") for grade in range(5, 11) for letter in "AB"
    ][:CLASSES]
    slots = _timetable(classes)
    rows = _roster_rows(rng, classes, teachers, slots, school)
    for name, table in rows.items():
        _write_csv(roster / f"{name}.csv", table)
    _write_manifest(roster)
    text = _ics(slots, teachers, term_start, term_end, day_start)
    school.timetable.write_text(text, encoding="utf-8")
    return school


def _person(rng: random.Random, sourced_id: str, role: str, school: DemoSchool) -> dict[str, str]:
    given, family = rng.choice(GIVEN), rng.choice(FAMILY)
    username = f"{given}.{family}".lower()
    while username in school.taken:
        username = f"{given}.{family}{len(school.taken)}".lower()
    school.taken.add(username)
    (school.teachers if role == "teacher" else school.students).append(username)
    return {
        "sourcedId": sourced_id,
        "givenName": given,
        "familyName": family,
        "username": username,
        "role": role,
        "email": f"{username}@demo-school.example",
    }


@dataclass(frozen=True)
class Slot:
    class_id: str
    class_code: str
    weekday: int
    period: int
    teacher: int
    subject: str
    room: str


def _timetable(classes: list[tuple[str, str]]) -> list[Slot]:
    """Each period, the 12 classes meet 12 different teachers, so nobody is in two rooms."""
    slots = []
    for weekday in range(len(WEEKDAYS)):
        for period in range(len(PERIODS)):
            offset = weekday * 7 + period * 3
            for index, (class_id, code) in enumerate(classes):
                teacher = (index + offset) % TEACHERS
                subject = SUBJECTS[teacher % len(SUBJECTS)]
                slots.append(Slot(class_id, code, weekday, period, teacher, subject, _room(index)))
    return slots


def _room(class_index: int) -> str:
    return f"Room {101 + class_index}"


def _roster_rows(
    rng: random.Random,
    classes: list[tuple[str, str]],
    teachers: list[dict[str, str]],
    slots: list[Slot],
    school: DemoSchool,
) -> dict[str, list[dict[str, str]]]:
    users = [_user_row(t, "") for t in teachers]
    enrollments = []
    for class_id, code in classes:
        taught = sorted({s.teacher for s in slots if s.class_id == class_id})
        for t in taught:
            enrollments.append(_enrollment(class_id, teachers[t]["sourcedId"], "teacher"))
        for n in range(STUDENTS_PER_CLASS):
            student = _person(rng, f"s-{code}-{n:02d}", "student", school)
            users.append(_user_row(student, code[:-1]))
            enrollments.append(_enrollment(class_id, student["sourcedId"], "student"))
    return {
        "orgs": [
            {
                "sourcedId": SCHOOL_ID,
                "status": "active",
                "name": "Demo School",
                "type": "school",
                "identifier": "DEMO",
                "parentSourcedId": "",
            }
        ],
        "classes": [
            {
                "sourcedId": cid,
                "status": "active",
                "title": f"Class {code}",
                "grades": code[:-1],
                "subjects": ",".join(SUBJECTS),
                "classCode": code,
                "classType": "homeroom",
                "location": _room(i),
                "schoolSourcedId": SCHOOL_ID,
            }
            for i, (cid, code) in enumerate(classes)
        ],
        "users": users,
        "enrollments": enrollments,
    }


def _user_row(person: dict[str, str], grade: str) -> dict[str, str]:
    return {
        "sourcedId": person["sourcedId"],
        "status": "active",
        "enabledUser": "true",
        "orgSourcedIds": SCHOOL_ID,
        "role": person["role"],
        "username": person["username"],
        "givenName": person["givenName"],
        "familyName": person["familyName"],
        "identifier": person["username"],
        "email": person["email"],
        "grades": grade,
    }


def _enrollment(class_id: str, user_id: str, role: str) -> dict[str, str]:
    return {
        "sourcedId": f"enr-{class_id}-{user_id}",
        "status": "active",
        "classSourcedId": class_id,
        "schoolSourcedId": SCHOOL_ID,
        "userSourcedId": user_id,
        "role": role,
        "primary": "false",
    }


def _write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _write_manifest(folder: Path) -> None:
    present = {"orgs", "classes", "users", "enrollments"}
    known = [
        "academicSessions",
        "categories",
        "classResources",
        "classes",
        "courseResources",
        "courses",
        "demographics",
        "enrollments",
        "lineItems",
        "orgs",
        "resources",
        "results",
        "users",
    ]
    rows = [
        {"propertyName": "manifest.version", "value": "1.0"},
        {"propertyName": "oneroster.version", "value": "1.1"},
    ]
    rows += [
        {"propertyName": f"file.{name}", "value": "bulk" if name in present else "absent"}
        for name in known
    ]
    _write_csv(folder / "manifest.csv", rows)


def _ics(
    slots: list[Slot], teachers: list[dict[str, str]], first: date, last: date, day_start: time
) -> str:
    monday = first - timedelta(days=first.weekday())
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Classroom Edge//Demo school//EN",
        "X-WR-CALNAME:Demo School",
    ]
    until = last.strftime("%Y%m%dT235959")
    for slot in slots:
        day = monday + timedelta(days=slot.weekday)
        start, end = (_clock(day_start, minutes) for minutes in PERIODS[slot.period])
        lines += [
            "BEGIN:VEVENT",
            f"UID:demo-{slot.class_id}-{WEEKDAYS[slot.weekday]}-{slot.period}@demo-school",
            f"DTSTART:{day:%Y%m%d}T{start:%H%M}00",
            f"DTEND:{day:%Y%m%d}T{end:%H%M}00",
            f"RRULE:FREQ=WEEKLY;BYDAY={WEEKDAYS[slot.weekday]};UNTIL={until}",
            f"SUMMARY:{slot.subject}",
            f"LOCATION:{slot.room}",
            f"X-EDGE-CLASS:{slot.class_id}",
            f"ORGANIZER:mailto:{teachers[slot.teacher]['email']}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"


_ANY_DAY = date(2000, 1, 1)


def _clock(day_start: time, minutes: int) -> time:
    return (datetime.combine(_ANY_DAY, day_start) + timedelta(minutes=minutes)).time()


def day_start_around(now: time) -> time:
    """A school day whose second period starts a couple of minutes after `now` (so students
    arrive on time at first, then late), between 06:00 and 18:00 so that it ends the same day."""
    minutes = now.hour * 60 + now.minute - PERIODS[1][0] + 2
    minutes = min(max(minutes - minutes % 5, 6 * 60), 18 * 60)
    return time(minutes // 60, minutes % 60)
