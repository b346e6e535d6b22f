"""LAN serving of lesson content: `/content/{sha256}` and `/lessons/{id}/{path}` on the real box."""

from __future__ import annotations

import asyncio
import hashlib
import time
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from content_cache import (
    BLOBS,
    CATALOG,
    ZERO_DIGEST,
    CatalogEntry,
    CatalogFile,
    CatalogHead,
    chain,
    sign_head,
)
from content_cache._serve_server import SERVER
from tests._box import box_settings, make_app

Client = TestClient[Any, Any]
HUB_KEY = Ed25519PrivateKey.generate()
SMALL = bytes(range(256)) * 8  # 2 KiB: served from memory
LARGE = hashlib.sha256(b"seed").digest() * 10_000  # 320,000 bytes: served with sendfile
INDEX = b"<!doctype html><title>Fractions</title><script src='js/app.js'></script>"
SCRIPT = b"document.title = 'fractions';"
PDF = b"%PDF-1.7 a textbook"
LESSON_ID = "0192f0c4-7a1b-7c3d-9e8f-000000000001"
BOOK_ID = "0192f0c4-7a1b-7c3d-9e8f-000000000002"
IMMUTABLE = "public, max-age=31536000, immutable"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def record(path: str, data: bytes, mime: str) -> CatalogFile:
    return CatalogFile(path, sha(data), len(data), mime)


LESSON = CatalogEntry(
    id=LESSON_ID,
    kind="lesson",
    title="Fractions",
    subject="mathematics",
    grades=("5",),
    language="en",
    files=(
        record("index.html", INDEX, "text/html; charset=utf-8"),
        record("js/app.js", SCRIPT, "text/javascript"),
        record("media/intro.mp4", LARGE, "video/mp4"),
        record("missing.png", b"never stored", "image/png"),
    ),
    version=1,
)
BOOK = CatalogEntry(
    id=BOOK_ID,
    kind="textbook",
    title="Algebra",
    subject="mathematics",
    grades=("7",),
    language="en",
    files=(record("book.pdf", PDF, "application/pdf"), record("small.bin", SMALL, "image/png")),
    version=2,
)


@pytest.fixture
async def client(aiohttp_client: Any, tmp_path: Path) -> Client:
    settings = box_settings(tmp_path).replace("content", quota_mb=50, reserve_free_mb=0)
    client: Client = await aiohttp_client(make_app(settings))
    for data in (SMALL, LARGE, INDEX, SCRIPT, PDF):
        await asyncio.to_thread(client.app[BLOBS].put_bytes, data, sha(data))
    await publish(client, [LESSON, BOOK])
    return client


async def publish(client: Client, records: list[CatalogEntry], since: int = 0) -> None:
    """Sign the log `records` (versions 1 … n) and apply its entries after version `since`."""
    digest = ZERO_DIGEST
    for entry in records:
        digest = chain(digest, entry)
    now = int(time.time())
    head = CatalogHead(
        version=len(records), count=len(records), digest=digest.hex(), expires=now + 3600
    )
    signed = sign_head(head, HUB_KEY)
    await asyncio.to_thread(
        client.app[CATALOG].apply, signed, records[since:], HUB_KEY.public_key(), now
    )


BOTH = pytest.mark.parametrize("data", [SMALL, LARGE], ids=["memory", "sendfile"])


def assert_blob_headers(headers: Any, data: bytes, mime: str) -> None:
    assert headers["ETag"] == f'"{sha(data)}"'
    assert headers["Cache-Control"] == IMMUTABLE
    assert headers["Accept-Ranges"] == "bytes"
    assert headers["Content-Type"] == mime
    assert headers["X-Content-Type-Options"] == "nosniff"


@BOTH
async def test_get_sends_the_blob_with_immutable_headers(client: Client, data: bytes) -> None:
    mime = "image/png" if data is SMALL else "video/mp4"
    for _ in range(2):  # the second small answer comes from memory
        response = await client.get(f"/content/{sha(data)}")
        assert response.status == 200
        assert await response.read() == data
        assert int(response.headers["Content-Length"]) == len(data)
        assert_blob_headers(response.headers, data, mime)
    assert (client.app[SERVER].memory.get(sha(data)) is not None) == (data is SMALL)


