"""What an iCalendar import resolves names against: classes, teachers and terms, read once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Sequence

    from edge.db import Row

#: Session types that bound an open-ended weekly series, the most specific first.
_TERM_TYPES = ("term", "semester", "schoolYear")


class Unresolved(Exception):
    """A name in the file points at nothing (or at several things). Becomes a `Problem`."""

    def __init__(self, line: int, why: str) -> None:
        super().__init__(why)
        self.line = line
        self.why = why


@dataclass(frozen=True)
class Directory:
    classes: list[Row]
    teachers: list[Row]
    sessions: list[Row]

    @classmethod
    def load(cls, conn: sqlite3.Connection) -> Directory:
        return cls(
            classes=conn.execute(
                "SELECT id, sourced_id, code, title FROM classes WHERE deleted = 0"
            ).fetchall(),
            teachers=conn.execute(
                "SELECT id, sourced_id, username, identifier, email, given_name, family_name"
                " FROM people WHERE deleted = 0 AND role = 'teacher'"
            ).fetchall(),
            sessions=conn.execute(
                "SELECT start_date, end_date, type FROM academic_sessions WHERE deleted = 0"
            ).fetchall(),
        )

    def class_ids(self, value: str, fields: Sequence[str]) -> list[str]:
        return _match(self.classes, value, fields)

    def teacher_ids(self, value: str, fields: Sequence[str]) -> list[str]:
        return _match(self.teachers, value, fields)

    def class_title(self, class_id: str) -> str:
        return next(str(c["title"]) for c in self.classes if c["id"] == class_id)

    def term_end(self, day: date) -> date | None:
        """The end of the term (else semester, else school year) that contains `day`."""
        iso = day.isoformat()
        containing = [s for s in self.sessions if s["start_date"] <= iso <= s["end_date"]]
        for kind in _TERM_TYPES:
            ends = sorted(s["end_date"] for s in containing if s["type"] == kind)
            if ends:
                return date.fromisoformat(ends[0])
        return None


def _match(rows: list[Row], value: str, fields: Sequence[str]) -> list[str]:
    """Ids of the rows whose first matching field equals `value` (trimmed, case-insensitive)."""
    wanted = value.strip().casefold()
    if not wanted:
        return []
    for name in fields:
        ids = [str(r["id"]) for r in rows if str(r[name] or "").strip().casefold() == wanted]
        if ids:
            return ids
    return []


def one(ids: list[str], line: int, what: str) -> str | None:
    """The single id, None for no match, Unresolved when `what` matches several rows."""
    if len(ids) > 1:
        raise Unresolved(line, f"{what} is ambiguous: it matches {len(ids)} rows")
    return ids[0] if ids else None
