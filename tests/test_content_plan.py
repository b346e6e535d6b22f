"""The prefetch planner: the pure ordering, dedup and budget cut, then the diary side on a real
database — school days, holidays, cancelled lessons, the school's clock, and pins in the store."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from content_cache import (
    BlobStore,
    CatalogEntry,
    CatalogFile,
    CatalogIndex,
    Wanted,
    plan_downloads,
)
from edge.accounts import Principal, Role
from edge.content import attach_material, pin_entry, plan, read_plan_inputs
from edge.db import Database, Tx
from edge.settings import Settings
from tests._school import School, seed_school
from tests.test_catalog import NOW, PUBLIC, entry, head_for

MONDAY = date(2026, 11, 23)
NINE = datetime(2026, 11, 23, 9, tzinfo=UTC)
ADMIN = Principal("u-admin", "admin", Role.ADMIN, None)
BERLIN = Settings().replace("school", timezone="Europe/Berlin")


def blob(name: str, size: int) -> tuple[bytes, CatalogFile]:
    data = (name.encode() * size)[:size]
    return data, CatalogFile(f"{name}.bin", hashlib.sha256(data).hexdigest(), size, "video/mp4")


def item(version: int, title: str, *files: CatalogFile, **changes: Any) -> CatalogEntry:
    """Entry `title` (its id too), mathematics for grade 7 unless `changes` say otherwise."""
    return entry(
        version, **{"title": title, "id": title, "files": files, "grades": ("7",), **changes}
    )


def load(catalog: CatalogIndex, entries: list[CatalogEntry]) -> None:
    catalog.apply(head_for(entries), entries, PUBLIC, NOW)


@pytest.fixture
def catalog(tmp_path: Path) -> Iterator[CatalogIndex]:
    with CatalogIndex(tmp_path / "catalog.db") as index:
        yield index


A, B, C, D, E, F = (blob(name, 100)[1] for name in "abcdef")


def shas(wanted: list[Wanted]) -> list[str]:
    return [w.sha256 for w in wanted]


def test_timetable_by_lesson_start_then_pins_then_subjects(catalog: CatalogIndex) -> None:
    load(
        catalog,
        [
            item(1, "late", A),
            item(2, "early", B),
            item(3, "pinned", C),
            item(4, "zeta", D),
            item(5, "alpha", E),
            item(6, "grade 9", F, grades=("9",)),
        ],
    )
    ten = NINE.replace(hour=10)
    needs = [("late", ten), ("early", NINE)]
    wanted = plan_downloads(needs, ["pinned"], {("mathematics", "7")}, catalog, 10_000)
    assert shas(wanted) == [B.sha256, A.sha256, C.sha256, E.sha256, D.sha256]
    assert [(w.entry_id, w.reason, w.need_by) for w in wanted[:3]] == [
        ("early", "timetable", NINE),
        ("late", "timetable", ten),
        ("pinned", "pinned", None),
    ]
    assert {w.reason for w in wanted[3:]} == {"subjects"}


def test_a_blob_is_listed_once_under_its_first_need(catalog: CatalogIndex) -> None:
    load(catalog, [item(1, "one", A, B), item(2, "two", B, C), item(3, "three", C, D)])
    needs = [("two", NINE.replace(hour=11)), ("one", NINE), ("two", NINE.replace(hour=10))]
    wanted = plan_downloads(needs, ["three", "one"], {("mathematics", "7")}, catalog, 10_000)
    assert [(w.sha256, w.entry_id, w.reason) for w in wanted] == [
        (A.sha256, "one", "timetable"),
        (B.sha256, "one", "timetable"),
        (C.sha256, "two", "timetable"),
        (D.sha256, "three", "pinned"),
    ]
    assert wanted[2].need_by == NINE.replace(hour=10)


def test_the_subjects_tier_stops_at_the_budget_but_needs_are_never_cut(
    catalog: CatalogIndex,
) -> None:
    big = blob("big", 5_000)[1]
    load(
        catalog,
        [item(1, "lesson", big), item(2, "a", A, B), item(3, "c", A, D, E), item(4, "d", C)],
    )
    wanted = plan_downloads([("lesson", NINE)], [], {("mathematics", "7")}, catalog, 300)
    # "a" costs 200; "c" adds D and E (A is planned already): 400 > 300, so the tier ends there
    # and "d", which would fit, is not taken
    assert shas(wanted) == [big.sha256, A.sha256, B.sha256]
    nothing_spare = plan_downloads([("lesson", NINE)], ["d"], {("mathematics", "7")}, catalog, 0)
    assert shas(nothing_spare) == [big.sha256, C.sha256]


def test_unknown_and_deleted_entries_are_skipped(catalog: CatalogIndex) -> None:
    load(catalog, [item(1, "kept", A), item(2, "gone", B), item(3, "gone", B, deleted=True)])
    wanted = plan_downloads(
        [("gone", NINE), ("nobody", NINE), ("kept", NINE)], ["gone"], set(), catalog, 10_000
    )
    assert shas(wanted) == [A.sha256]


# --- the diary side ----------------------------------------------------------------------------


@dataclasses.dataclass
class Scene:
    db: Database
    school: School
    catalog: CatalogIndex
    blobs: BlobStore
    lessons: dict[str, str]


def _lesson(tx: Tx, school: School, key: str, day: str, status: str = "scheduled") -> str:
    return tx.insert(
        "lessons",
        {
            "source_key": key,
            "class_id": school["7a"],
            "teacher_id": school["teach"],
            "title": "Mathematics",
            "date": day,
            "start_time": "09:00",
            "end_time": "09:45",
            "status": status,
        },
    )


def _week(tx: Tx, school: School) -> dict[str, str]:
    """Beyond the seeded Monday and Tuesday: a Wednesday–Thursday holiday with a lesson in it,
    a Friday, a Saturday with only a cancelled lesson, the next Monday."""
    tx.insert(
        "holidays",
        {
            "source_uid": "h1",
            "title": "Break",
            "first_date": "2026-11-25",
            "last_date": "2026-11-26",
        },
    )
    return {
        "wednesday": _lesson(tx, school, "w", "2026-11-25"),
        "friday": _lesson(tx, school, "f", "2026-11-27"),
        "saturday": _lesson(tx, school, "s", "2026-11-28", "cancelled"),
        "next_monday": _lesson(tx, school, "m", "2026-11-30"),
    }


@pytest.fixture
async def scene(db: Database, catalog: CatalogIndex, tmp_path: Path) -> AsyncIterator[Scene]:
    school = await seed_school(db, MONDAY)
    lessons = await db.write(lambda tx: _week(tx, school))
    lessons |= {name: school[name] for name in ("lesson", "tomorrow", "cancelled")}
    blobs = BlobStore(tmp_path / "blobs", quota_bytes=1_000, reserve_free_bytes=0)
    yield Scene(db, school, catalog, blobs, lessons)
    blobs.close()


async def _attach(scene: Scene, attachments: dict[str, str]) -> None:
    for lesson, entry_id in attachments.items():
        await attach_material(scene.db, scene.catalog, ADMIN, scene.lessons[lesson], entry_id, NINE)


async def test_the_next_school_days_skip_holidays_weekends_and_cancelled_lessons(
    scene: Scene,
) -> None:
    names = ["monday", "tuesday", "wednesday", "friday", "saturday", "next_monday", "cancelled"]
    load(scene.catalog, [item(n, name, blob(name, 10)[1]) for n, name in enumerate(names, 1)])
    await _attach(
        scene,
        {
            "lesson": "monday",
            "tomorrow": "tuesday",
            "wednesday": "wednesday",
            "friday": "friday",
            "saturday": "saturday",
            "next_monday": "next_monday",
            "cancelled": "cancelled",
        },
    )
    inputs = await scene.db.read(lambda c: read_plan_inputs(c, MONDAY, 4, BERLIN.tz))
    # four school days: Monday, Tuesday, Friday, next Monday (9:00 in Berlin is 8:00 UTC)
    assert inputs.lesson_needs == [
        ("monday", datetime(2026, 11, 23, 8, tzinfo=UTC)),
        ("tuesday", datetime(2026, 11, 24, 8, tzinfo=UTC)),
        ("friday", datetime(2026, 11, 27, 8, tzinfo=UTC)),
        ("next_monday", datetime(2026, 11, 30, 8, tzinfo=UTC)),
    ]


async def test_plan_reads_today_in_the_school_timezone(scene: Scene) -> None:
    load(scene.catalog, [item(1, "monday", A), item(2, "tuesday", B)])
    await _attach(scene, {"lesson": "monday", "tomorrow": "tuesday"})
    monday_night_utc = datetime(2026, 11, 23, 23, 30, tzinfo=UTC)  # Tuesday 00:30 in Berlin
    one_day = BERLIN.replace("content", plan_days=1)
    wanted = await plan(scene.db, scene.catalog, scene.blobs, one_day, monday_night_utc)
    assert [w.entry_id for w in wanted] == ["tuesday"]
    in_utc = one_day.replace("school", timezone="UTC")
    wanted = await plan(scene.db, scene.catalog, scene.blobs, in_utc, monday_night_utc)
    assert [w.entry_id for w in wanted] == ["monday"]


async def test_plan_pins_lesson_and_teacher_tiers_and_budgets_the_rest(scene: Scene) -> None:
    lesson_data, lesson_file = blob("lesson", 300)
    pinned_data, pinned_file = blob("pinned", 200)
    spare_data, spare_file = blob("spare", 100)
    subject_files = [blob(name, 300)[1] for name in ("s1", "s2")]
    load(
        scene.catalog,
        [
            item(1, "lesson", lesson_file),
            item(2, "pinned", pinned_file),
            item(3, "s1", subject_files[0]),
            item(4, "s2", subject_files[1]),
        ],
    )
    await scene.db.write(lambda tx: tx.update("classes", scene.school["7a"], _maths_7()))
    await _attach(scene, {"tomorrow": "lesson"})
    await pin_entry(scene.db, scene.catalog, ADMIN, "pinned", NINE)
    for data, file in ((pinned_data, pinned_file), (spare_data, spare_file)):
        await asyncio.to_thread(scene.blobs.put_bytes, data, file.sha256)

    wanted = await plan(scene.db, scene.catalog, scene.blobs, BERLIN, NINE)
    # quota 1000 − 200 pinned and stored − 300 for the lesson still to come: one 300-byte s1
    assert [(w.entry_id, w.reason) for w in wanted] == [
        ("lesson", "timetable"),
        ("pinned", "pinned"),
        ("s1", "subjects"),
    ]
    assert wanted[0].need_by == datetime(2026, 11, 24, 8, tzinfo=UTC)
    await asyncio.to_thread(scene.blobs.put_bytes, lesson_data, lesson_file.sha256)
    assert (await asyncio.to_thread(scene.blobs.usage)).pinned_bytes == 500
    # room for 500 more bytes (of 1000, 600 held) evicts the unpinned blob and no pinned one
    await asyncio.to_thread(scene.blobs.open_partial, "0" * 64, 500)
    await asyncio.to_thread(scene.blobs.release_partial, "0" * 64, keep_prefix=False)
    assert not scene.blobs.has(spare_file.sha256)
    assert scene.blobs.has(lesson_file.sha256) and scene.blobs.has(pinned_file.sha256)


async def test_a_new_plan_replaces_the_pins(scene: Scene) -> None:
    lesson_data, lesson_file = blob("lesson", 300)
    load(scene.catalog, [item(1, "lesson", lesson_file)])
    await asyncio.to_thread(scene.blobs.put_bytes, lesson_data, lesson_file.sha256)
    await _attach(scene, {"tomorrow": "lesson"})
    await plan(scene.db, scene.catalog, scene.blobs, BERLIN, NINE)
    assert scene.blobs.pinned_bytes() == 300
    friday = datetime(2026, 11, 27, 12, tzinfo=UTC)  # Tuesday's lesson is past
    assert await plan(scene.db, scene.catalog, scene.blobs, BERLIN, friday) == []
    assert scene.blobs.pinned_bytes() == 0


def _maths_7() -> dict[str, str]:
    return {"subjects": '["mathematics"]', "grades": '["7"]'}