@BOTH
async def test_head_has_the_headers_and_no_body(client: Client, data: bytes) -> None:
    response = await client.head(f"/content/{sha(data)}")
    assert response.status == 200
    assert int(response.headers["Content-Length"]) == len(data)
    assert response.headers["ETag"] == f'"{sha(data)}"'
    assert await response.read() == b""


@BOTH
@pytest.mark.parametrize(
    ("if_none_match", "status"),
    [('"{}"', 304), ('W/"{}"', 304), ('"abc", "{}"', 304), ("*", 304), ('"abc"', 200), ("{}", 200)],
)
async def test_if_none_match(client: Client, data: bytes, if_none_match: str, status: int) -> None:
    headers = {"If-None-Match": if_none_match.format(sha(data))}
    response = await client.get(f"/content/{sha(data)}", headers=headers)
    assert response.status == status
    assert response.headers["ETag"] == f'"{sha(data)}"'
    assert response.headers["Cache-Control"] == IMMUTABLE
    assert await response.read() == (b"" if status == 304 else data)


@BOTH
@pytest.mark.parametrize(
    ("spec", "first", "last"),
    [("0-9", 0, 9), ("-100", -100, -1), ("100-", 100, -1), ("5-5", 5, 5), ("10-99999999", 10, -1)],
)
async def test_range_gives_206(
    client: Client, data: bytes, spec: str, first: int, last: int
) -> None:
    size = len(data)
    start, end = first % size, last % size
    response = await client.get(f"/content/{sha(data)}", headers={"Range": f"bytes={spec}"})
    assert response.status == 206
    assert response.headers["Content-Range"] == f"bytes {start}-{end}/{size}"
    assert await response.read() == data[start : end + 1]
    assert response.headers["ETag"] == f'"{sha(data)}"'


@BOTH
async def test_unsatisfiable_and_multiple_ranges(client: Client, data: bytes) -> None:
    url, size = f"/content/{sha(data)}", len(data)
    response = await client.get(url, headers={"Range": f"bytes={size}-"})
    assert response.status == 416
    assert response.headers["Content-Range"] == f"bytes */{size}"
    assert (await response.json())["error"] == "range_not_satisfiable"
    whole = await client.get(url, headers={"Range": "bytes=0-1,5-6"})
    assert whole.status == 200 and await whole.read() == data
    stale = await client.get(url, headers={"Range": "bytes=0-1", "If-Range": '"abc"'})
    assert stale.status == 200 and await stale.read() == data


@pytest.mark.parametrize("name", ["xyz", "A" * 64, "a" * 63, "g" * 64])
async def test_a_malformed_hash_is_400(client: Client, name: str) -> None:
    response = await client.get(f"/content/{name}")
    assert response.status == 400
    assert (await response.json())["error"] == "bad_request"


async def test_an_unknown_blob_is_404_and_an_uncatalogued_one_is_octet_stream(
    client: Client,
) -> None:
    response = await client.get(f"/content/{sha(b'nothing')}")
    assert response.status == 404
    assert (await response.json())["error"] == "not_found"
    loose = b"not in the catalog"
    await asyncio.to_thread(client.app[BLOBS].put_bytes, loose, sha(loose))
    response = await client.get(f"/content/{sha(loose)}")
    assert response.headers["Content-Type"] == "application/octet-stream"
    later = CatalogEntry(
        id="0192f0c4-7a1b-7c3d-9e8f-000000000003",
        kind="video",
        title="Loose",
        subject="art",
        grades=("3",),
        language="en",
        files=(record("loose.txt", loose, "text/plain"),),
        version=3,
    )
    await publish(client, [LESSON, BOOK, later], since=2)
    response = await client.get(f"/content/{sha(loose)}")  # the catalog moved: read again
    assert response.headers["Content-Type"] == "text/plain"


@BOTH
async def test_a_blob_deleted_behind_the_stores_back_is_404(client: Client, data: bytes) -> None:
    path = await asyncio.to_thread(client.app[BLOBS].path, sha(data))
    assert path is not None
    path.unlink()
    response = await client.get(f"/content/{sha(data)}")
    assert response.status == 404
    assert (await response.json())["error"] == "not_found"


