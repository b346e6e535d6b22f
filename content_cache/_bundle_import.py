"""`import_bundle`: a USB bundle into the box — its catalog if newer and verified, then every
bundled blob that a live entry of the box's catalog names and the store lacks.

Resumable: blobs already stored are skipped and a blob cut off mid-copy resumes from the byte
where it stopped (the store's partial). A blob refused (missing, the wrong size, the wrong hash)
is reported and never stored; the rest are imported all the same."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from content_cache._blobs import BlobStore
from content_cache._blobs_partial import CHUNK_BYTES
from content_cache._blobs_types import BlobMismatch, BlobStoreError
from content_cache._bundle_layout import BundleError, blob_name, open_regular
from content_cache._bundle_log import import_log
from content_cache._bundle_progress import BundleProgress, ProgressCallback, no_progress
from content_cache._bundle_scan import OpenBundle, find_bundle, open_bundle
from content_cache._index import CatalogIndex


@dataclass
class ImportReport:
    version_before: int
    version_after: int
    bundle_version: int
    catalog_refused: str  # why the bundle's newer catalog was not taken (an expired head)
    copied: int = 0
    bytes_copied: int = 0  # read from the bundle in this run (a resumed blob: only the rest)
    already: int = 0  # bundled blobs the store held already
    unwanted: int = 0  # bundled blobs no live entry of the box's catalog names: left out
    refused: list[str] = field(default_factory=list)  # one line per refused blob, naming it


def import_bundle(
    folder: Path,
    index: CatalogIndex,
    store: BlobStore,
    public_key: Ed25519PublicKey,
    now: int,
    progress: ProgressCallback = no_progress,
) -> ImportReport:
    """Import the bundle in `folder` (or `folder/classedge-bundle`); BundleError when it is
    refused whole, or when the store is full (what was imported by then stays)."""
    bundle = open_bundle(find_bundle(folder))
    state = BundleProgress(stage="catalog")
    progress(state)
    before = index.held()[0]
    refused = import_log(bundle, index, public_key, now)
    report = ImportReport(before, index.held()[0], bundle.signed.head.version, refused)
    wanted = _wanted(index, bundle.manifest.blobs)
    todo = [sha for sha in sorted(bundle.manifest.blobs) if _needed(sha, wanted, store, report)]
    state.stage, state.files_total = "blobs", len(todo)
    state.bytes_total = sum(wanted[sha] for sha in todo)
    for sha in todo:
        try:
            _import_blob(bundle, sha, wanted[sha], store, report, state, progress)
        except (OSError, BlobStoreError) as err:  # StoreFull, a drive pulled out
            raise BundleError(
                f"{blob_name(sha)}: {err} ({report.copied} imported by then)"
            ) from err
        state.files_done += 1
        progress(state)
    state.stage = "done"
    progress(state)
    return report


def _wanted(index: CatalogIndex, bundled: Mapping[str, int]) -> dict[str, int]:
    """sha256 → size, as the live catalog states it, of the bundled blobs it names."""
    return {
        file.sha256: file.size
        for entry in index.live_entries()
        for file in entry.files
        if file.sha256 in bundled
    }


def _needed(sha: str, wanted: Mapping[str, int], store: BlobStore, report: ImportReport) -> bool:
    if sha not in wanted:
        report.unwanted += 1
        return False
    if store.has(sha):
        report.already += 1
        return False
    return True


def _import_blob(
    bundle: OpenBundle,
    sha: str,
    size: int,
    store: BlobStore,
    report: ImportReport,
    state: BundleProgress,
    progress: ProgressCallback,
) -> None:
    name = blob_name(sha)
    found = bundle.sizes.get(name)
    if found != size:  # an oversized file is refused before a byte of it is read
        missing = f"{name}: missing" if found is None else f"{name}: {found} bytes"
        report.refused.append(f"{missing}, the catalog says {size}: refused")
        state.bytes_done += size
        return
    try:
        report.bytes_copied += _copy_in(bundle.root / name, sha, size, store, state, progress)
        report.copied += 1
    except (BlobMismatch, BundleError) as err:
        report.refused.append(f"{name}: {err}: refused")


def _copy_in(
    path: Path,
    sha: str,
    size: int,
    store: BlobStore,
    state: BundleProgress,
    progress: ProgressCallback,
) -> int:
    """Copy the rest of the blob after the store's partial prefix; the bytes read."""
    with open_regular(path) as source:
        if os.fstat(source.fileno()).st_size != size:  # changed since the scan
            raise BundleError(f"no longer {size} bytes")
        partial = store.open_partial(sha, size)
        start = partial.offset
        try:
            source.seek(start)
            state.bytes_done += start
            while chunk := source.read(CHUNK_BYTES):
                partial.append(chunk)
                state.bytes_done += len(chunk)
                progress(state)
            store.commit(sha)
        finally:
            store.release_partial(sha)  # keeps the prefix after an interruption
    return size - start
