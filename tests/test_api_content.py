"""The content API on the real box: catalog search, lesson materials, pins, what the next school
day lacks and the prefetch plan — with their 400s, 403s and 404s."""

from __future__ import annotations

import asyncio
import hashlib

import pytest

from content_cache import BLOBS, CatalogEntry, CatalogFile
from tests._box import Box
from tests.test_catalog import entry
from tests.test_content_serve import publish

STORED, MISSING, BOOK, POEM = b"s" * 1000, b"m" * 3000, b"b" * 500, b"p" * 200


def file(name: str, data: bytes) -> CatalogFile:
    return CatalogFile(name, hashlib.sha256(data).hexdigest(), len(data), "application/pdf")


FRACTIONS = entry(
    1,
    id="maths/fractions",  # ids published by edge-hub hold a slash
    title="Fractions",
    grades=("7",),
    files=(file("a.pdf", STORED), file("b.pdf", MISSING)),
)
ALGEBRA = entry(2, id="algebra", title="Algebra", kind="textbook", files=(file("b.pdf", BOOK),))
POEMS = entry(
    3, id="poems", title="Poems", subject="literature", grades=("8",), files=(file("p", POEM),)
)
ENTRIES: list[CatalogEntry] = [FRACTIONS, ALGEBRA, POEMS]
FRACTIONS_URL = "maths%2Ffractions"


@pytest.fixture
async def shelf(box: Box) -> Box:
    """The box with the three entries in its catalog and every file but MISSING in its store."""
    await publish(box.client, ENTRIES)
    for data in (STORED, BOOK, POEM):
        await asyncio.to_thread(box.client.app[BLOBS].put_bytes, data, file("", data).sha256)
    return box


def ids(body: dict[str, list[dict[str, str]]], key: str = "entries") -> list[str]:
    return [item["id"] for item in body[key]]


async def test_catalog_search_filters_and_says_what_is_cached(shelf: Box) -> None:
    status, body = await shelf.call("GET", "/catalog?q=fract", "sam")
    assert status == 200 and ids(body) == ["maths/fractions"]
    assert body["entries"][0]["cached"] is False and body["entries"][0]["grades"] == ["7"]
    _, body = await shelf.call("GET", "/catalog?subject=mathematics&kind=textbook", "panel")
    assert ids(body) == ["algebra"] and body["entries"][0]["cached"] is True
    _, body = await shelf.call("GET", "/catalog?grade=8", "teach")
    assert ids(body) == ["poems"]
    _, body = await shelf.call("GET", "/catalog?limit=2", "sam")
    assert ids(body) == ["algebra", "maths/fractions"]
    status, _ = await shelf.call("GET", "/catalog")
    assert status == 401


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        ("kind=movie", "kind: must be one of assignment, lesson, presentation"),
        ("limit=0", "limit: must be a whole number from 1 to 500"),
        ("limit=ten", "limit: must be a whole number from 1 to 500"),
        ("q=" + "x" * 501, "q: is longer than 500 characters"),
    ],
)
async def test_bad_catalog_queries_are_400(shelf: Box, query: str, detail: str) -> None:
    status, body = await shelf.call("GET", f"/catalog?{query}", "sam")
    assert status == 400 and body["error"] == "invalid_query"
    assert body["detail"].startswith(detail)


async def test_one_catalog_entry_or_a_clear_404(shelf: Box) -> None:
    status, body = await shelf.call("GET", "/catalog/algebra", "sam")
    assert status == 200 and body["title"] == "Algebra" and body["cached"] is True
    status, body = await shelf.call("GET", f"/catalog/{FRACTIONS_URL}", "sam")
    assert status == 200 and body["id"] == FRACTIONS.id
    status, body = await shelf.call("GET", "/catalog/nothing", "sam")
    assert status == 404 and "no catalog entry nothing" in body["detail"]


async def test_a_teacher_attaches_and_detaches_material(shelf: Box) -> None:
    lesson = shelf.school["lesson"]
    path = f"/lessons/{lesson}/materials"
    status, row = await shelf.call("PUT", f"{path}/{FRACTIONS_URL}", "teach")
    assert status == 200
    assert (row["lesson_id"], row["entry_id"]) == (lesson, FRACTIONS.id)
    assert row["attached_by"] == shelf.school["teach"]
    assert (await shelf.call("PUT", f"{path}/{FRACTIONS_URL}", "admin"))[
        1
    ] == row  # the first stays
    await shelf.call("PUT", f"{path}/poems", "admin")
    status, body = await shelf.call("GET", path, "sam")  # a student of the class reads them
    assert status == 200
    assert [(m["entry_id"], m["entry"]["cached"]) for m in body["materials"]] == [
        (FRACTIONS.id, False),
        ("poems", True),
    ]
    for outsider in ("tom", "panel"):
        assert (await shelf.call("GET", path, outsider))[0] == 403
    assert (await shelf.call("DELETE", f"{path}/{FRACTIONS_URL}", "teach"))[0] == 204
    _, body = await shelf.call("GET", path, "teach")
    assert [m["entry_id"] for m in body["materials"]] == ["poems"]
    status, body = await shelf.call("DELETE", f"{path}/{FRACTIONS_URL}", "teach")
    assert (
        status == 404
        and body["detail"] == "catalog entry maths/fractions is not attached to this lesson"
    )


