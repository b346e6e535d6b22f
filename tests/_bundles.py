"""A hub-like source of catalog records and blob files that writes USB bundles, and boxes (a real
catalog index and blob store) that import them."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from content_cache import (
    BUNDLE_DIR,
    BlobStore,
    BundleError,
    CatalogEntry,
    CatalogFile,
    CatalogIndex,
    ImportReport,
    WriteReport,
    blob_sizes,
    canonical,
    choose_entries,
    import_bundle,
    write_bundle,
)
from content_cache._bundle_progress import ProgressCallback, no_progress
from tests.test_catalog import NOW, PUBLIC, head_for

MB = 1 << 20


@dataclass
class Source:
    """What a hub publishes: the log's records and the blob files they name."""

    root: Path
    records: list[CatalogEntry] = field(default_factory=list)

    def publish(self, entry_id: str, files: dict[str, bytes], **fields: Any) -> CatalogEntry:
        listed = []
        for path, data in files.items():
            sha = hashlib.sha256(data).hexdigest()
            (self.root / sha).parent.mkdir(parents=True, exist_ok=True)
            (self.root / sha).write_bytes(data)
            listed.append(CatalogFile(path, sha, len(data), "application/octet-stream"))
        record = CatalogEntry(
            id=entry_id,
            kind="lesson",
            title=entry_id,
            subject=fields.get("subject", "mathematics"),
            grades=tuple(fields.get("grades", ("7",))),
            language="en",
            files=tuple(listed),
            version=len(self.records) + 1,
        )
        self.records.append(record)
        return record

    def delete(self, entry_id: str) -> None:
        latest = next(r for r in reversed(self.records) if r.id == entry_id)
        version = len(self.records) + 1
        self.records.append(dataclasses.replace(latest, deleted=True, version=version))

    def export(
        self,
        target: Path,
        *,
        upto: int | None = None,
        ids: tuple[str, ...] = (),
        progress: ProgressCallback = no_progress,
        **head: Any,
    ) -> WriteReport:
        records = self.records[:upto]
        latest = {record.id: record for record in records}.values()
        sizes = blob_sizes(choose_entries(latest, ids=ids))
        blobs = {sha: (self.root / sha, size) for sha, size in sizes.items()}
        lines = (canonical(record) for record in records)
        return write_bundle(target, head_for(records, **head), lines, blobs, progress)


@dataclass
class Box:
    index: CatalogIndex
    store: BlobStore
    root: Path

    def import_(self, folder: Path, progress: ProgressCallback = no_progress) -> ImportReport:
        return import_bundle(folder, self.index, self.store, PUBLIC, NOW, progress)

    def holds(self, data: bytes) -> bool:
        path = self.store.path(hashlib.sha256(data).hexdigest())
        return path is not None and path.read_bytes() == data

    def unchanged(self) -> bool:
        """Nothing was taken in: no catalog, nothing staged, no blob, no temp file left."""
        held, staged = self.index.held()[0], self.index.staged()[0]
        temps = list((self.root / "content" / "tmp").iterdir())
        return held == staged == 0 and self.store.usage().count == 0 and not temps


@contextmanager
def open_box(root: Path, quota_bytes: int = 100 * MB) -> Iterator[Box]:
    store = BlobStore(root / "content", quota_bytes=quota_bytes, reserve_free_bytes=0)
    try:
        with CatalogIndex(root / "catalog.db") as index:
            yield Box(index, store, root)
    finally:
        store.close()


def bundle(folder: Path) -> Path:
    return folder / BUNDLE_DIR


def lessons(root: Path) -> Source:
    """Four versions: fractions (two files), volcanoes, poems, and poems deleted."""
    hub = Source(root)
    hub.publish("fractions", {"index.html": b"<p>1/2</p>", "pie.png": b"\x89PNG pie"})
    hub.publish("volcanoes", {"slides.pdf": b"%PDF lava"}, subject="geography", grades=("8",))
    hub.publish("poems", {"poem.txt": b"so much depends"}, subject="english")
    hub.delete("poems")
    return hub


def small_bundle(tmp_path: Path) -> Path:
    """The bundle folder of `lessons`: three blobs and one log page, 1…4."""
    lessons(tmp_path / "hub").export(tmp_path / "usb")
    return bundle(tmp_path / "usb")


def edit_manifest(root: Path, change: Callable[[dict[str, Any]], None]) -> None:
    manifest = json.loads((root / "manifest.json").read_bytes())
    change(manifest)
    (root / "manifest.json").write_text(json.dumps(manifest))


def refused_whole(root: Path, message: str, box_dir: Path) -> None:
    """Importing `root` raises a BundleError matching `message` and the box takes in nothing."""
    with open_box(box_dir) as box:
        with pytest.raises(BundleError, match=message):
            box.import_(root.parent)
        assert box.unchanged()
