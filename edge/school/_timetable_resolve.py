"""Which class, teacher and room a VEVENT means (the rules are listed on `import_timetable`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from edge.school._report import Problem
from edge.school._timetable_directory import Unresolved, one

if TYPE_CHECKING:
    from edge.school._ics import Calendar, Event
    from edge.school._ics_lines import Property
    from edge.school._timetable_directory import Directory

_CLASS_FIELDS = ("sourced_id", "code", "title")
_TEACHER_FIELDS = ("sourced_id", "username", "identifier")
_TEACHER_LABEL = re.compile(r"(?i)\b(?:Lehrer(?:in)?|Teacher)\s*:[ \t]*([^,;\n]*)")
_ROOM_LABEL = re.compile(r"(?i)\b(?:Raum|Room)\s*:[ \t]*([^,;\n]*)")
_URL = re.compile(r"(?i)^(?:[a-z][a-z0-9+.-]*://|www\.|mailto:|tel:)")
_MAILTO = re.compile(r"(?i)^\s*mailto:\s*(\S+)")
_NOTHING = frozenset({"", "-", "--", "---"})


@dataclass(frozen=True)
class Resolved:
    class_id: str
    teacher_id: str | None
    room: str | None
    title: str


class Resolver:
    """Resolves events one by one, collecting problems and warnings instead of stopping."""

    def __init__(
        self,
        directory: Directory,
        calendar: Calendar,
        default_class: str | None,
        default_teacher: str | None,
    ) -> None:
        self.directory = directory
        self.filename = calendar.filename
        self.problems: list[Problem] = []
        self.warnings: list[str] = []
        self.default_class = self._default_class(default_class, calendar.name)
        self.default_teacher = self._default_teacher(default_teacher)

    def warn(self, line: int, why: str) -> None:
        self.warnings.append(str(Problem(self.filename, line, why)))

    def resolve(self, event: Event, master: Resolved | None = None) -> Resolved | None:
        """`master` is what the series' master event resolved to (for RECURRENCE-ID overrides)."""
        try:
            return self._resolve(event, master)
        except Unresolved as err:
            self.problems.append(Problem(self.filename, err.line, err.why))
            return None

    def _resolve(self, event: Event, master: Resolved | None) -> Resolved:
        inherited = master or Resolved("", None, None, "")
        class_id = self._class(event) or inherited.class_id or self.default_class
        if not class_id:
            raise Unresolved(event.line, f"no class for event UID {event.uid}")
        teacher_id = self._named_teacher(event) or inherited.teacher_id or self.default_teacher
        organizer = event.first("ORGANIZER")
        if teacher_id is None and organizer is not None and _email(organizer):
            why = f"unknown teacher e-mail {_email(organizer)!r} (ORGANIZER)"
            raise Unresolved(organizer.line, why)
        if teacher_id is None and master is None:
            self.warn(event.line, f"no teacher for event UID {event.uid}")
        title = event.text("SUMMARY").strip() or self.directory.class_title(class_id)
        return Resolved(class_id, teacher_id, room_of(event), title)

    def _class(self, event: Event) -> str | None:
        prop = event.first("X-EDGE-CLASS")
        if prop is not None:
            value = prop.text.strip()
            ids = self.directory.class_ids(value, ("sourced_id", "code"))
            found = one(ids, prop.line, f"class {value!r} (X-EDGE-CLASS)")
            if found is None:
                raise Unresolved(prop.line, f"unknown class {value!r} (X-EDGE-CLASS)")
            return found
        categories = event.first("CATEGORIES")
        if categories is not None:
            matched = {
                i for c in event.categories for i in self.directory.class_ids(c, _CLASS_FIELDS)
            }
            found = one(sorted(matched), categories.line, "CATEGORIES")
            if found is not None:
                return found
        summary = event.first("SUMMARY")
        if summary is None:
            return None
        ids = self.directory.class_ids(summary.text, ("code", "title"))
        return one(ids, summary.line, f"SUMMARY {summary.text.strip()!r}")

    def _named_teacher(self, event: Event) -> str | None:
        prop = event.first("X-EDGE-TEACHER")
        if prop is not None:
            return self._teacher(prop.text.strip(), _TEACHER_FIELDS, prop)
        for person in [*event.all("ORGANIZER"), *event.all("ATTENDEE")]:
            email = _email(person)
            found = one(self.directory.teacher_ids(email, ("email",)), person.line, email)
            if found is not None:
                return found
        description = event.first("DESCRIPTION")
        label = _TEACHER_LABEL.search(description.text) if description else None
        if description is None or label is None or label.group(1).strip() in _NOTHING:
            return None
        return self._teacher(label.group(1).strip(), ("identifier", "username"), description)

    def _teacher(self, value: str, fields: tuple[str, ...], prop: Property) -> str:
        found = one(self.directory.teacher_ids(value, fields), prop.line, f"teacher {value!r}")
        if found is None:
            raise Unresolved(prop.line, f"unknown teacher {value!r} ({prop.name})")
        return found

    def _default_class(self, wanted: str | None, calendar_name: str | None) -> str | None:
        if wanted is None:
            ids = self.directory.class_ids(calendar_name or "", _CLASS_FIELDS)
            return ids[0] if len(ids) == 1 else None
        ids = self.directory.class_ids(wanted, _CLASS_FIELDS)
        if len(ids) != 1:
            what = "unknown" if not ids else "ambiguous"
            self.problems.append(Problem(self.filename, 0, f"{what} default class {wanted!r}"))
        return ids[0] if ids else None

    def _default_teacher(self, wanted: str | None) -> str | None:
        if wanted is None:
            return None
        ids = self.directory.teacher_ids(wanted, (*_TEACHER_FIELDS, "email"))
        if len(ids) != 1:
            what = "unknown" if not ids else "ambiguous"
            self.problems.append(Problem(self.filename, 0, f"{what} default teacher {wanted!r}"))
        return ids[0] if ids else None


def room_of(event: Event) -> str | None:
    """LOCATION (unless empty or a URL), else `Raum: X` / `Room: X` in DESCRIPTION."""
    location = event.text("LOCATION").strip()
    if location and not _URL.match(location):
        return location
    label = _ROOM_LABEL.search(event.text("DESCRIPTION"))
    value = label.group(1).strip() if label else ""
    return None if value in _NOTHING else value


def _email(prop: Property) -> str:
    match = _MAILTO.match(prop.value)
    return match.group(1) if match else ""
