"""Occurrences of one UID (a master and its RECURRENCE-ID overrides) in the school's time zone.

A recurrence is expanded in the zone of its DTSTART (RFC 5545: the wall-clock time stays put
across DST), then every occurrence is converted to school-local date and time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, tzinfo
from typing import TYPE_CHECKING

from dateutil.rrule import rrulestr

from edge.school._timetable_directory import Unresolved

if TYPE_CHECKING:
    from collections.abc import Sequence

    from edge.school._ics import Event
    from edge.school._ics_values import When

#: More occurrences than this from one RRULE is a mistake in the file (FREQ=HOURLY, ...).
MAX_OCCURRENCES = 2000


@dataclass(frozen=True)
class Occurrence:
    #: the school-local date the occurrence had before any override: it keys the lesson
    original: date
    #: the master, or the override that replaced this occurrence
    event: Event
    #: school-local wall-clock times
    start: datetime
    end: datetime


def occurrences(
    master: Event | None, overrides: Sequence[Event], tz: tzinfo, limit: date
) -> list[Occurrence]:
    """A recurrence stops at UNTIL/COUNT and never passes `limit`; EXDATEs are left out."""
    frame = _frame(master, tz)
    pending = {
        _key(o.recurrence_id, frame): (o.recurrence_id, o) for o in overrides if o.recurrence_id
    }
    found: list[Occurrence] = []
    if master is not None:
        excluded = {_key(d, frame) for d in master.exdates}
        length = _aware(master.end, tz) - _aware(master.start, tz)
        for moment in _moments(master, frame, tz, limit):
            keys = (_key(moment, frame), moment.astimezone(frame).date())
            override = next((pending.pop(k)[1] for k in keys if k in pending), None)
            if override is not None:
                found.append(_replaced(moment, override, tz))
            elif not any(k in excluded for k in keys):
                found.append(_occurrence(moment, moment, moment + length, master, tz))
    for recurrence_id, override in pending.values():  # replaced nothing generated: keep it
        original = _aware(recurrence_id, tz)
        if original.astimezone(tz).date() <= limit:
            found.append(_replaced(original, override, tz))
    return sorted(found, key=lambda o: (o.start, o.original))


def _moments(master: Event, frame: tzinfo, tz: tzinfo, limit: date) -> list[datetime]:
    start = _aware(master.start, frame)
    if master.rule is None:
        return [start]
    moments: list[datetime] = []
    for moment in rrulestr(master.rule.without_until(), dtstart=start):
        if moment.astimezone(tz).date() > limit or _after_until(moment, master.rule.until, frame):
            break
        if len(moments) == MAX_OCCURRENCES:
            why = f"RRULE yields more than {MAX_OCCURRENCES} occurrences up to {limit}"
            raise Unresolved(master.rule.line, why)
        moments.append(moment)
    return moments


def _replaced(original: datetime, override: Event, tz: tzinfo) -> Occurrence:
    start, end = _aware(override.start, tz), _aware(override.end, tz)
    return _occurrence(original, start, end, override, tz)


def _occurrence(
    original: datetime, start: datetime, end: datetime, event: Event, tz: tzinfo
) -> Occurrence:
    return Occurrence(
        original=original.astimezone(tz).date(),
        event=event,
        start=start.astimezone(tz).replace(tzinfo=None),
        end=end.astimezone(tz).replace(tzinfo=None),
    )


def local_time(value: When, tz: tzinfo) -> datetime:
    """School-local wall-clock time of a DTSTART/DTEND (floating and dates are already local)."""
    return _aware(value, tz).astimezone(tz).replace(tzinfo=None)


def _frame(master: Event | None, tz: tzinfo) -> tzinfo:
    """The zone a recurrence is computed in: its DTSTART's, or the school's when floating."""
    start = master.start if master is not None else None
    if isinstance(start, datetime) and start.tzinfo is not None:
        return start.tzinfo
    return tz


def _aware(value: When, zone: tzinfo) -> datetime:
    """Floating times and dates are read in `zone`; a date means its midnight."""
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=zone)
    return datetime.combine(value, time(), zone)


def _key(value: When, frame: tzinfo) -> date | datetime:
    """What an EXDATE or RECURRENCE-ID is compared by: the instant, or the date for a DATE."""
    if isinstance(value, datetime):
        return _aware(value, frame).astimezone(UTC)
    return value


def _after_until(moment: datetime, until: When | None, frame: tzinfo) -> bool:
    if until is None:
        return False
    if not isinstance(until, datetime):
        return moment.astimezone(frame).date() > until
    return moment > _aware(until, frame)
