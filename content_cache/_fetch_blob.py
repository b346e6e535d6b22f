"""One attempt at one blob: `GET /v1/blobs/{sha256}` from the stored prefix on, into a partial.

What arrived is appended before any error propagates, so a dropped link costs only the bytes
that were still in flight; a blob that does not hash to its name is discarded, never stored."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import aiohttp

from content_cache._blobs import BlobStore
from content_cache._blobs_partial import Partial
from content_cache._blobs_types import BlobMismatch
from content_cache._bucket import TokenBucket
from content_cache._fetch_errors import FetchError, HubUnreachable
from content_cache._fetch_progress import Download

READ_BYTES = 16 * 1024
FLUSH_BYTES = 256 * 1024


class OutsideWindow(Exception):
    """The download window closed mid-blob: the prefix is kept for the next window."""


async def receive_blob(
    http: aiohttp.ClientSession,
    store: BlobStore,
    bucket: TokenBucket,
    download: Download,
    window_open: Callable[[], bool],
    patience: aiohttp.ClientTimeout,
) -> None:
    download.attempts += 1
    partial = await asyncio.to_thread(store.open_partial, download.sha256, download.size)
    try:
        download.done = partial.offset
        if partial.offset < partial.size:
            await _receive(http, partial, bucket, download, window_open, patience)
        await asyncio.to_thread(store.commit, download.sha256)
    except BlobMismatch as err:
        await asyncio.to_thread(store.release_partial, download.sha256, keep_prefix=False)
        raise FetchError(f"discarded, fetching again: {err}") from err
    finally:
        await asyncio.to_thread(store.release_partial, download.sha256)  # no-op once committed


async def _receive(
    http: aiohttp.ClientSession,
    partial: Partial,
    bucket: TokenBucket,
    download: Download,
    window_open: Callable[[], bool],
    patience: aiohttp.ClientTimeout,
) -> None:
    pending = bytearray()
    url = f"/v1/blobs/{partial.sha256}"
    try:
        async with http.get(url, headers=_range(partial), timeout=patience) as answer:
            skip = _bytes_to_skip(answer, partial)
            async for chunk in answer.content.iter_chunked(READ_BYTES):
                await bucket.take(len(chunk))
                download.received += len(chunk)
                used = chunk[skip:]
                skip = max(0, skip - len(chunk))
                pending += used
                download.done += len(used)
                if len(pending) >= FLUSH_BYTES:
                    await _flush(partial, pending)
                if not window_open():
                    raise OutsideWindow
    except (aiohttp.ClientError, TimeoutError, OSError) as err:
        raise HubUnreachable(f"blob {partial.sha256[:12]}: {err or type(err).__name__}") from err
    finally:
        await _flush(partial, pending)


async def _flush(partial: Partial, pending: bytearray) -> None:
    if pending:
        chunk = bytes(pending)
        pending.clear()
        await asyncio.to_thread(partial.append, chunk)


def _range(partial: Partial) -> dict[str, str]:
    return {"Range": f"bytes={partial.offset}-"} if partial.offset else {}


def _bytes_to_skip(answer: aiohttp.ClientResponse, partial: Partial) -> int:
    """How much of the body repeats the prefix: 0 for the 206 we asked for, the whole prefix
    from a server that ignored `Range`; a FetchError for any other answer."""
    if answer.status == 206:
        expected = f"bytes {partial.offset}-{partial.size - 1}/{partial.size}"
        if answer.headers.get("Content-Range") != expected:
            raise FetchError(f"blob {partial.sha256[:12]}: unexpected Content-Range")
        return 0
    if answer.status == 200:
        return partial.offset
    if answer.status == 416:
        raise BlobMismatch(f"blob {partial.sha256}: the hub's copy is shorter than expected")
    raise FetchError(f"blob {partial.sha256[:12]}: the hub answered {answer.status}")
