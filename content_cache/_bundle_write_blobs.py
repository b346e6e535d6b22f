"""The exporter's blobs: each copied to tmp/ while hashed, then renamed to blobs/ab/cd/<sha256>.
A blob already in the folder with the right size and hash (an earlier, interrupted export) is
kept; one whose source is gone or damaged is left out and reported."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from content_cache._blobs_partial import CHUNK_BYTES, hash_file
from content_cache._bundle_layout import BundleError, blob_name, install, temp_path
from content_cache._bundle_progress import BundleProgress, ProgressCallback


@dataclass
class BlobsWritten:
    included: dict[str, int] = field(default_factory=dict)  # sha256 → size, in the bundle
    written: int = 0
    kept: int = 0
    bytes_written: int = 0
    left_out: list[str] = field(default_factory=list)


class _LeftOut(Exception):
    """A source blob that cannot go into the bundle; the rest can."""


def write_blobs(
    root: Path,
    blobs: Mapping[str, tuple[Path, int]],
    state: BundleProgress,
    progress: ProgressCallback,
) -> BlobsWritten:
    sizes = {sha: size for sha, (_, size) in blobs.items()}
    state.stage, state.files_total, state.bytes_total = "blobs", len(sizes), sum(sizes.values())
    there = {sha for sha, size in sizes.items() if _has_size(root / blob_name(sha), size)}
    _check_room(root, sum(size for sha, size in sizes.items() if sha not in there))
    done = BlobsWritten()
    for sha, (source, size) in sorted(blobs.items()):
        try:
            if sha in there and hash_file(root / blob_name(sha)).hexdigest() == sha:
                done.kept += 1
                state.bytes_done += size
            else:
                _copy_out(root, source, sha, size, state, progress)
                done.written += 1
                done.bytes_written += size
            done.included[sha] = size
        except _LeftOut as err:
            done.left_out.append(str(err))
        state.files_done += 1
        progress(state)
    return done


def _has_size(path: Path, size: int) -> bool:
    try:
        return path.lstat().st_size == size and path.is_file()
    except FileNotFoundError:
        return False


def _check_room(root: Path, needed: int) -> None:
    free = shutil.disk_usage(root).free
    if needed > free:
        raise BundleError(
            f"{root}: {free / 1e6:.0f} MB free, the blobs need {needed / 1e6:.0f} MB more:"
            " use a larger drive or choose fewer items"
        )


def _copy_out(
    root: Path,
    source: Path,
    sha: str,
    size: int,
    state: BundleProgress,
    progress: ProgressCallback,
) -> None:
    temp = temp_path(root, blob_name(sha))
    hasher, copied = hashlib.sha256(), 0
    try:
        with source.open("rb") as reader, temp.open("wb") as writer:
            while chunk := reader.read(CHUNK_BYTES):
                hasher.update(chunk)
                writer.write(chunk)
                copied += len(chunk)
                state.bytes_done += len(chunk)
                progress(state)
    except FileNotFoundError:
        temp.unlink(missing_ok=True)
        raise _LeftOut(f"blob {sha}: no longer at {source}: left out") from None
    if copied != size or hasher.hexdigest() != sha:
        os.unlink(temp)
        raise _LeftOut(f"blob {sha}: the copy at {source} is damaged: left out")
    install(root, temp, blob_name(sha))
