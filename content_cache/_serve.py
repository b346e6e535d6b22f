"""LAN serving (DESIGN.md "LAN serving"): `/content/{sha256}` and `/lessons/{id}/{path}`.

The application that mounts these sets `BLOBS` and `CATALOG` (open stores, e.g. in a cleanup
context) and calls `add_content_routes`; no login is asked: this is the school's library."""

from __future__ import annotations

import re

from aiohttp import web

from content_cache._serve_answer import answer
from content_cache._serve_http import json_error
from content_cache._serve_lessons import lesson_file, lesson_root
from content_cache._serve_server import SERVER, ContentServer

DEFAULT_MEMORY_BYTES = 64 * 1024 * 1024
_SHA256 = re.compile(r"[0-9a-f]{64}")


def add_content_routes(app: web.Application, *, memory_bytes: int = DEFAULT_MEMORY_BYTES) -> None:
    """Mount GET/HEAD `/content/{sha256}` and `/lessons/{id}/{path}` on `app`."""
    app[SERVER] = ContentServer(app, memory_bytes)
    app.router.add_get("/content/{sha256}", content_blob)
    app.router.add_get("/lessons/{entry_id}", lesson_root)
    app.router.add_get("/lessons/{entry_id}/{path:.*}", lesson_file)


async def content_blob(request: web.Request) -> web.StreamResponse:
    sha256 = request.match_info["sha256"]
    if not _SHA256.fullmatch(sha256):
        return json_error(400, "a blob is named by its SHA-256 in lowercase hex")
    found = await request.app[SERVER].find(sha256)
    if found is None:
        return json_error(404, f"no blob {sha256} on this box")
    return answer(request, sha256, found, found.headers)
