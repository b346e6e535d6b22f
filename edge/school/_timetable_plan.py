"""From a parsed calendar to the rows an import writes: lessons, weekly series and holidays.

Everything here only reads; `_timetable_apply` writes the plan in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from edge.school._report import Problem
from edge.school._timetable_directory import Directory, Unresolved
from edge.school._timetable_expand import Occurrence, local_time, occurrences
from edge.school._timetable_resolve import Resolved, Resolver

if TYPE_CHECKING:
    import sqlite3
    from datetime import tzinfo

    from edge.school._ics import Calendar, Event

_HOLIDAY_CATEGORIES = frozenset({"holiday", "vacation"})


@dataclass(frozen=True)
class LessonRow:
    source_key: str
    series_uid: str | None
    class_id: str
    teacher_id: str | None
    room: str | None
    title: str
    date: str
    start_time: str
    end_time: str
    status: str


@dataclass(frozen=True)
class SeriesRow:
    source_uid: str
    class_id: str
    teacher_id: str | None
    room: str | None
    title: str
    rrule: str
    weekday: int
    start_time: str
    end_time: str
    first_date: str
    last_date: str


@dataclass(frozen=True)
class HolidayRow:
    source_uid: str
    title: str
    first_date: str
    last_date: str


@dataclass
class Plan:
    lessons: list[LessonRow] = field(default_factory=list)
    series: list[SeriesRow] = field(default_factory=list)
    holidays: list[HolidayRow] = field(default_factory=list)
    #: classes this file covers: their future lessons it no longer produces get cancelled
    classes: set[str] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def rooms(self) -> set[str]:
        named = [*(lesson.room for lesson in self.lessons), *(s.room for s in self.series)]
        return {room for room in named if room}


@dataclass(frozen=True)
class PlanOptions:
    tz: tzinfo
    #: unbounded recurrences without a term stop here; nothing is expanded past it
    horizon_end: date
    default_class: str | None = None
    default_teacher: str | None = None


def build_plan(conn: sqlite3.Connection, calendar: Calendar, options: PlanOptions) -> Plan:
    directory = Directory.load(conn)
    resolver = Resolver(directory, calendar, options.default_class, options.default_teacher)
    planner = _Planner(resolver, directory, options)
    for master, overrides in _by_uid(calendar.events):
        try:
            planner.add(master, overrides)
        except Unresolved as err:
            planner.plan.problems.append(Problem(calendar.filename, err.line, err.why))
    plan = planner.plan
    plan.problems = sorted([*resolver.problems, *plan.problems], key=lambda p: p.line)
    plan.warnings = resolver.warnings
    plan.classes = {lesson.class_id for lesson in plan.lessons}
    if resolver.default_class:
        plan.classes.add(resolver.default_class)
    return plan


class _Planner:
    def __init__(self, resolver: Resolver, directory: Directory, options: PlanOptions) -> None:
        self.resolver = resolver
        self.directory = directory
        self.options = options
        self.plan = Plan()

    def add(self, master: Event | None, overrides: list[Event]) -> None:
        first = master or overrides[0]
        if first.all_day:
            self._all_day(first, master, overrides)
            return
        resolved = self._resolve(master, overrides)
        if resolved is None:
            return
        found = occurrences(master, overrides, self.options.tz, self._limit(master))
        rule = master.rule if master is not None else None
        weekly = rule is not None and rule.is_weekly_series
        self._lessons(first.uid, found, resolved, first.uid if weekly else None)
        if master is not None and rule is not None and weekly:
            self._series(master, rule.text, resolved[master.line], found)

    def _resolve(self, master: Event | None, overrides: list[Event]) -> dict[int, Resolved] | None:
        """Resolutions by the VEVENT's line; None when one of them has a problem."""
        base = self.resolver.resolve(master) if master is not None else None
        if master is not None and base is None:
            return None
        resolved = {master.line: base} if master is not None and base is not None else {}
        for override in overrides:
            mine = self.resolver.resolve(override, base)
            if mine is not None:
                resolved[override.line] = mine
        return resolved if len(resolved) == len(overrides) + (master is not None) else None

    def _limit(self, master: Event | None) -> date:
        if master is None or master.rule is None or master.rule.bounded:
            return self.options.horizon_end
        start = local_time(master.start, self.options.tz).date()
        return self.directory.term_end(start) or self.options.horizon_end

    def _lessons(
        self, uid: str, found: list[Occurrence], resolved: dict[int, Resolved], series: str | None
    ) -> None:
        keys: set[str] = set()
        for occurrence in found:
            start, end, event = occurrence.start, occurrence.end, occurrence.event
            if end.date() != start.date():
                why = f"event UID {uid} on {start.date()} ends on another day: not a lesson"
                self.resolver.warn(event.line, why)
                continue
            key = _unique(f"{uid}/{occurrence.original.isoformat()}", keys)
            res = resolved[event.line]
            row = LessonRow(
                source_key=key,
                series_uid=series,
                class_id=res.class_id,
                teacher_id=res.teacher_id,
                room=res.room,
                title=res.title,
                date=start.date().isoformat(),
                start_time=f"{start:%H:%M}",
                end_time=f"{end:%H:%M}",
                status="cancelled" if event.status == "CANCELLED" else "scheduled",
            )
            self.plan.lessons.append(row)

    def _series(self, master: Event, rule: str, res: Resolved, found: list[Occurrence]) -> None:
        start = local_time(master.start, self.options.tz)
        end = local_time(master.end, self.options.tz)
        dates = sorted(o.original for o in found) or [start.date()]
        row = SeriesRow(
            source_uid=master.uid,
            class_id=res.class_id,
            teacher_id=res.teacher_id,
            room=res.room,
            title=res.title,
            rrule=rule,
            weekday=dates[0].weekday(),
            start_time=f"{start:%H:%M}",
            end_time=f"{end:%H:%M}",
            first_date=dates[0].isoformat(),
            last_date=dates[-1].isoformat(),
        )
        self.plan.series.append(row)

    def _all_day(self, first: Event, master: Event | None, overrides: list[Event]) -> None:
        summary = first.text("SUMMARY").strip()
        if not {c.casefold() for c in first.categories} & _HOLIDAY_CATEGORIES:
            why = f"all-day event UID {first.uid} ({summary!r}) is not a lesson: skipped"
            self.resolver.warn(first.line, why)
            return
        found = occurrences(master, overrides, self.options.tz, self._limit(master))
        single = master is not None and master.rule is None and len(found) == 1
        for occurrence in found:
            last = max(occurrence.start.date(), (occurrence.end - timedelta(days=1)).date())
            row = HolidayRow(
                first.uid if single else f"{first.uid}/{occurrence.original.isoformat()}",
                occurrence.event.text("SUMMARY").strip() or summary or "Holiday",
                occurrence.start.date().isoformat(),
                last.isoformat(),
            )
            self.plan.holidays.append(row)


def _unique(key: str, used: set[str]) -> str:
    """Several occurrences on one date (FREQ=DAILY;BYHOUR=8,10): the later ones get /2, /3, …"""
    candidate, number = key, 1
    while candidate in used:
        number += 1
        candidate = f"{key}/{number}"
    used.add(candidate)
    return candidate


def _by_uid(events: tuple[Event, ...]) -> list[tuple[Event | None, list[Event]]]:
    """(master, overrides) per UID, in file order; a UID may have overrides and no master."""
    groups: dict[str, tuple[list[Event], list[Event]]] = {}
    for event in events:
        masters, overrides = groups.setdefault(event.uid, ([], []))
        (overrides if event.recurrence_id is not None else masters).append(event)
    return [(masters[0] if masters else None, overrides) for masters, overrides in groups.values()]
