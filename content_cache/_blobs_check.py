"""Start-up consistency between the blob files, the index and the temp folder."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from content_cache._blobs_index import BlobIndex
from content_cache._blobs_partial import hash_file
from content_cache._blobs_types import BlobLayout

STALE_TEMP_SECONDS = 24 * 3600


def check_store(
    layout: BlobLayout, index: BlobIndex, open_temps: Collection[Path], now: float
) -> list[str]:
    """Repair what disagrees and say what was repaired (an empty list: all was well)."""
    return [
        *_drop_rows_without_files(layout, index),
        *_adopt_or_remove_stray_files(layout, index, now),
        *_remove_stale_temps(layout, open_temps, now),
    ]


def _drop_rows_without_files(layout: BlobLayout, index: BlobIndex) -> list[str]:
    problems = []
    for sha256, size in index.sizes().items():
        path = layout.blob_path(sha256)
        if not path.is_file():
            index.remove(sha256)
            problems.append(f"blob {sha256} was indexed but its file is missing: row dropped")
        elif path.stat().st_size != size:
            index.remove(sha256)
            path.unlink()
            problems.append(f"blob {sha256} has the wrong size on disk: removed")
    return problems


def _adopt_or_remove_stray_files(layout: BlobLayout, index: BlobIndex, now: float) -> list[str]:
    problems = []
    indexed = index.sizes()
    for path in sorted(p for p in layout.blobs_dir.rglob("*") if p.is_file()):
        sha256 = path.name
        if sha256 in indexed:
            continue
        if path == layout.blob_path(sha256) and hash_file(path).hexdigest() == sha256:
            index.add(sha256, path.stat().st_size, now)
            problems.append(f"blob {sha256} was on disk but not indexed: indexed")
        else:
            path.unlink()
            problems.append(f"stray file {path} is not a valid blob: removed")
    return problems


def _remove_stale_temps(layout: BlobLayout, open_temps: Collection[Path], now: float) -> list[str]:
    problems = []
    for path in sorted(layout.tmp_dir.iterdir()):
        if path in open_temps or not path.is_file():
            continue
        if now - path.stat().st_mtime > STALE_TEMP_SECONDS:
            path.unlink()
            problems.append(f"temp file {path.name} older than a day: removed")
    return problems
