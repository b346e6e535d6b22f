"""iCalendar timetables: import into lessons / weekly series / holidays, and a per-teacher feed.

How an event is read (first rule that applies wins):

- class: `X-EDGE-CLASS` (a class sourced_id or code); else a `CATEGORIES` value equal to a class
  sourced_id, code or title; else a `SUMMARY` equal to a class code or title; else the calendar
  default: the `default_class` argument, or `X-WR-CALNAME` / `NAME` naming a class.
  An override (RECURRENCE-ID) that names no class keeps its master's.
- teacher: `X-EDGE-TEACHER` (sourced_id, username or identifier); else the `ORGANIZER` or an
  `ATTENDEE` whose `mailto:` is a teacher's e-mail; else `Lehrer: X` / `Teacher: X` in DESCRIPTION
  (identifier or username); else the master's (for an override); else `default_teacher`.
  A teacher named and not found is a problem; an ORGANIZER e-mail that is nobody's is a problem
  only when nothing else names a teacher; no teacher at all is a warning (teacher_id NULL).
- room: LOCATION (trimmed; empty or a URL is no room), else `Raum: X` / `Room: X` in DESCRIPTION
  (`---` or empty is no room). Rooms are created by name when new.

Matching is case-insensitive on trimmed values. Timed events become lessons in the school's zone;
all-day events become holidays when CATEGORIES says HOLIDAY or VACATION and are skipped (with a
warning) otherwise.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from edge.school._ics import Calendar, parse_calendar
from edge.school._report import ImportFailed, ImportReport, Problem
from edge.school._timetable_apply import apply_plan
from edge.school._timetable_feed import render_teacher_feed
from edge.school._timetable_plan import PlanOptions, build_plan

if TYPE_CHECKING:
    from pathlib import Path

    from edge.db import Database
    from edge.settings import Settings

__all__ = ["import_timetable", "render_teacher_feed"]


async def import_timetable(
    db: Database,
    path: Path,
    settings: Settings,
    *,
    default_class: str | None = None,
    default_teacher: str | None = None,
    today: date | None = None,
) -> ImportReport:
    """Import one .ics file, all or nothing; raises ImportFailed listing every problem.

    A weekly RRULE (FREQ=WEEKLY, at most one BYDAY) becomes a `timetable_series` row plus one
    lesson per occurrence, keyed `UID/original-local-date`; other RRULEs only make lessons.
    Unbounded rules stop at the end of the term containing their start, else
    `timetable.horizon_days` after `today`; bounded rules stop at UNTIL/COUNT, never past that
    horizon. EXDATEs are skipped; an override keeps the key of the occurrence it replaces.
    Lessons dated `today` or later of the classes the file covers (those of its lessons, plus the
    default class) that it no longer produces are cancelled, never deleted. Re-importing an
    unchanged file writes nothing.
    """
    today = today or datetime.now(settings.tz).date()
    calendar = await asyncio.to_thread(_read, path)
    options = PlanOptions(
        tz=settings.tz,
        horizon_end=today + timedelta(days=settings.timetable.horizon_days),
        default_class=default_class,
        default_teacher=default_teacher,
    )
    plan = await db.read(lambda conn: build_plan(conn, calendar, options))
    if plan.problems:
        raise ImportFailed(plan.problems)
    return await db.write(lambda tx: apply_plan(tx, plan, today))


def _read(path: Path) -> Calendar:
    try:
        data = path.read_bytes()
    except OSError as err:
        raise ImportFailed(
            [Problem(path.name, 0, f"cannot read the file: {err.strerror}")]
        ) from err
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise ImportFailed([Problem(path.name, line, "not UTF-8 text")]) from err
    return parse_calendar(text, path.name)
