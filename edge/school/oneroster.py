"""Import a OneRoster 1.1/1.2 CSV bundle (a folder or a zip) into the school tables.

`read_bundle` parses and checks the whole bundle and raises ImportFailed listing every problem;
`apply_bundle` writes it inside the caller's transaction; `import_oneroster` does both, off the
event loop and in one write transaction.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from edge.school._oneroster_csv import files_to_read, read_files, read_table
from edge.school._oneroster_records import (
    IMPORTED_FILES,
    REFERENCES,
    Record,
    delete_enrollments_of_deleted_rows,
    map_tables,
)
from edge.school._report import ImportFailed, ImportReport, Problem

if TYPE_CHECKING:
    from pathlib import Path

    from edge.db import Database, Tx


@dataclass(frozen=True)
class Bundle:
    """A parsed and checked bundle: records by table, in the order they are written."""

    version: str
    records: dict[str, list[Record]]
    warnings: list[str]


def read_bundle(path: Path) -> Bundle:
    """Parse and check a bundle; raises ImportFailed listing every problem found."""
    files = read_files(path)
    problems: list[Problem] = []
    warnings: list[str] = []
    version, wanted = files_to_read(files, IMPORTED_FILES, problems, warnings)
    tables = {n: read_table(f"{n}.csv", files[f"{n.lower()}.csv"], problems) for n in wanted}
    records = map_tables(tables, problems)
    if problems:
        raise ImportFailed(problems)
    delete_enrollments_of_deleted_rows(records, warnings)
    return Bundle(version, records, warnings)


def apply_bundle(tx: Tx, bundle: Bundle, school_sourced_id: str = "") -> ImportReport:
    """Write a bundle: all of it, or one school's classes with their courses, enrollments and
    people. Raises ImportFailed, before writing, when an enrollment's class or user is unknown."""
    records = _for_school(tx, bundle, school_sourced_id) if school_sourced_id else bundle.records
    problems = _unresolved_enrollments(tx, records)
    if problems:
        raise ImportFailed(problems)
    report = ImportReport(warnings=list(bundle.warnings))
    for table, rows in records.items():
        for record in rows:
            _write(tx, table, record, report)
    return report


async def import_oneroster(db: Database, path: Path, school_sourced_id: str = "") -> ImportReport:
    """Read the bundle off the event loop, then write it in one transaction."""
    bundle = await asyncio.to_thread(read_bundle, path)
    return await db.write(lambda tx: apply_bundle(tx, bundle, school_sourced_id))


def _for_school(tx: Tx, bundle: Bundle, school: str) -> dict[str, list[Record]]:
    """All orgs, sessions and deletions; the school's classes, their courses and enrollments, and
    the people enrolled in them or belonging to the school."""
    records = bundle.records
    in_bundle = any(r.sourced_id == school for r in records["schools"])
    if not in_bundle and _live_id(tx, "schools", school) is None:
        why = f"school {school} is in neither the bundle nor the database"
        raise ImportFailed([Problem("orgs.csv", 1, why)])

    def mine(record: Record) -> bool:
        return record.tobedeleted or school in record.orgs

    classes = [r for r in records["classes"] if mine(r)]
    class_ids = {r.sourced_id for r in classes}
    enrollments = [
        r for r in records["enrollments"] if mine(r) or r.refs.get("class_id") in class_ids
    ]
    courses = {r.refs.get("course_id") for r in classes}
    people = {r.refs.get("person_id") for r in enrollments}
    return {
        "schools": records["schools"],
        "academic_sessions": records["academic_sessions"],
        "courses": [r for r in records["courses"] if mine(r) or r.sourced_id in courses],
        "classes": classes,
        "people": [r for r in records["people"] if mine(r) or r.sourced_id in people],
        "enrollments": enrollments,
    }


def _unresolved_enrollments(tx: Tx, records: dict[str, list[Record]]) -> list[Problem]:
    """An enrollment's class and user must be in the bundle or already in the database."""
    live = {
        t: {r.sourced_id for r in records[t] if not r.tobedeleted} for t in ("classes", "people")
    }
    problems: list[Problem] = []
    for record in records["enrollments"]:
        for column, (table, noun) in REFERENCES["enrollments"].items():
            sourced_id = record.refs.get(column, "")
            if record.tobedeleted or sourced_id in live[table] or _live_id(tx, table, sourced_id):
                continue
            why = f"enrollment {record.sourced_id}: unknown {noun} {sourced_id}"
            problems.append(Problem(record.file, record.line, why))
    return problems


def _write(tx: Tx, table: str, record: Record, report: ImportReport) -> None:
    """Tombstone a deleted row (if it is there), else insert or update only what changed."""
    if record.tobedeleted:
        row_id = _live_id(tx, table, record.sourced_id)
        if row_id is not None:
            tx.delete(table, row_id)
            report.count(table, created=False, changed=True)
        return
    known = tx.one(f"SELECT id FROM {table} WHERE sourced_id = ?", [record.sourced_id])
    values = {**record.values, **_resolve_references(tx, table, record, report)}
    _, changed = tx.upsert(table, {"sourced_id": record.sourced_id}, values)
    report.count(table, created=known is None, changed=changed)


def _resolve_references(
    tx: Tx, table: str, record: Record, report: ImportReport
) -> dict[str, str | None]:
    """Row ids for the record's references; one not found is left empty, with a warning."""
    resolved: dict[str, str | None] = {}
    for column, (target, noun) in REFERENCES.get(table, {}).items():
        sourced_id = record.refs.get(column, "")
        resolved[column] = _live_id(tx, target, sourced_id) if sourced_id else None
        if sourced_id and resolved[column] is None:
            report.warnings.append(
                f"{record.file}:{record.line}: {record.kind} {record.sourced_id}: {noun} "
                f"{sourced_id} is in neither the bundle nor the database; {column} left empty"
            )
    return resolved


def _live_id(tx: Tx, table: str, sourced_id: str) -> str | None:
    row = tx.one(f"SELECT id FROM {table} WHERE sourced_id = ? AND deleted = 0", [sourced_id])
    return None if row is None else str(row["id"])
