"""Box databases for the sync benchmarks: the school the diary changes refer to, and a box's
own offline days written into its diary tables and change log with their real timestamps."""

from __future__ import annotations

import json
from collections.abc import Callable

from edge.db import Tx
from sync._wire import Change

_REFERENCES = (
    ("student_id", "people"),
    ("person_id", "people"),
    ("class_id", "classes"),
    ("lesson_id", "lessons"),
)


def seed_school(changes: list[Change]) -> Callable[[Tx], None]:
    """The people, classes and lessons the changes refer to, as plain rows (a roster import
    that happened before the box went offline)."""
    refs: dict[str, set[str]] = {"people": set(), "classes": {"class-all"}, "lessons": set()}
    for change in changes:
        for name, table in _REFERENCES:
            if change.fields.get(name):
                refs[table].add(change.fields[name])

    def seed(tx: Tx) -> None:
        run = tx.conn.executemany
        run(
            "INSERT INTO people (id, sourced_id, role, given_name, family_name)"
            " VALUES (?, ?, 'student', 'A', 'B')",
            [(p, p) for p in sorted(refs["people"])],
        )
        run(
            "INSERT INTO classes (id, sourced_id, title) VALUES (?, ?, 'Class')",
            [(c, c) for c in sorted(refs["classes"])],
        )
        run(
            "INSERT INTO lessons (id, source_key, class_id, title, date, start_time, end_time)"
            " VALUES (?, ?, 'class-all', 'Lesson', '2026-11-23', '09:00', '09:45')",
            [(lesson, lesson) for lesson in sorted(refs["lessons"])],
        )

    return seed


def own_changes(changes: list[Change], node: str) -> Callable[[Tx], None]:
    """The box's offline days as `Tx` would have logged them, at the moments they happened."""

    def write(tx: Tx) -> None:
        tx.conn.execute("UPDATE meta SET value = ? WHERE key = 'node_id'", [node])
        for change in changes:
            names = list(change.fields)
            tx.conn.execute(
                f"INSERT INTO {change.table} (id, {', '.join(names)})"
                f" VALUES ({', '.join('?' * (len(names) + 1))})",
                [change.row, *change.fields.values()],
            )
        tx.conn.executemany(
            "INSERT INTO change_log (table_name, row_id, op, fields, hlc, origin, cursor)"
            " VALUES (?, ?, ?, ?, ?, ?, 0)",
            [(c.table, c.row, c.op, json.dumps(c.fields), c.hlc, node) for c in changes],
        )

    return write
