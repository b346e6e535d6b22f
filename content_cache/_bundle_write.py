"""`write_bundle`: the signed head, the whole log in pages and the chosen blobs into
`target/classedge-bundle`, then the manifest (docs/catalog-format.md, "USB bundles").

The manifest is removed first and written last, so a folder without one is an export that did
not finish; exporting into it again resumes it. Every file is written under tmp/, fsynced and
renamed into place; files of an earlier export that this one does not hold are removed.
`choose_entries`, `blob_sizes` and `index_log_lines` gather what an export holds."""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import zstandard

from content_cache._blobs_types import make_dirs_durably
from content_cache._bundle_layout import (
    BLOBS,
    BUNDLE_DIR,
    HEAD,
    LOG,
    MANIFEST,
    TMP,
    BundleError,
    blob_name,
    install_bytes,
)
from content_cache._bundle_manifest import Manifest
from content_cache._bundle_progress import BundleProgress, ProgressCallback, no_progress
from content_cache._bundle_scan import scan_bundle
from content_cache._bundle_write_blobs import write_blobs
from content_cache._bundle_write_log import write_log
from content_cache._catalog import CatalogEntry, canonical_json
from content_cache._head import SignedHead
from content_cache._index import CatalogIndex


@dataclass(frozen=True)
class WriteReport:
    root: Path
    pages: int
    blobs: int  # in the bundle
    written: int  # blobs copied in this run
    kept: int  # blobs already in the folder from an earlier run
    bytes_written: int
    left_out: tuple[str, ...]  # one line per blob whose source was missing or damaged


def write_bundle(
    target: Path,
    signed: SignedHead,
    log_lines: Iterable[bytes],
    blobs: Mapping[str, tuple[Path, int]],
    progress: ProgressCallback = no_progress,
) -> WriteReport:
    """`log_lines` are the canonical records 1 … signed.head.version in order (any more are
    ignored); `blobs` maps sha256 → (source file, size). BundleError if it cannot be written."""
    root = target / BUNDLE_DIR
    head = signed.head
    try:
        if os.path.lexists(root):
            scan_bundle(root)  # never write through a symlink planted in an earlier bundle
        for folder in (LOG, BLOBS, TMP):
            make_dirs_durably(root / folder)
        (root / MANIFEST).unlink(missing_ok=True)
        state = BundleProgress("log")
        progress(state)
        pages = write_log(root, head, log_lines)
        install_bytes(root, HEAD, canonical_json(signed.to_json()))
        done = write_blobs(root, blobs, state, progress)
        _prune(root, {*(f"{LOG}/{name}" for name in pages), *map(blob_name, done.included)})
        manifest = Manifest(head.version, head.digest, tuple(pages), done.included)
        install_bytes(root, MANIFEST, manifest.to_bytes())
        state.stage = "done"
        progress(state)
    except OSError as err:
        raise BundleError(f"writing the bundle in {root}: {err}") from err
    return WriteReport(
        root,
        len(pages),
        len(done.included),
        done.written,
        done.kept,
        done.bytes_written,
        tuple(done.left_out),
    )


def choose_entries(
    entries: Iterable[CatalogEntry],
    *,
    subject: str | None = None,
    grade: str | None = None,
    ids: Collection[str] = (),
) -> list[CatalogEntry]:
    """The live entries among `entries` that match every filter given; BundleError naming an
    id in `ids` that is not a live entry."""
    chosen = [
        entry
        for entry in entries
        if not entry.deleted
        and (subject is None or entry.subject == subject)
        and (grade is None or grade in entry.grades)
        and (not ids or entry.id in ids)
    ]
    unknown = sorted(set(ids) - {entry.id for entry in chosen})
    if unknown:
        raise BundleError(f"no live catalog entry {unknown[0]!r} matches the filters")
    return chosen


def blob_sizes(entries: Iterable[CatalogEntry]) -> dict[str, int]:
    """sha256 → size of every file the entries name (a blob named twice once)."""
    return {file.sha256: file.size for entry in entries for file in entry.files}


def index_log_lines(index: CatalogIndex) -> Iterator[bytes]:
    """The verified log the box holds, record by record, as the canonical bytes it hashed."""
    for body in index.log_pages():
        yield from zstandard.ZstdDecompressor().decompress(body).split(b"\n")


def _prune(root: Path, keep: set[str]) -> None:
    """Remove what an earlier export left under log/, blobs/ and tmp/ that this one lacks."""
    for folder in (LOG, BLOBS, TMP):
        for parent, _, names in os.walk(root / folder):
            for name in names:
                path = Path(parent, name)
                if path.relative_to(root).as_posix() not in keep:
                    path.unlink()
