"""The reference hub's content side: `edge-hub content publish` builds the catalog log, the hub
serves it signed and delta-sized, and blobs by hash with Range; a box's index accepts it."""

from __future__ import annotations

import asyncio
import json
import stat
import zipfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import zstandard
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from content_cache import (
    ZERO_DIGEST,
    CatalogEntry,
    CatalogFile,
    CatalogIndex,
    SignedHead,
    entry_from_json,
    verify_delta,
    verify_head,
)
from sync.hub import HubStore, create_hub_app
from sync.hub._cli import main
from sync.hub._content import HubCatalog
from sync.hub._content_key import content_key, public_content_key

NOW = 1_795_347_370
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


@dataclass
class Hub:
    client: Any
    store: HubStore
    catalog: HubCatalog
    key: Ed25519PrivateKey
    data_dir: Path

    def cli(self, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], str]:
        code = main(["--data-dir", str(self.data_dir), "content", *argv])
        out, err = capsys.readouterr()
        return code, out.splitlines(), err

    async def pull(self, since: int, limit: int | None = None) -> tuple[Any, int, dict[str, Any]]:
        query = f"?since={since}" + (f"&limit={limit}" if limit else "")
        answer = await self.client.get(f"/v1/catalog{query}")
        body = await answer.read()
        wire = len(b"HTTP/1.1 200 OK\r\n\r\n") + len(body)
        wire += sum(len(name) + len(value) + 4 for name, value in answer.raw_headers)
        if answer.status != 200:
            return answer, wire, json.loads(body)
        assert answer.content_type == "application/vnd.classedge.catalog+zstd"
        return answer, wire, json.loads(zstandard.ZstdDecompressor().decompress(body))


@pytest.fixture
async def hub(aiohttp_client: Any, tmp_path: Path) -> AsyncIterator[Hub]:
    data_dir = tmp_path / "hub"
    store = HubStore(data_dir / "hub.db")
    key = content_key(store)
    app = create_hub_app(
        store, public_content_key(key), now=lambda: NOW, signing_key=key, data_dir=data_dir
    )
    yield Hub(await aiohttp_client(app), store, HubCatalog(store, data_dir), key, data_dir)
    store.close()


@pytest.fixture
def lessons(tmp_path: Path) -> Path:
    root = tmp_path / "lessons"
    package = root / "Fractions_Intro"
    (package / "img").mkdir(parents=True)
    (package / "index.html").write_text("<!doctype html><title>Fractions</title>")
    (package / "app.js").write_text("console.log('halves');")
    (package / "img" / "board.png").write_bytes(PNG)
    (root / "Algebra-Textbook.pdf").write_bytes(b"%PDF-1.4 fake textbook")
    (root / "clip.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42 fake video")
    (root / "notes.xyz").write_text("junk")
    return root


