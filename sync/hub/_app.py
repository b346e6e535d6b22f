"""The reference hub's HTTP side (docs/sync-protocol.md §3, §4, §7, §8, §12)."""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import time
from collections.abc import Callable
from email.utils import formatdate
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from sync._signing import CLOCK_SKEW, SignatureError, verify_request
from sync._wire import MAX_COMPRESSED, WireError, decode_batch, encode_page
from sync.hub._content import HubCatalog
from sync.hub._content_http import add_content_routes
from sync.hub._query import since_limit
from sync.hub._store import Box, HubError, HubStore

STORE = web.AppKey("store", HubStore)
NOW: web.AppKey[Callable[[], int]] = web.AppKey("now")
CONTENT_KEY = web.AppKey("content_key", str)
FEED_TYPE = "application/vnd.classedge.feed+zstd"
MAX_PAGE = 10_000
PRESENCE_PAGE, MAX_PRESENCE_PAGE = 100, 1000


def create_hub_app(
    store: HubStore,
    content_key: str,
    now: Callable[[], int] = lambda: int(time.time()),
    *,
    signing_key: Ed25519PrivateKey | None = None,
    data_dir: Path | None = None,
) -> web.Application:
    """With the content key's private half and the blobs' `data_dir`, it serves content too."""
    app = web.Application(client_max_size=MAX_COMPRESSED + 4096, middlewares=[_errors])
    app[STORE], app[NOW], app[CONTENT_KEY] = store, now, content_key
    if signing_key is not None and data_dir is not None:
        add_content_routes(app, HubCatalog(store, data_dir), signing_key, now)
    app.router.add_post("/v1/enroll", enroll)
    app.router.add_post("/v1/schools/{school}/push", push)
    app.router.add_get("/v1/schools/{school}/changes", changes)
    app.router.add_get("/v1/presence", presence)
    app.router.add_get("/healthz", healthz)
    app.on_response_prepare.append(_date_from_our_clock)
    return app


async def _date_from_our_clock(request: web.Request, response: web.StreamResponse) -> None:
    """Boxes correct their clocks from our Date (§2, §4): it must be the clock we check with."""
    response.headers["Date"] = formatdate(request.app[NOW](), usegmt=True)


async def healthz(request: web.Request) -> web.Response:
    return _json({"status": "ok"})


def _json(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status)


@web.middleware
async def _errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except HubError as err:
        return _json({"error": err.code, "detail": err.detail, **err.extra}, err.status)
    except web.HTTPException as err:
        if err.status < 400:
            raise
        code = "body_too_large" if err.status == 413 else "http_error"
        return _json({"error": code, "detail": err.reason}, err.status)


async def enroll(request: web.Request) -> web.Response:
    try:
        body = json.loads(await request.read())
        token, name = body["token"], body["name"]
        public_key = base64.b64decode(body["public_key"], validate=True)
        node = body["node"]
        if not all(isinstance(v, str) and v for v in (token, name, node)) or len(public_key) != 32:
            raise ValueError("token, name, node and a 32-byte public_key are required")
    except (ValueError, KeyError, TypeError, binascii.Error) as err:
        raise HubError(400, "bad_request", f"not an enrollment request: {err}") from err
    store, now = request.app[STORE], request.app[NOW]()
    box = await asyncio.to_thread(store.enroll, token, public_key, name, node, now)
    return _json(
        {
            "box_id": box.id,
            "school_id": box.school_id,
            "key_id": box.key_id,
            "content_key": request.app[CONTENT_KEY],
        },
        201,
    )


async def _signed_box(request: web.Request, body: bytes) -> Box:
    """The enrolled box that signed this request, or 401; a box asks only for its school."""
    store, now = request.app[STORE], request.app[NOW]()
    found: dict[str, Box] = {}

    def key_for(key_id: str) -> Ed25519PublicKey | None:
        box = store.box(key_id)
        if box is None:
            return None
        found[key_id] = box
        return Ed25519PublicKey.from_public_bytes(box.public_key)

    def verify() -> str:
        return verify_request(request.method, request.raw_path, request.headers, body, key_for, now)

    try:
        key_id = await asyncio.to_thread(verify)
    except SignatureError as err:
        code = "clock_skew" if err.reason == CLOCK_SKEW else "bad_signature"
        raise HubError(401, code, err.reason) from err
    box = found[key_id]
    if box.school_id != request.match_info["school"]:
        raise HubError(403, "forbidden", "a box syncs its own school only")
    return box


async def push(request: web.Request) -> web.Response:
    body = await request.read()
    box = await _signed_box(request, body)
    try:
        batch = decode_batch(body)
    except WireError as err:
        raise HubError(413 if err.too_large else 400, "bad_batch", str(err)) from err
    store, now = request.app[STORE], request.app[NOW]()
    return _json(await asyncio.to_thread(store.push, box, batch, now))


async def changes(request: web.Request) -> web.Response:
    box = await _signed_box(request, await request.read())
    since, limit = since_limit(request, 5000, MAX_PAGE)
    store = request.app[STORE]
    page = await asyncio.to_thread(store.page, box.school_id, since, limit, box.node)
    return web.Response(body=encode_page(page), content_type=FEED_TYPE)


async def presence(request: web.Request) -> web.Response:
    """A parent's view of their child's entries and exits (§12): a bearer token, no signature."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise HubError(401, "bad_token", "an Authorization: Bearer token is required")
    since, limit = since_limit(request, PRESENCE_PAGE, MAX_PRESENCE_PAGE)
    store = request.app[STORE]
    answer = _json(await asyncio.to_thread(store.presence, token.strip(), since, limit))
    answer.headers["Cache-Control"] = "no-store"
    return answer
