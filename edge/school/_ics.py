"""Our own RFC 5545 reader: problems must carry the line they are on, and all are reported at once.

Handles folding (CRLF or LF), a UTF-8 BOM, a missing final newline, quoted parameters, TEXT
escapes, nested components (VALARM is ignored, VTIMEZONE only maps a TZID to its X-LIC-LOCATION:
zones come from the IANA database), DATE / UTC / floating / TZID times, DTEND or DURATION,
RRULE, EXDATE, RECURRENCE-ID and STATUS.
"""

from __future__ import annotations

from dataclasses import dataclass

from edge.school._ics_event import Event, build_event
from edge.school._ics_lines import Component, LineProblem, component_tree
from edge.school._ics_values import When, Zones
from edge.school._report import ImportFailed, Problem

__all__ = ["Calendar", "Event", "parse_calendar"]


@dataclass(frozen=True)
class Calendar:
    filename: str
    #: X-WR-CALNAME, else RFC 7986 NAME
    name: str | None
    events: tuple[Event, ...]


def parse_calendar(text: str, filename: str) -> Calendar:
    """Parse a whole file; raises ImportFailed listing every problem as `file:line: why`."""
    problems: list[LineProblem] = []
    roots = component_tree(text, problems)
    calendars = [c for c in roots if c.name == "VCALENDAR"]
    for other in roots:
        if other.name != "VCALENDAR":
            problems.append((other.line, f"BEGIN:{other.name} outside BEGIN:VCALENDAR"))
    if not calendars and not problems:
        problems.append((1, "no BEGIN:VCALENDAR"))
    zones = Zones(_zone_locations(calendars))
    events: list[Event] = []
    for component in (c for cal in calendars for c in cal.children if c.name == "VEVENT"):
        event = build_event(component, zones, problems)
        if event is not None:
            events.append(event)
    _check_unique(events, problems)
    if problems:
        ordered = sorted(problems, key=lambda p: p[0])
        raise ImportFailed([Problem(filename, line, why) for line, why in ordered])
    return Calendar(filename, _calendar_name(calendars), tuple(events))


def _zone_locations(calendars: list[Component]) -> dict[str, str]:
    """TZID → IANA name, from VTIMEZONE blocks that carry X-LIC-LOCATION."""
    locations: dict[str, str] = {}
    for zone in (c for cal in calendars for c in cal.children if c.name == "VTIMEZONE"):
        tzid, location = zone.first("TZID"), zone.first("X-LIC-LOCATION")
        if tzid is not None and location is not None:
            locations[tzid.value.strip()] = location.value.strip()
    return locations


def _calendar_name(calendars: list[Component]) -> str | None:
    for calendar in calendars:
        for name in ("X-WR-CALNAME", "NAME"):
            prop = calendar.first(name)
            if prop is not None and prop.text.strip():
                return prop.text.strip()
    return None


def _check_unique(events: list[Event], problems: list[LineProblem]) -> None:
    seen: dict[tuple[str, When | None], int] = {}
    for event in events:
        key = (event.uid, event.recurrence_id)
        if key not in seen:
            seen[key] = event.line
            continue
        what = "RECURRENCE-ID of UID" if event.recurrence_id is not None else "UID"
        problems.append((event.line, f"duplicate {what} {event.uid} (also at line {seen[key]})"))