def test_publish_republish_change_and_delete(
    hub: Hub, lessons: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    publish = ("publish", str(lessons), "--subject", "Math", "--grades", "7,8", "--language", "en")
    code, out, _ = hub.cli(capsys, *publish)
    assert code == 0
    assert out == [
        "skipped notes.xyz: not a known kind of file",
        "published math/algebra-textbook v1 (1 files, 22 bytes)",
        "published math/fractions-intro v2 (3 files, 109 bytes)",
        "published math/clip v3 (1 files, 23 bytes)",
    ]
    entries = {entry.id: entry for entry in hub.catalog.latest()}
    lesson = entries["math/fractions-intro"]
    assert (lesson.kind, lesson.title, lesson.grades, lesson.language) == (
        "lesson",
        "Fractions Intro",
        ("7", "8"),
        "en",
    )
    assert [(f.path, f.mime) for f in lesson.files] == [
        ("app.js", "text/javascript"),
        ("img/board.png", "image/png"),
        ("index.html", "text/html"),
    ]
    assert entries["math/algebra-textbook"].kind == "textbook"
    assert entries["math/clip"].files[0].mime == "video/mp4"
    assert hub.catalog.head(NOW, 60).version == 3

    assert hub.cli(capsys, *publish)[1][1:] == [
        "unchanged math/algebra-textbook",
        "unchanged math/fractions-intro",
        "unchanged math/clip",
    ]
    assert hub.catalog.head(NOW, 60).version == 3

    (lessons / "Fractions_Intro" / "app.js").write_text("console.log('thirds');")
    assert "published math/fractions-intro v4 (3 files, 109 bytes)" in hub.cli(capsys, *publish)[1]
    assert [r.id for r in hub.catalog.records(3, 10)] == ["math/fractions-intro"]

    assert hub.cli(capsys, "delete", "math/clip")[1] == ["deleted math/clip v5"]
    assert hub.cli(capsys, "delete", "math/clip")[1] == ["unchanged math/clip"]
    tombstone = hub.catalog.records(4, 10)[0]
    assert tombstone.deleted and tombstone.files == entries["math/clip"].files
    head = hub.catalog.head(NOW, 60)
    assert (head.version, head.count) == (5, 2)
    listed = hub.cli(capsys, "list")[1]
    assert [line.split("\t")[0] for line in listed] == [
        "math/algebra-textbook",
        "math/fractions-intro",
    ]
    code, _, err = hub.cli(capsys, "delete", "nope")
    assert code == 2 and "no catalog entry 'nope'" in err


def test_one_item_takes_flags_and_a_zip_package(
    hub: Hub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = tmp_path / "Solar_System.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("index.html", "<title>Planets</title>")
        out.writestr("js/orbit.js", "orbit()")
    assert hub.cli(capsys, "publish", str(archive), "--subject", "Science")[1] == [
        "published science/solar-system v1 (2 files, 29 bytes)"
    ]
    single = tmp_path / "map.png"
    single.write_bytes(PNG)
    flags = ("--id", "geo-map", "--title", "World map", "--kind", "assignment")
    assert hub.cli(capsys, "publish", str(single), *flags)[1][0].startswith("published geo-map v2")
    assert hub.catalog.records(1, 1)[0].title == "World map"
    (tmp_path / "two").mkdir()
    for name in ("a.pdf", "b.pdf"):
        (tmp_path / "two" / name).write_text("%PDF")
    code, _, err = hub.cli(capsys, "publish", str(tmp_path / "two"), "--id", "x")
    assert code == 2 and "PATH to be one item" in err


def _hostile(tmp_path: Path, how: str) -> Path:
    archive = tmp_path / f"{how}.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("good.pdf", "%PDF fine")
        if how == "dotdot":
            out.writestr("../x.pdf", "%PDF escape")
        elif how == "absolute":
            out.writestr(zipfile.ZipInfo("/tmp/abs.pdf"), "%PDF escape")
        else:
            link = zipfile.ZipInfo("link.pdf")
            link.external_attr = (stat.S_IFLNK | 0o777) << 16
            out.writestr(link, "/etc/passwd")
    return archive


@pytest.mark.parametrize(
    ("how", "why"),
    [("dotdot", "has `..`"), ("absolute", "is an absolute path"), ("symlink", "is a symlink")],
)
def test_a_hostile_zip_is_refused_whole(
    hub: Hub, tmp_path: Path, capsys: pytest.CaptureFixture[str], how: str, why: str
) -> None:
    code, out, err = hub.cli(capsys, "publish", str(_hostile(tmp_path, how)))
    assert code == 2 and out == []
    assert "refused" in err and why in err
    assert hub.catalog.head(NOW, 60).version == 0
    assert not (hub.data_dir / "blobs").exists() and not (tmp_path / "x.pdf").exists()


async def test_the_catalog_verifies_and_a_box_applies_it(
    hub: Hub, lessons: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await asyncio.to_thread(hub.cli, capsys, "publish", str(lessons), "--subject", "Math")
    public = hub.key.public_key()
    _, _, body = await hub.pull(0)
    signed = SignedHead.from_json(body["head"])
    head = verify_head(signed, public, held_version=0, now=NOW)
    assert (head.version, head.count, head.expires) == (3, 3, NOW + 7 * 24 * 3600)
    records = [entry_from_json(record) for record in body["records"]]
    assert verify_delta(0, ZERO_DIGEST, records, head).hex() == head.digest
    assert body["more"] is False

    first, _, page = await hub.pull(0, limit=2)
    assert first.status == 200 and page["more"] is True and len(page["records"]) == 2
    _, _, rest = await hub.pull(2, limit=2)
    assert rest["more"] is False and [r["version"] for r in rest["records"]] == [3]
    with CatalogIndex(tmp_path / "box" / "catalog.db") as index:
        paged = [entry_from_json(r) for r in page["records"] + rest["records"]]
        index.apply(SignedHead.from_json(rest["head"]), paged, public, NOW)
        assert [e.id for e in index.search("fractions")] == ["math/fractions-intro"]

    in_sync, wire, empty = await hub.pull(3)
    assert in_sync.status == 200 and empty["records"] == [] and empty["more"] is False
    assert wire <= 2048, wire

    ahead, _, refusal = await hub.pull(4)
    assert ahead.status == 409 and refusal["error"] == "ahead_of_hub"
    assert (await hub.client.get("/v1/catalog?since=-1")).status == 400


async def test_a_delta_of_100_changed_entries_is_small(hub: Hub, tmp_path: Path) -> None:
    def entries(generation: int) -> list[CatalogEntry]:
        made = []
        for n in range(100):
            files = []
            for name in ("index.html", "app.js", "board.png"):
                source = tmp_path / "src" / f"{n}-{name}"
                source.parent.mkdir(exist_ok=True)
                source.write_text(f"{generation} {n} {name}")
                sha256, size = hub.catalog.add_blob(source)
                files.append(CatalogFile(name, sha256, size, "text/html"))
            title = f"Lesson {n} of the geometry course, part {generation}"
            made.append(
                CatalogEntry(
                    f"geometry/lesson-{n}",
                    "lesson",
                    title,
                    "Geometry",
                    ("9",),
                    "en",
                    tuple(files),
                    0,
                )
            )
        return made

    for generation in (1, 2):  # fsync per blob: off the event loop
        made = await asyncio.to_thread(entries, generation)
        assert len(await asyncio.to_thread(hub.catalog.publish, made)) == 100
    answer, wire, body = await hub.pull(100)
    assert answer.status == 200 and len(body["records"]) == 100
    assert wire <= 30 * 1024, wire
    head = SignedHead.from_json(body["head"]).head
    assert (head.version, head.count) == (200, 100)


async def test_blobs_by_hash_with_range(hub: Hub, tmp_path: Path) -> None:
    source = tmp_path / "video.mp4"
    data = bytes(range(256)) * 4
    source.write_bytes(data)
    sha256, size = await asyncio.to_thread(hub.catalog.add_blob, source)
    assert size == 1024 and (hub.data_dir / "blobs" / sha256[:2] / sha256[2:4] / sha256).is_file()
    path = f"/v1/blobs/{sha256}"

    full = await hub.client.get(path)
    assert full.status == 200 and await full.read() == data
    assert full.headers["ETag"] == f'"{sha256}"'
    assert full.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    part = await hub.client.get(path, headers={"Range": "bytes=100-199"})
    assert part.status == 206 and await part.read() == data[100:200]
    assert part.headers["Content-Range"] == "bytes 100-199/1024"
    assert part.headers["ETag"] == f'"{sha256}"'
    beyond = await hub.client.get(path, headers={"Range": "bytes=2000-"})
    assert beyond.status == 416
    head = await hub.client.head(path)
    assert head.status == 200 and head.headers["Content-Length"] == "1024"
    assert await head.read() == b""
    cached = await hub.client.get(path, headers={"If-None-Match": f'"{sha256}"'})
    assert cached.status == 304

    unknown = await hub.client.get("/v1/blobs/" + "0" * 64)
    assert unknown.status == 404 and (await unknown.json())["error"] == "not_found"
    for bad in ("xyz", sha256.upper(), sha256[:63]):
        assert (await hub.client.get(f"/v1/blobs/{bad}")).status == 400, bad
