"""What the content handlers share: the app keys of the stores, the memory cache, MIME types."""

from __future__ import annotations

import asyncio
import time

from aiohttp import web

from content_cache._blobs import BlobStore
from content_cache._blobs_index import TOUCH_INTERVAL_SECONDS
from content_cache._index import CatalogIndex
from content_cache._serve_answer import IMMUTABLE, Found, Opened, blob_headers
from content_cache._serve_file import open_blob
from content_cache._serve_memory import SMALL_BLOB, Hot, MemoryCache
from content_cache._serve_mime import DEFAULT_MIME, MimeMap

BLOBS = web.AppKey("content_blobs", BlobStore)
CATALOG = web.AppKey("content_catalog", CatalogIndex)


class ContentServer:
    """Reads blobs through `app[BLOBS]` (off the loop) and keeps the small ones in memory."""

    def __init__(self, app: web.Application, memory_bytes: int) -> None:
        self._app = app
        self._mimes: MimeMap | None = None
        self.memory = MemoryCache(memory_bytes)
        self._noted: dict[str, float] = {}  # when a memory hit was last told to the store

    async def find(self, sha256: str) -> Found | None:
        """The blob from memory, else from the store (a small one is then kept in memory)."""
        hot = self.memory.get(sha256)
        if hot is not None and await self._still_stored(sha256):
            return hot
        found = await asyncio.to_thread(self._load, sha256)
        if isinstance(found, Hot) and found.headers["Content-Type"] != DEFAULT_MIME:
            self.memory.put(sha256, found)  # an uncatalogued blob's type may come later
        return found

    async def _still_stored(self, sha256: str) -> bool:
        """Tell the store of a memory hit now and then, so its LRU eviction sees the blob in
        use; and forget a blob the store has evicted meanwhile."""
        now = time.monotonic()
        if now - self._noted.get(sha256, float("-inf")) < TOUCH_INTERVAL_SECONDS:
            return True
        self._noted[sha256] = now
        if await asyncio.to_thread(self._app[BLOBS].path, sha256) is not None:
            return True
        self.memory.drop(sha256)
        del self._noted[sha256]
        return False

    def _load(self, sha256: str) -> Found | None:
        path = self._app[BLOBS].path(sha256)  # marks it recently used for eviction
        opened = None if path is None else open_blob(path)
        if opened is None:
            return None  # unknown, or deleted from the disk behind the store's back
        handle, size = opened
        headers = blob_headers(sha256, self._mime_of(sha256), IMMUTABLE, sandbox=False)
        if size > SMALL_BLOB:
            return Opened(handle, size, headers)
        with handle:
            return Hot(handle.read(), headers)

    def _mime_of(self, sha256: str) -> str:
        if self._mimes is None:
            self._mimes = MimeMap(self._app[CATALOG])
        return self._mimes.lookup(sha256)


SERVER = web.AppKey("content_server", ContentServer)
