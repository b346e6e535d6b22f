"""Teachers' lesson content: materials attached to lessons, pins, what the next school day still
lacks, and (for admins) the prefetch plan. Downloading is the fetcher's; serving, `/content/…`."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from aiohttp import web

from content_cache import BLOBS, CATALOG, BlobStore, Wanted
from edge.accounts import Role
from edge.content import (
    attach_material,
    content_pins,
    detach_material,
    lesson_materials,
    missing_for,
    next_school_day,
    pin_entry,
    plan,
    unpin_entry,
)
from edge.web._api import Api, Call, json_body
from edge.web._keys import CLOCK, DB, SETTINGS
from edge.web._timetable_routes import DATE, STAFF, today


async def list_materials(call: Call) -> web.StreamResponse:
    lesson_id, app = call.param("lesson_id"), call.app
    rows = await lesson_materials(app[DB], app[CATALOG], app[BLOBS], call.who, lesson_id)
    return json_body({"lesson_id": lesson_id, "materials": rows})


async def attach(call: Call) -> web.StreamResponse:
    lesson_id, entry_id, app = call.param("lesson_id"), call.param("entry_id"), call.app
    row = await attach_material(app[DB], app[CATALOG], call.who, lesson_id, entry_id, app[CLOCK]())
    return json_body(row)


async def detach(call: Call) -> web.StreamResponse:
    lesson_id, entry_id = call.param("lesson_id"), call.param("entry_id")
    await detach_material(call.app[DB], call.who, lesson_id, entry_id)
    return web.Response(status=204)


async def list_pins(call: Call) -> web.StreamResponse:
    pins = await content_pins(call.app[DB], call.app[CATALOG], call.app[BLOBS])
    return json_body({"pins": pins})


async def pin(call: Call) -> web.StreamResponse:
    entry_id, app = call.param("entry_id"), call.app
    return json_body(await pin_entry(app[DB], app[CATALOG], call.who, entry_id, app[CLOCK]()))


async def unpin(call: Call) -> web.StreamResponse:
    await unpin_entry(call.app[DB], call.who, call.param("entry_id"))
    return web.Response(status=204)


async def missing(call: Call) -> web.StreamResponse:
    day = await _missing_day(call)
    gaps = await missing_for(call.app[DB], call.app[CATALOG], call.app[BLOBS], day)
    lessons = [gap.as_json() for gap in gaps]
    total = sum(lesson["missing_bytes"] for lesson in lessons)
    return json_body({"date": day.isoformat(), "missing_bytes": total, "lessons": lessons})


async def _missing_day(call: Call) -> date:
    """The asked date, else the next school day after today (else tomorrow)."""
    if "date" in call.query:
        return date.fromisoformat(call.query["date"])
    after = today(call)
    found = await call.app[DB].read(lambda conn: next_school_day(conn, after))
    return found or after + timedelta(days=1)


async def prefetch_plan(call: Call) -> web.StreamResponse:
    app = call.app
    wanted = await plan(app[DB], app[CATALOG], app[BLOBS], app[SETTINGS], app[CLOCK]())
    items = await asyncio.to_thread(_plan_items, wanted, app[BLOBS])
    return json_body({"bytes": sum(w.size for w in wanted), "wanted": items})


def _plan_items(wanted: list[Wanted], blobs: BlobStore) -> list[dict[str, object]]:
    return [
        {
            "entry_id": w.entry_id,
            "sha256": w.sha256,
            "size": w.size,
            "reason": w.reason,
            "need_by": w.need_by.isoformat() if w.need_by else None,
            "cached": blobs.has(w.sha256),
        }
        for w in wanted
    ]


def add_routes(api: Api) -> None:
    material = "/lessons/{lesson_id}/materials/{entry_id}"
    api.add(
        "GET",
        "/lessons/{lesson_id}/materials",
        list_materials,
        tag="content",
        summary="The catalog entries attached to a lesson",
    )
    api.add(
        "PUT",
        material,
        attach,
        tag="content",
        roles=STAFF,
        summary="Attach a catalog entry to a lesson: it is fetched before the lesson",
    )
    api.add(
        "DELETE",
        material,
        detach,
        tag="content",
        roles=STAFF,
        summary="Take a catalog entry off a lesson",
        responses={204: "Detached"},
    )
    api.add("GET", "/content/pins", list_pins, tag="content", roles=STAFF, summary="Pinned entries")
    api.add(
        "PUT",
        "/content/pins/{entry_id}",
        pin,
        tag="content",
        roles=STAFF,
        summary="Pin a catalog entry: fetched after the timetable's, never evicted",
    )
    api.add(
        "DELETE",
        "/content/pins/{entry_id}",
        unpin,
        tag="content",
        roles=STAFF,
        summary="Unpin a catalog entry",
        responses={204: "Unpinned"},
    )
    api.add(
        "GET",
        "/content/missing",
        missing,
        tag="content",
        roles=STAFF,
        query={"date": DATE},
        summary="Lessons of a day (default: the next school day) whose materials are not all here",
    )
    api.add(
        "GET",
        "/content/plan",
        prefetch_plan,
        tag="content",
        roles=(Role.ADMIN,),
        summary="The prefetch plan, most needed first (re-pins what lessons and teachers need)",
    )
