"""School data: OneRoster roster import, iCalendar timetable import and feeds."""

from edge.school._ics import Calendar, Event, parse_calendar
from edge.school._report import ImportFailed, ImportReport, Problem
from edge.school.oneroster import Bundle, import_oneroster, read_bundle
from edge.school.timetable import import_timetable, render_teacher_feed

__all__ = [
    "Bundle",
    "Calendar",
    "Event",
    "ImportFailed",
    "ImportReport",
    "Problem",
    "import_oneroster",
    "import_timetable",
    "parse_calendar",
    "read_bundle",
    "render_teacher_feed",
]
