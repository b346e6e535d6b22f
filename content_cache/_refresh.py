"""Catalog refresh: `GET /v1/catalog?since=` page by page, each page staged as it arrives, then
the last page's signed head commits them all (docs/catalog-format.md, "Fetching").

An in-sync refresh is one small request; an interrupted first import resumes from the staged
end; a refused head leaves the catalog held as it was."""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import aiohttp
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from content_cache._bundle_layout import BundleError, decompress_capped
from content_cache._catalog import CatalogEntry, entry_from_json
from content_cache._fetch_errors import FetchError, HubUnreachable
from content_cache._fields import CatalogError
from content_cache._head import CatalogHead, SignedHead
from content_cache._index import CatalogIndex

PAGE_LIMIT = 10_000
MAX_PAGE_BYTES = 256 << 20  # decompressed; a 10,000-record page is ~5 MB


@dataclass(frozen=True)
class RefreshReport:
    held_before: int
    head: CatalogHead
    records: int
    pages: int
    bytes_received: int


async def refresh_catalog(
    http: aiohttp.ClientSession,
    index: CatalogIndex,
    public_key: Ed25519PublicKey,
    now: Callable[[], int],
    *,
    page_limit: int = PAGE_LIMIT,
) -> RefreshReport:
    """Bring `index` up to the hub's head; `CatalogError` (a refused head or delta) or
    `FetchError` otherwise. `http` has the hub's URL as its base. The next page is requested
    while this one is staged, so the hub's work and the box's overlap."""
    # one worker thread: decoded pages are large, and each pool thread would keep its own
    # malloc arena of them (a 800,000-entry import peaked at 633 MB RSS with the shared pool)
    with ThreadPoolExecutor(1, thread_name_prefix="catalog-refresh") as worker:
        return await _refresh(http, index, public_key, now, page_limit, worker)


async def _refresh(
    http: aiohttp.ClientSession,
    index: CatalogIndex,
    public_key: Ed25519PublicKey,
    now: Callable[[], int],
    page_limit: int,
    worker: ThreadPoolExecutor,
) -> RefreshReport:
    loop = asyncio.get_running_loop()
    held_before = (await loop.run_in_executor(worker, index.held))[0]
    since = (await loop.run_in_executor(worker, index.staged))[0]
    records = pages = received = 0
    upcoming = asyncio.create_task(_get_page(http, since, page_limit))
    try:
        while True:
            body = await upcoming
            received += len(body)
            signed, page, more = await loop.run_in_executor(worker, decode_page, body)
            if more:
                upcoming = asyncio.create_task(_get_page(http, since + len(page), page_limit))
            if page:
                since = await loop.run_in_executor(worker, index.stage, page)
                records, pages = records + len(page), pages + 1
            if not more:
                commit = functools.partial(index.commit_staged, signed, public_key, now())
                head = await loop.run_in_executor(worker, commit)
                return RefreshReport(held_before, head, records, pages, received)
    finally:
        upcoming.cancel()
        await asyncio.gather(upcoming, return_exceptions=True)


async def _get_page(http: aiohttp.ClientSession, since: int, limit: int) -> bytes:
    try:
        async with http.get("/v1/catalog", params={"since": since, "limit": limit}) as answer:
            body = await answer.read()
    except (aiohttp.ClientError, TimeoutError, OSError) as err:
        raise HubUnreachable(f"catalog: {err or type(err).__name__}") from err
    if answer.status == 409:
        raise CatalogError(f"the hub's catalog is behind the {since} versions held (rollback)")
    if answer.status != 200:
        raise FetchError(f"catalog: the hub answered {answer.status}: {body[:200]!r}")
    return body


def decode_page(body: bytes) -> tuple[SignedHead, list[CatalogEntry], bool]:
    """A catalog page's head, records and `more` flag; `CatalogError` if anything is off."""
    try:  # capped while streaming: the frame's own size header is not to be trusted
        page: Any = json.loads(decompress_capped(body, "catalog page", MAX_PAGE_BYTES))
    except (BundleError, ValueError) as err:
        raise CatalogError(f"catalog page: not zstd-compressed JSON ({err})") from err
    if not isinstance(page, dict) or not isinstance(page.get("records"), list):
        raise CatalogError("catalog page: must be an object with a list of records")
    more = page.get("more")
    if not isinstance(more, bool):
        raise CatalogError("catalog page: more must be true or false")
    signed = SignedHead.from_json(page.get("head"))
    return signed, [entry_from_json(record) for record in page["records"]], more
