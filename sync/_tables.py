"""The tables whose rows sync (docs/sync-protocol.md §1), in dependency order: a table refers
only to tables before it, so rows applied in this order never point at a row not there yet."""

from __future__ import annotations

SYNCABLE_ORDER: dict[str, int] = {
    table: position
    for position, table in enumerate(
        (
            "schools",
            "academic_sessions",
            "rooms",
            "courses",
            "classes",
            "people",
            "enrollments",
            "timetable_series",
            "lessons",
            "holidays",
            "cards",
            "attendance",
            "marks",
            "homework",
            "lesson_topics",
            "taps",
            "presence_events",
        )
    )
}
SYNCABLE_TABLES = frozenset(SYNCABLE_ORDER)
