"""Benchmark of the box's storage side of diary sync (issue: diary sync).

1. Apply rate: three school days of another node's diary changes (~21,000: attendance, marks,
   taps of a 1,000-student school) arrive as feed pages of 5,000 and are applied through the
   box's writer, merge, feed log and cursor included. Anchor: plain SQLite inserting the same
   rows into the same tables in one transaction per page (no merge, no feed log), one INSERT
   per row; and, for context, in multi-row INSERTs (`edge.db._bulk`, as the apply does).
2. Write overhead of change tracking: a mark written through `Tx` (the row plus its change-log
   entry) against the same insert without tracking, both through the box's writer —
   (a) one durable commit per write, awaited one after another, as a teacher's request does;
   (b) 10,000 marks in one job, which leaves out the commit and shows the raw cost.

Run: `.venv/bin/python bench/sync_box.py [--rounds 5]`. Medians of the rounds are printed.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench._diary_changes import school_days
from bench._sync_seed import seed_school
from edge.db import Database, Tx
from edge.db._bulk import insert_rows
from edge.hubsync._apply import apply_page
from sync._ids import uuid7
from sync._wire import Change, FeedEntry, FeedPage

PAGE = 5000
OTHER_NODE = "box7f3a9c2e"
APPLY = functools.partial(apply_page, node="thisbox")
RATIOS = {
    "apply_vs_plain_insert": ("apply_changes_per_s", "plain_insert_rows_per_s"),
    "apply_vs_bulk_insert": ("apply_changes_per_s", "bulk_insert_rows_per_s"),
    "tracking_overhead_durable": ("tracked_write_us_durable", "plain_write_us_durable"),
    "tracking_overhead_bulk": ("tracked_write_us_bulk", "plain_write_us_bulk"),
}


def _pages(changes: list[Change]) -> list[FeedPage]:
    pages = []
    for start in range(0, len(changes), PAGE):
        chunk = changes[start : start + PAGE]
        entries = [FeedEntry(start + n + 1, OTHER_NODE, c) for n, c in enumerate(chunk)]
        pages.append(FeedPage(start, start + len(chunk), start + PAGE < len(changes), entries))
    return pages


def _plain_insert(tx: Tx, page: FeedPage) -> None:
    for entry in page.entries:
        change = entry.change
        names = sorted(change.fields)
        tx.conn.execute(
            f"INSERT INTO {change.table} (id, {', '.join(names)})"
            f" VALUES ({', '.join('?' * (len(names) + 1))})",
            [change.row, *(change.fields[n] for n in names)],
        )


def _bulk_insert(tx: Tx, page: FeedPage) -> None:
    shapes: dict[tuple[str, tuple[str, ...]], list[tuple[object, ...]]] = {}
    for c in (entry.change for entry in page.entries):
        shapes.setdefault((c.table, tuple(c.fields)), []).append((c.row, *c.fields.values()))
    for (table, names), rows in shapes.items():
        insert_rows(tx.conn, table, ("id", *names), rows)


async def apply_rate(changes: list[Change], work: Path, insert: Callable[..., object]) -> float:
    async with Database(work / f"apply-{time.monotonic_ns()}.db") as db:
        await db.write(seed_school(changes))
        started = time.perf_counter()
        for page in _pages(changes):
            await db.write(functools.partial(insert, page=page))
        return len(changes) / (time.perf_counter() - started)


def _mark(student: str, lesson: str) -> dict[str, Any]:
    return {"student_id": student, "class_id": "class-all", "lesson_id": lesson, "value": 4,
            "comment": "", "date": "2026-11-23", "recorded_by": "t1",
            "recorded_at": "2026-11-23T09:10:00.000+00:00"}  # fmt: skip


def _write_mark(tx: Tx, tracked: bool, student: str, lesson: str, count: int = 1) -> None:
    for _ in range(count):
        if tracked:
            tx.insert("marks", _mark(student, lesson))
        else:
            values = {"id": uuid7(), **_mark(student, lesson)}
            tx.conn.execute(
                f"INSERT INTO marks ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",
                list(values.values()),
            )


async def write_cost(work: Path, tracked: bool, bulk: bool) -> float:
    """Microseconds per mark."""
    async with Database(work / f"write-{tracked}-{bulk}-{time.monotonic_ns()}.db") as db:
        changes = [Change("marks", "m", "upsert", "0", 0, {"student_id": "s1", "lesson_id": "l1"})]
        await db.write(seed_school(changes))
        job = functools.partial(_write_mark, tracked=tracked, student="s1", lesson="l1")
        count = 10_000 if bulk else 500
        started = time.perf_counter()
        if bulk:
            await db.write(functools.partial(job, count=count))
        else:
            for _ in range(count):
                await db.write(job)
        return (time.perf_counter() - started) / count * 1e6


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--days", type=int, default=3)
    args = parser.parse_args()
    changes = school_days(args.days)
    results: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for _ in range(args.rounds):
            measures: list[tuple[str, Callable[[], Awaitable[float]]]] = [
                ("apply_changes_per_s", lambda: apply_rate(changes, work, APPLY)),
                ("plain_insert_rows_per_s", lambda: apply_rate(changes, work, _plain_insert)),
                ("bulk_insert_rows_per_s", lambda: apply_rate(changes, work, _bulk_insert)),
                ("tracked_write_us_durable", lambda: write_cost(work, True, bulk=False)),
                ("plain_write_us_durable", lambda: write_cost(work, False, bulk=False)),
                ("tracked_write_us_bulk", lambda: write_cost(work, True, bulk=True)),
                ("plain_write_us_bulk", lambda: write_cost(work, False, bulk=True)),
            ]
            for name, measure in measures:
                results.setdefault(name, []).append(await measure())
    median = {name: statistics.median(values) for name, values in results.items()}
    median["changes"] = len(changes)
    for ratio, (figure, anchor) in RATIOS.items():
        median[ratio] = median[figure] / median[anchor]
    print(json.dumps({k: round(v, 3) for k, v in median.items()}, indent=1))


if __name__ == "__main__":
    asyncio.run(main())
