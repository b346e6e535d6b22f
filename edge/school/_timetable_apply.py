"""Writing a timetable plan: upserts by natural key (only changed fields), then cancellations."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from edge.school._report import ImportReport

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import date

    from edge.db import Tx
    from edge.school._timetable_plan import HolidayRow, LessonRow, Plan, SeriesRow


def apply_plan(tx: Tx, plan: Plan, today: date) -> ImportReport:
    """Runs inside one write transaction: all of it is applied, or (on an error) none of it."""
    report = ImportReport(warnings=list(plan.warnings))
    rooms = {name: _upsert(tx, report, "rooms", {"name": name}, {}) for name in sorted(plan.rooms)}
    series_ids: dict[str, str] = {}
    for series in plan.series:
        values = _values(series, "source_uid", room_id=rooms.get(series.room or ""))
        key = {"source_uid": series.source_uid}
        series_ids[series.source_uid] = _upsert(tx, report, "timetable_series", key, values)
    for lesson in plan.lessons:
        values = _values(
            lesson,
            "source_key",
            series_id=series_ids.get(lesson.series_uid or ""),
            room_id=rooms.get(lesson.room or ""),
        )
        _upsert(tx, report, "lessons", {"source_key": lesson.source_key}, values)
    for holiday in plan.holidays:
        values = _values(holiday, "source_uid")
        _upsert(tx, report, "holidays", {"source_uid": holiday.source_uid}, values)
    _cancel_dropped(tx, report, plan, today)
    return report


def _values(row: LessonRow | SeriesRow | HolidayRow, key: str, **ids: str | None) -> dict[str, Any]:
    """The row's columns: its fields without the natural key and names, with resolved ids."""
    names = {key, "series_uid", "room"}
    return {**{k: v for k, v in asdict(row).items() if k not in names}, **ids}


def _upsert(
    tx: Tx, report: ImportReport, table: str, key: Mapping[str, Any], values: Mapping[str, Any]
) -> str:
    column, value = next(iter(key.items()))
    existed = tx.one(f"SELECT id FROM {table} WHERE {column} = ?", [value]) is not None
    row_id, changed = tx.upsert(table, key, values)
    report.count(table, created=not existed, changed=changed)
    return row_id


def _cancel_dropped(tx: Tx, report: ImportReport, plan: Plan, today: date) -> None:
    """Lessons from today on, of the classes this file covers, that it no longer produces.

    They are cancelled, never deleted: attendance and marks may point at them.
    """
    if not plan.classes:
        return
    produced = {lesson.source_key for lesson in plan.lessons}
    marks = ", ".join("?" for _ in plan.classes)
    rows = tx.query(
        "SELECT id, source_key FROM lessons WHERE deleted = 0 AND status = 'scheduled'"
        f" AND date >= ? AND class_id IN ({marks})",
        [today.isoformat(), *sorted(plan.classes)],
    )
    for row in rows:
        if row["source_key"] not in produced:
            tx.update("lessons", row["id"], {"status": "cancelled"})
            report.count("lessons", created=False, changed=True)
