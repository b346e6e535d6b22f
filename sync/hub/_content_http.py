"""The hub's content routes, unsigned GETs: the catalog is protected by its own signature and
blobs by their hash, so any CDN could serve them (docs/catalog-format.md, "Serving")."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

import zstandard
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from content_cache import sign_head
from sync.hub._content import HubCatalog
from sync.hub._errors import HubError
from sync.hub._query import since_limit

CATALOG_TYPE = "application/vnd.classedge.catalog+zstd"
HEAD_TTL = 7 * 24 * 3600
CATALOG_PAGE, MAX_CATALOG_PAGE = 10_000, 50_000
IMMUTABLE = "public, max-age=31536000, immutable"
_CATALOG = web.AppKey("catalog", HubCatalog)
_SIGNER = web.AppKey("content_signer", Ed25519PrivateKey)
_CLOCK: web.AppKey[Callable[[], int]] = web.AppKey("content_clock")


def add_content_routes(
    app: web.Application,
    catalog: HubCatalog,
    signer: Ed25519PrivateKey,
    now: Callable[[], int] = lambda: int(time.time()),
) -> None:
    app[_CATALOG], app[_SIGNER], app[_CLOCK] = catalog, signer, now
    app.router.add_get("/v1/catalog", catalog_delta)
    app.router.add_get("/v1/blobs/{sha256}", blob)  # HEAD too
    app.on_response_prepare.append(_blob_etag)


async def catalog_delta(request: web.Request) -> web.Response:
    """The signed head and the records after `since`: one zstd frame of JSON."""
    since, limit = since_limit(request, CATALOG_PAGE, MAX_CATALOG_PAGE)
    catalog, now = request.app[_CATALOG], request.app[_CLOCK]()

    def build() -> bytes:
        head, records = catalog.delta(since, limit, now, HEAD_TTL)
        signed = json.dumps(sign_head(head, request.app[_SIGNER]).to_json())
        more = json.dumps(since + len(records) < head.version)
        # the records as stored: canonical JSON, joined without parsing them again
        text = f'{{"head":{signed},"more":{more},"records":[{",".join(records)}]}}'.encode()
        return zstandard.ZstdCompressor(level=10, write_content_size=True).compress(text)

    answer = web.Response(body=await asyncio.to_thread(build), content_type=CATALOG_TYPE)
    answer.headers["Cache-Control"] = "no-cache"
    return answer


class _BlobResponse(web.FileResponse):
    """A blob file; its ETag is its hash (aiohttp's own is mtime-size)."""

    def __init__(self, sha256: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sha256 = sha256


async def blob(request: web.Request) -> web.StreamResponse:
    """GET or HEAD a blob by its sha256, with Range (206, 416) from aiohttp's FileResponse."""
    sha256 = request.match_info["sha256"]
    path = await asyncio.to_thread(request.app[_CATALOG].blob, sha256)  # 400 if malformed
    if path is None:
        raise HubError(404, "not_found", f"no blob {sha256}")
    headers = {"Cache-Control": IMMUTABLE}
    if any(tag.value == sha256 or tag.value == "*" for tag in request.if_none_match or ()):
        return web.Response(status=304, headers={**headers, "ETag": f'"{sha256}"'})
    return _BlobResponse(sha256, path, headers=headers)


async def _blob_etag(request: web.Request, response: web.StreamResponse) -> None:
    if isinstance(response, _BlobResponse):
        response.headers["ETag"] = f'"{response.sha256}"'
        response.headers["Cache-Control"] = IMMUTABLE
