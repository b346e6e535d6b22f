"""The content catalog for everyone logged in: search it, read an entry; `cached` says whether
the box already holds every file of an entry (so it opens offline)."""

from __future__ import annotations

import asyncio

from aiohttp import web

from content_cache import BLOBS, CATALOG, KINDS
from edge.content import entry_detail, search_entries
from edge.web._api import Api, Call, json_body
from edge.web._sync_routes import NUMBER, _whole
from edge.web._validate import Schema

WORD = {"type": "string", "maxLength": 200}
MAX_RESULTS = 500
CATALOG_QUERY: dict[str, Schema] = {
    "q": {"type": "string", "maxLength": 500},
    "subject": WORD,
    "grade": WORD,
    "kind": {"type": "string", "enum": sorted(KINDS)},
    "limit": NUMBER,
}


async def search_catalog(call: Call) -> web.StreamResponse:
    limit = _whole(call, "limit", 50, 1, MAX_RESULTS)
    q, subject, grade, kind = (call.query.get(k) for k in ("q", "subject", "grade", "kind"))
    found = await asyncio.to_thread(
        search_entries,
        call.app[CATALOG],
        call.app[BLOBS],
        q or "",
        subject=subject,
        grade=grade,
        kind=kind,
        limit=limit,
    )
    return json_body({"entries": found})


async def catalog_entry(call: Call) -> web.StreamResponse:
    entry_id, catalog, blobs = call.param("entry_id"), call.app[CATALOG], call.app[BLOBS]
    return json_body(await asyncio.to_thread(entry_detail, catalog, blobs, entry_id))


def add_routes(api: Api) -> None:
    api.add(
        "GET",
        "/catalog",
        search_catalog,
        tag="content",
        query=CATALOG_QUERY,
        summary="Search the catalog (title, subject, grade, kind); `cached`: the box holds it",
    )
    api.add("GET", "/catalog/{entry_id}", catalog_entry, tag="content", summary="A catalog entry")