async def test_a_lesson_file_is_sandboxed_with_its_type(client: Client) -> None:
    response = await client.get(f"/lessons/{LESSON_ID}/js/app.js")
    assert response.status == 200
    assert await response.read() == SCRIPT
    headers = response.headers
    assert headers["Content-Type"] == "text/javascript"
    assert headers["Cache-Control"] == "no-cache"
    assert headers["ETag"] == f'"{sha(SCRIPT)}"'
    assert headers["X-Content-Type-Options"] == "nosniff"
    csp = headers["Content-Security-Policy"]
    assert csp.startswith("sandbox allow-scripts allow-forms allow-popups allow-modals;")
    assert "connect-src 'none'" in csp and "allow-same-origin" not in csp


async def test_a_lesson_serves_index_html_by_default(client: Client) -> None:
    for url in (f"/lessons/{LESSON_ID}/", f"/lessons/{LESSON_ID}/index.html"):
        response = await client.get(url)
        assert response.status == 200
        assert await response.read() == INDEX
        assert response.headers["Content-Type"] == "text/html; charset=utf-8"
        assert "Content-Security-Policy" in response.headers
    moved = await client.get(f"/lessons/{LESSON_ID}", allow_redirects=False)
    assert moved.status == 301 and moved.headers["Location"] == f"/lessons/{LESSON_ID}/"
    again = await client.get(f"/lessons/{LESSON_ID}/", headers={"If-None-Match": f'"{sha(INDEX)}"'})
    assert again.status == 304 and again.headers["Cache-Control"] == "no-cache"


async def test_lesson_large_file_and_range(client: Client) -> None:
    response = await client.get(
        f"/lessons/{LESSON_ID}/media/intro.mp4", headers={"Range": "bytes=-10"}
    )
    assert response.status == 206
    assert await response.read() == LARGE[-10:]
    assert response.headers["Content-Type"] == "video/mp4"


async def test_other_kinds_are_not_sandboxed_unless_they_are_documents(client: Client) -> None:
    response = await client.get(f"/lessons/{BOOK_ID}/book.pdf")
    assert response.status == 200 and await response.read() == PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert "Content-Security-Policy" not in response.headers
    raw = await client.get(f"/content/{sha(INDEX)}")  # HTML on the box's origin: sandboxed
    assert "Content-Security-Policy" in raw.headers


@pytest.mark.parametrize(
    "path",
    [
        f"/lessons/{LESSON_ID}/nope.html",
        f"/lessons/{LESSON_ID}/missing.png",  # listed, but its blob is not on the box
        f"/lessons/{LESSON_ID}/js/../index.html",
        f"/lessons/{LESSON_ID}/js/%2e%2e/index.html",
        f"/lessons/{LESSON_ID}/./index.html",
        f"/lessons/{LESSON_ID}//index.html",
        f"/lessons/{LESSON_ID}/%2e%2e/{BOOK_ID}/book.pdf",
        "/lessons/no-such-lesson/index.html",
    ],
)
async def test_unknown_and_dotted_paths_are_404(client: Client, path: str) -> None:
    status, body = await raw_get(client, path)  # as sent: a client library would normalize it
    assert status == 404, body
    assert b'"error": "not_found"' in body


async def raw_get(client: Client, path: str) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection(client.host, client.port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: box\r\nConnection: close\r\n\r\n".encode())
    answer = await reader.read()
    writer.close()
    await writer.wait_closed()
    return int(answer.split(b" ", 2)[1]), answer


async def test_memory_hits_count_as_uses_and_an_evicted_blob_is_not_served(
    client: Client,
) -> None:
    store, server = client.app[BLOBS], client.app[SERVER]
    assert (await client.get(f"/content/{sha(SMALL)}")).status == 200  # now in memory
    store._index._conn.execute("UPDATE blobs SET last_used_at = 0")  # long unused, says the store
    store._index._last_touch.clear()
    server._noted.clear()  # as if the last note was more than a minute ago
    assert (await client.get(f"/content/{sha(SMALL)}")).status == 200
    (used,) = store._index._conn.execute(
        "SELECT last_used_at FROM blobs WHERE sha256 = ?", [sha(SMALL)]
    ).fetchone()
    assert used > 0, "a memory hit reached the store's LRU"
    path = store.path(sha(SMALL))
    assert path is not None
    path.unlink()
    await asyncio.to_thread(store.check)  # the store no longer holds it
    server._noted.clear()
    assert (await client.get(f"/content/{sha(SMALL)}")).status == 404
    assert server.memory.get(sha(SMALL)) is None
