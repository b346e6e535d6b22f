"""The box fetching content from a real hub on loopback: catalog refresh (paged, resumable,
refused when unsigned) and blob downloads (resumed, capped, verified, windowed)."""

from __future__ import annotations

import asyncio
import hashlib
import socket
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from aiohttp import ClientSession, web
from aiohttp.typedefs import Handler
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from content_cache import (
    BadSignature,
    BlobStore,
    CatalogIndex,
    Fetcher,
    FetchProgress,
    FetchRules,
    HubUnreachable,
    TimeWindows,
    refresh_catalog,
)
from tests._content_hub import ContentHub, blocks, content_hub, now

MB = 1 << 20


@pytest.fixture
async def hub(tmp_path: Path) -> AsyncIterator[ContentHub]:
    async with content_hub(tmp_path / "hub") as running:
        yield running


@pytest.fixture
def index(tmp_path: Path) -> Iterator[CatalogIndex]:
    with CatalogIndex(tmp_path / "box" / "catalog.db") as catalog:
        yield catalog


@pytest.fixture
def store(tmp_path: Path) -> Iterator[BlobStore]:
    blobs = BlobStore(tmp_path / "box" / "content", quota_bytes=100 * MB, reserve_free_bytes=0)
    yield blobs
    blobs.close()


@dataclass(frozen=True)
class Item:
    sha256: str
    size: int
    entry_id: str = "lesson"


def item(data: bytes) -> Item:
    return Item(hashlib.sha256(data).hexdigest(), len(data))


def _range_start(request: web.Request) -> int:
    return int(request.headers.get("Range", "bytes=0-").removeprefix("bytes=").rstrip("-"))


async def _answer_from(request: web.Request, data: bytes, start: int) -> web.StreamResponse:
    """A prepared answer for `data` from byte `start` on: 200, or 206 for a Range."""
    answer = web.StreamResponse(status=206 if start else 200)
    answer.content_length = len(data) - start
    if start:
        answer.headers["Content-Range"] = f"bytes {start}-{len(data) - 1}/{len(data)}"
    await answer.prepare(request)
    return answer


async def _fetch_from(
    aiohttp_server: object, handler: Handler, store: BlobStore, data: bytes, rules: FetchRules
) -> FetchProgress:
    """Fetch `data` from a hub whose only route is `handler` at its blob's URL."""
    sha = hashlib.sha256(data).hexdigest()
    app = web.Application()
    app.router.add_get(f"/v1/blobs/{sha}", handler)
    server = await aiohttp_server(app)  # type: ignore[operator]
    async with ClientSession(str(server.make_url(""))) as http:
        return await Fetcher(store, rules, datetime.now).run(http, [Item(sha, len(data))])


def publish_many(hub: ContentHub, count: int) -> None:
    for n in range(count):
        hub.publish(f"lesson-{n:03d}", {f"l{n}/index.html": f"<p>{n}</p>".encode()})


# --- the catalog -------------------------------------------------------------------------------


async def test_refresh_pages_to_the_head_then_costs_one_small_request(
    hub: ContentHub, index: CatalogIndex
) -> None:
    publish_many(hub, 7)
    async with hub.session() as http:
        first = await refresh_catalog(http, index, hub.public_key, now, page_limit=3)
        assert (first.held_before, first.head.version, first.records, first.pages) == (0, 7, 7, 3)
        assert index.count() == 7
        again = await refresh_catalog(http, index, hub.public_key, now)
        assert again.records == 0 and again.bytes_received < 2048
        hub.publish("lesson-new", {"new.html": b"<p>new</p>"})
        delta = await refresh_catalog(http, index, hub.public_key, now)
        assert (delta.records, index.held()[0], index.count()) == (1, 8, 8)


async def test_an_interrupted_first_import_resumes_where_it_stopped(
    hub: ContentHub, index: CatalogIndex
) -> None:
    publish_many(hub, 5)
    records = hub.catalog.records(0, 3)
    index.stage(records)  # what a box killed after its first page had kept
    async with hub.session() as http:
        report = await refresh_catalog(http, index, hub.public_key, now)
    assert (report.records, index.held()[0], index.count()) == (2, 5, 5)