async def test_materials_of_unknown_things_are_404(shelf: Box) -> None:
    lesson = shelf.school["lesson"]
    status, body = await shelf.call("PUT", f"/lessons/{lesson}/materials/nothing", "teach")
    assert status == 404 and body["detail"].startswith("no catalog entry nothing")
    status, body = await shelf.call("PUT", "/lessons/no-such-lesson/materials/algebra", "admin")
    assert status == 404 and body["detail"] == "no lesson no-such-lesson"
    status, body = await shelf.call("GET", "/lessons/no-such-lesson/materials", "admin")
    assert status == 404
    status, body = await shelf.call("PUT", f"/lessons/{lesson}/materials/algebra", "other")
    assert status == 403 and body["error"] == "forbidden"


async def test_teachers_pin_and_unpin_entries(shelf: Box) -> None:
    status, row = await shelf.call("PUT", "/content/pins/poems", "teach")
    assert status == 200 and row["entry_id"] == "poems"
    assert row["pinned_by"] == shelf.school["teach"]
    status, body = await shelf.call("GET", "/content/pins", "other")
    assert status == 200
    assert [(p["entry_id"], p["entry"]["title"]) for p in body["pins"]] == [("poems", "Poems")]
    assert (await shelf.call("GET", "/content/pins", "sam"))[0] == 403
    status, body = await shelf.call("PUT", "/content/pins/nothing", "teach")
    assert status == 404 and body["detail"].startswith("no catalog entry nothing")
    assert (await shelf.call("DELETE", "/content/pins/poems", "other"))[0] == 204
    status, body = await shelf.call("DELETE", "/content/pins/poems", "other")
    assert status == 404 and body["detail"] == "catalog entry poems is not pinned"
    assert (await shelf.call("GET", "/content/pins", "admin"))[1] == {"pins": []}


async def test_missing_defaults_to_the_next_school_day(shelf: Box) -> None:
    tomorrow, today = shelf.school["tomorrow"], shelf.school["lesson"]
    for lesson, entry_id in ((tomorrow, FRACTIONS_URL), (tomorrow, "algebra"), (today, "poems")):
        await shelf.call("PUT", f"/lessons/{lesson}/materials/{entry_id}", "admin")
    status, body = await shelf.call("GET", "/content/missing", "teach")
    assert status == 200 and body["date"] == "2026-11-24"
    assert body["missing_bytes"] == len(MISSING)
    assert body["lessons"] == [
        {
            "lesson_id": tomorrow,
            "title": "Mathematics",
            "class": "Class 7A",
            "start": "09:00",
            "missing_bytes": len(MISSING),
            "entries": [
                {
                    "entry_id": FRACTIONS.id,
                    "in_catalog": True,
                    "missing_files": 1,
                    "missing_bytes": len(MISSING),
                }
            ],
        }
    ]
    _, body = await shelf.call("GET", "/content/missing?date=2026-11-23", "admin")
    assert body == {"date": "2026-11-23", "missing_bytes": 0, "lessons": []}  # poems is here
    status, body = await shelf.call("GET", "/content/missing?date=24.11.2026", "teach")
    assert status == 400 and body["detail"] == "date: must be a date like 2026-09-01"
    assert (await shelf.call("GET", "/content/missing", "sam"))[0] == 403


async def test_the_plan_lists_lessons_first_then_pins(shelf: Box) -> None:
    tomorrow, today = shelf.school["tomorrow"], shelf.school["lesson"]
    await shelf.call("PUT", f"/lessons/{tomorrow}/materials/{FRACTIONS_URL}", "teach")
    await shelf.call("PUT", f"/lessons/{today}/materials/algebra", "teach")
    await shelf.call("PUT", "/content/pins/poems", "teach")
    status, body = await shelf.call("GET", "/content/plan", "admin")
    assert status == 200
    assert [(w["entry_id"], w["reason"], w["need_by"], w["cached"]) for w in body["wanted"]] == [
        ("algebra", "timetable", "2026-11-23T09:00:00+00:00", True),
        (FRACTIONS.id, "timetable", "2026-11-24T09:00:00+00:00", True),
        (FRACTIONS.id, "timetable", "2026-11-24T09:00:00+00:00", False),
        ("poems", "pinned", None, True),
    ]
    assert body["bytes"] == len(BOOK) + len(STORED) + len(MISSING) + len(POEM)
    assert (await shelf.call("GET", "/content/plan", "teach"))[0] == 403
