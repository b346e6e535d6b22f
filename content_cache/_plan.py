"""The prefetch plan: which blobs the box should hold, most needed first (DESIGN.md "Data flows").

Three tiers, in order: what lessons in the coming school days need (earliest lesson first), what
teachers pinned, then what matches the school's subjects and grades while the budget lasts. A blob
is listed once, under the first tier that wants it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from content_cache._catalog import CatalogEntry
from content_cache._index import MAX_LIMIT, CatalogIndex

TIMETABLE = "timetable"
PINNED = "pinned"
SUBJECTS = "subjects"


@dataclass(frozen=True)
class Wanted:
    sha256: str
    size: int
    entry_id: str
    reason: str  # "timetable" | "pinned" | "subjects"
    need_by: datetime | None  # the start of the first lesson that needs it (aware, UTC)


def plan_downloads(
    lesson_needs: Iterable[tuple[str, datetime]],
    pinned_ids: Sequence[str],
    subject_grades: Iterable[tuple[str, str]],
    catalog: CatalogIndex,
    budget_bytes: int,
) -> list[Wanted]:
    """`lesson_needs` holds (entry id, lesson start) pairs. The timetable and pinned tiers are
    never cut; the subjects tier stops at the first entry that would take its own running total
    past `budget_bytes` (an entry is taken whole or not at all). Unknown or deleted entries are
    skipped."""
    plan = _Plan()
    for entry_id, starts_at in sorted(lesson_needs, key=lambda need: need[1]):
        plan.take(catalog.get(entry_id), TIMETABLE, starts_at)
    for entry_id in pinned_ids:
        plan.take(catalog.get(entry_id), PINNED, None)
    subject_bytes = 0
    for entry in _subject_entries(subject_grades, catalog):
        cost = plan.new_bytes(entry)
        if subject_bytes + cost > budget_bytes:
            break
        subject_bytes += cost
        plan.take(entry, SUBJECTS, None)
    return plan.wanted


def _subject_entries(
    subject_grades: Iterable[tuple[str, str]], catalog: CatalogIndex
) -> Iterable[CatalogEntry]:
    """Entries of each (subject, grade) in turn, each entry once."""
    seen: set[str] = set()
    for subject, grade in sorted(set(subject_grades)):
        for entry in catalog.search(subject=subject, grade=grade, limit=MAX_LIMIT):
            if entry.id not in seen:
                seen.add(entry.id)
                yield entry


class _Plan:
    def __init__(self) -> None:
        self.wanted: list[Wanted] = []
        self._shas: set[str] = set()

    def new_bytes(self, entry: CatalogEntry) -> int:
        """What taking `entry` adds: its files not already planned (a file listed twice once)."""
        sizes = {f.sha256: f.size for f in entry.files if f.sha256 not in self._shas}
        return sum(sizes.values())

    def take(self, entry: CatalogEntry | None, reason: str, need_by: datetime | None) -> None:
        if entry is None:
            return
        for file in entry.files:
            if file.sha256 not in self._shas:
                self._shas.add(file.sha256)
                self.wanted.append(Wanted(file.sha256, file.size, entry.id, reason, need_by))