async def test_a_catalog_signed_by_another_key_is_refused_and_changes_nothing(
    hub: ContentHub, index: CatalogIndex
) -> None:
    publish_many(hub, 2)
    stranger = Ed25519PrivateKey.generate().public_key()
    async with hub.session() as http:
        with pytest.raises(BadSignature):
            await refresh_catalog(http, index, stranger, now)
    assert index.held()[0] == 0 and index.search() == []


# --- blobs -------------------------------------------------------------------------------------


async def test_fetch_stores_every_wanted_blob_verified(hub: ContentHub, store: BlobStore) -> None:
    datas = list(blocks(5, 64 * 1024))
    hub.publish("video", {f"part{n}.bin": data for n, data in enumerate(datas)})
    fetcher = Fetcher(store, FetchRules(parallel=3), datetime.now)
    async with hub.session() as http:
        progress = await fetcher.run(http, [item(data) for data in datas] * 2)  # duplicates too
    assert (progress.items_total, progress.items_done, progress.items_failed) == (5, 5, 0)
    assert progress.bytes_done == progress.bytes_received == 5 * 64 * 1024
    for data in datas:
        path = store.path(item(data).sha256)
        assert path is not None and path.read_bytes() == data


async def test_a_partial_download_resumes_from_its_last_byte(
    hub: ContentHub, store: BlobStore
) -> None:
    data = next(blocks(1, MB))
    hub.publish("video", {"film.mp4": data})
    partial = store.open_partial(item(data).sha256, len(data))
    partial.append(data[:300_000])
    store.release_partial(item(data).sha256)  # a restart in the middle of the download
    async with hub.session() as http:
        progress = await Fetcher(store, FetchRules(), datetime.now).run(http, [item(data)])
    assert progress.bytes_received == len(data) - 300_000
    assert store.has(item(data).sha256)


async def test_a_corrupt_blob_is_discarded_never_stored(hub: ContentHub, store: BlobStore) -> None:
    data = next(blocks(1, 64 * 1024))
    hub.publish("sheet", {"sheet.pdf": data})
    blob = hub.blob_file(data)
    blob.chmod(0o644)
    blob.write_bytes(b"X" + data[1:])  # the hub's disk rotted
    rules = FetchRules(attempts=2, backoff_min_seconds=0.01)
    async with hub.session() as http:
        progress = await Fetcher(store, rules, datetime.now).run(http, [item(data)])
        assert (progress.items_done, progress.items_failed) == (0, 1)
        assert "content hashes to" in progress.last_error
        assert not store.has(item(data).sha256) and store.usage().count == 0
        blob.write_bytes(data)
        progress = await Fetcher(store, rules, datetime.now).run(http, [item(data)])
    assert progress.items_done == 1 and store.has(item(data).sha256)


async def test_the_bandwidth_cap_holds(hub: ContentHub, store: BlobStore) -> None:
    datas = list(blocks(2, 48 * 1024))
    hub.publish("slides", {f"s{n}.png": data for n, data in enumerate(datas)})
    rules = FetchRules(parallel=2, rate_kbit=800)  # 100 kB/s for both downloads together
    started = time.monotonic()
    async with hub.session() as http:
        await Fetcher(store, rules, datetime.now).run(http, [item(data) for data in datas])
    elapsed = time.monotonic() - started
    assert elapsed >= 2 * 48 * 1024 / 100_000 - 0.25  # less the bucket's first burst


async def test_nothing_is_fetched_outside_the_download_window(
    hub: ContentHub, store: BlobStore
) -> None:
    data = next(blocks(1, 1024))
    hub.publish("sheet", {"sheet.pdf": data})
    rules = FetchRules(windows=TimeWindows.parse("18:00-07:00"))
    fetcher = Fetcher(store, rules, lambda: datetime(2026, 11, 23, 9, 0))
    async with hub.session() as http:
        run = asyncio.create_task(fetcher.run(http, [item(data)]))
        await asyncio.sleep(0.2)
        assert fetcher.progress.state == "waiting for window"
        assert fetcher.progress.window_opens_in == 9 * 3600
        run.cancel()
        with pytest.raises(asyncio.CancelledError):
            await run
    assert not store.has(item(data).sha256)


