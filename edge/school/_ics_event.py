"""A VEVENT component checked and turned into an `Event`; every problem keeps its line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from edge.school._ics_rule import Rule, parse_rule
from edge.school._ics_values import (
    When,
    Zones,
    parse_duration,
    parse_when,
    parse_when_list,
    split_text_list,
)

if TYPE_CHECKING:
    from edge.school._ics_lines import Component, LineProblem, Property


@dataclass(frozen=True)
class Event:
    """One VEVENT. Times are as written: aware (UTC or TZID zone), naive = floating, or dates."""

    uid: str
    line: int
    start: When
    end: When
    rule: Rule | None
    exdates: tuple[When, ...]
    recurrence_id: When | None
    properties: tuple[Property, ...]

    @property
    def all_day(self) -> bool:
        return not isinstance(self.start, datetime)

    @property
    def status(self) -> str:
        return self.text("STATUS").strip().upper()

    @property
    def categories(self) -> tuple[str, ...]:
        values = (split_text_list(p.value) for p in self.all("CATEGORIES"))
        return tuple(v.strip() for group in values for v in group if v.strip())

    def all(self, name: str) -> list[Property]:
        return [p for p in self.properties if p.name == name]

    def first(self, name: str) -> Property | None:
        return next((p for p in self.properties if p.name == name), None)

    def text(self, name: str) -> str:
        prop = self.first(name)
        return prop.text if prop else ""


def build_event(component: Component, zones: Zones, problems: list[LineProblem]) -> Event | None:
    """The event, or None when it has problems (appended to `problems`)."""
    before = len(problems)
    uid_prop = component.first("UID")
    uid = uid_prop.text.strip() if uid_prop else ""
    if not uid:
        problems.append((component.line, "VEVENT has no UID"))
    start_prop = component.first("DTSTART")
    if start_prop is None:
        problems.append((component.line, f"VEVENT UID {uid or '?'} has no DTSTART"))
    start = _when(start_prop, zones, problems) if start_prop else None
    end = _end(component, start, zones, problems) if start is not None else None
    rule = _rule(component, zones, problems)
    exdates = [d for p in component.all("EXDATE") for d in _when_list(p, zones, problems)]
    rid_prop = component.first("RECURRENCE-ID")
    recurrence_id = _when(rid_prop, zones, problems) if rid_prop else None
    if len(problems) > before or start is None or end is None:
        return None
    properties = tuple(component.properties)
    return Event(uid, component.line, start, end, rule, tuple(exdates), recurrence_id, properties)


def _when(prop: Property, zones: Zones, problems: list[LineProblem]) -> When | None:
    try:
        return parse_when(prop.value, prop.params, zones)
    except ValueError as err:
        problems.append((prop.line, f"{prop.name}: {err}"))
        return None


def _when_list(prop: Property, zones: Zones, problems: list[LineProblem]) -> list[When]:
    try:
        return parse_when_list(prop.value, prop.params, zones)
    except ValueError as err:
        problems.append((prop.line, f"{prop.name}: {err}"))
        return []


def _end(
    component: Component, start: When, zones: Zones, problems: list[LineProblem]
) -> When | None:
    dtend, duration = component.first("DTEND"), component.first("DURATION")
    if dtend is not None and duration is not None:
        problems.append((duration.line, "VEVENT has both DTEND and DURATION"))
        return None
    if duration is not None:
        return _end_from_duration(start, duration, problems)
    if dtend is None:  # RFC 5545 §3.6.1: a date lasts one day, a date-time no time at all
        return start if isinstance(start, datetime) else start + timedelta(days=1)
    end = _when(dtend, zones, problems)
    why = _order_problem(start, end) if end is not None else None
    if why:
        problems.append((dtend.line, why))
        return None
    return end


def _end_from_duration(start: When, prop: Property, problems: list[LineProblem]) -> When | None:
    try:
        length = parse_duration(prop.value)
    except ValueError as err:
        problems.append((prop.line, f"DURATION: {err}"))
        return None
    if length < timedelta(0):
        problems.append((prop.line, "DURATION is negative"))
        return None
    return start + length


def _order_problem(start: When, end: When) -> str | None:
    if isinstance(start, datetime) and isinstance(end, datetime):
        if (start.tzinfo is None) != (end.tzinfo is None):
            return "DTEND and DTSTART mix floating and zoned times"
        return "DTEND is before DTSTART" if end < start else None
    if isinstance(start, datetime) or isinstance(end, datetime):
        return "DTEND and DTSTART must both be dates or both date-times"
    return "DTEND is before DTSTART" if end < start else None


def _rule(component: Component, zones: Zones, problems: list[LineProblem]) -> Rule | None:
    rules = component.all("RRULE")
    for extra in rules[1:]:
        problems.append((extra.line, "VEVENT has more than one RRULE"))
    if not rules:
        return None
    try:
        return parse_rule(rules[0].value, rules[0].line, zones)
    except ValueError as err:
        problems.append((rules[0].line, str(err)))
        return None
