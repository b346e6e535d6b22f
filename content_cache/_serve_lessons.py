"""`/lessons/{id}/{path}`: a catalog entry's files by their paths, so an HTML5 package's
relative links work. Paths are compared exactly with the catalog's (normalized, no `..`)."""

from __future__ import annotations

import asyncio

from aiohttp import web

from content_cache._catalog import CatalogFile
from content_cache._serve_answer import answer, blob_headers
from content_cache._serve_http import json_error
from content_cache._serve_server import CATALOG, SERVER

INDEX = "index.html"
#: a lesson URL names the entry, not a version: the browser revalidates with the ETag
NO_CACHE = "no-cache"


async def lesson_root(request: web.Request) -> web.StreamResponse:
    """`/lessons/{id}` → `/lessons/{id}/`, so the package's relative links resolve inside it."""
    raise web.HTTPMovedPermanently(location=request.rel_url.raw_path + "/")


async def lesson_file(request: web.Request) -> web.StreamResponse:
    entry_id, path = request.match_info["entry_id"], request.match_info["path"] or INDEX
    found = await asyncio.to_thread(_lookup, request.app, entry_id, path)
    if found is None:
        return json_error(404, f"lesson {entry_id!r} has no file {path!r}")
    record, kind = found
    blob = await request.app[SERVER].find(record.sha256)
    if blob is None:
        return json_error(404, f"file {path!r} of lesson {entry_id!r} is not on this box yet")
    headers = blob_headers(record.sha256, record.mime, NO_CACHE, sandbox=kind == "lesson")
    return answer(request, record.sha256, blob, headers)


def _lookup(app: web.Application, entry_id: str, path: str) -> tuple[CatalogFile, str] | None:
    entry = app[CATALOG].get(entry_id)
    if entry is None:
        return None
    record = next((f for f in entry.files if f.path == path), None)
    return None if record is None else (record, entry.kind)