async def test_a_dropped_link_loses_only_what_was_in_flight(
    store: BlobStore, aiohttp_server: object
) -> None:
    data = next(blocks(1, MB))
    sha = hashlib.sha256(data).hexdigest()
    ranges: list[str] = []

    async def flaky_blob(request: web.Request) -> web.StreamResponse:
        """The first answer breaks off after 400,000 bytes; later ones honour Range."""
        ranges.append(request.headers.get("Range", ""))
        start = _range_start(request)
        answer = await _answer_from(request, data, start)
        if len(ranges) == 1:
            await answer.write(data[:400_000])
            assert request.transport is not None
            request.transport.abort()
            return answer
        await answer.write(data[start:])
        return answer

    progress = await _fetch_from(
        aiohttp_server, flaky_blob, store, data, FetchRules(backoff_min_seconds=0.01)
    )
    assert progress.items_done == 1 and store.has(sha)
    assert ranges[0] == "" and ranges[1].startswith("bytes=") and len(ranges) == 2
    assert progress.bytes_received == len(data)  # every byte that arrived was kept


async def test_a_link_that_keeps_dropping_does_not_use_up_the_attempts(
    store: BlobStore, aiohttp_server: object
) -> None:
    """Every answer breaks off after 100,000 bytes: ten drops, each after progress, so the
    blob completes with 3 attempts (failures in a row) allowed; the first version gave up."""
    data = next(blocks(1, MB))
    sha = hashlib.sha256(data).hexdigest()
    starts: list[int] = []

    async def dropping_blob(request: web.Request) -> web.StreamResponse:
        start = _range_start(request)
        starts.append(start)
        answer = await _answer_from(request, data, start)
        await answer.write(data[start : start + 100_000])
        if start + 100_000 < len(data):
            assert request.transport is not None
            request.transport.abort()
        return answer

    progress = await _fetch_from(
        aiohttp_server, dropping_blob, store, data, FetchRules(attempts=3, backoff_min_seconds=0.01)
    )
    assert (progress.items_done, progress.items_failed) == (1, 0) and store.has(sha)
    assert starts == list(range(0, len(data), 100_000))
    assert progress.bytes_received == len(data)


async def test_a_stalled_download_resumes_at_once_on_a_new_connection(
    store: BlobStore, aiohttp_server: object
) -> None:
    """The first answer goes silent after 300,000 bytes (a cut link: nothing closes); after
    `stall_seconds` the rest comes on a new connection, without waiting out any backoff."""
    data = next(blocks(1, MB))
    sha = hashlib.sha256(data).hexdigest()
    starts: list[int] = []
    release = asyncio.Event()

    async def stalling_blob(request: web.Request) -> web.StreamResponse:
        start = _range_start(request)
        starts.append(start)
        answer = await _answer_from(request, data, start)
        if start == 0:
            await answer.write(data[:300_000])
            await release.wait()
            return answer
        await answer.write(data[start:])
        return answer

    rules = FetchRules(stall_seconds=0.3, backoff_min_seconds=60)
    started = time.monotonic()
    try:
        progress = await _fetch_from(aiohttp_server, stalling_blob, store, data, rules)
    finally:
        release.set()
    assert progress.items_done == 1 and store.has(sha)
    assert starts[0] == 0 and 0 < starts[1] <= 300_000 and len(starts) == 2
    assert time.monotonic() - started < 10, "no backoff after a download that made progress"


async def test_a_hub_that_never_answers_ends_the_run(store: BlobStore) -> None:
    """Every blob would fail the same way: the first to run out of attempts stops them all."""
    datas = list(blocks(3, 1024))
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{unused.getsockname()[1]}"  # bound, never listening
        fetcher = Fetcher(store, FetchRules(parallel=1, attempts=2, backoff_min_seconds=0.01),
                          datetime.now)  # fmt: skip
        async with ClientSession(closed) as http:
            with pytest.raises(HubUnreachable):
                await fetcher.run(http, [item(data) for data in datas])
    progress = fetcher.progress
    assert (progress.items_done, progress.items_failed) == (0, 1)
    assert progress.state == "stopped (hub unreachable)"
