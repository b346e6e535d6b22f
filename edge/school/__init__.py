"""School data: OneRoster roster import, iCalendar timetable import and feeds."""

from edge.school._report import ImportFailed, ImportReport, Problem

__all__ = ["ImportFailed", "ImportReport", "Problem"]
