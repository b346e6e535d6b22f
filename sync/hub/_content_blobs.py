"""The hub's blob files: content-addressed, immutable, written so a crash leaves either the whole
blob under its name or nothing (temp file, fsync, rename, fsync of the folder)."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from sync.hub._errors import HubError

SHA256 = re.compile(r"[0-9a-f]{64}")
_CHUNK = 1 << 20


def blob_path(blobs_dir: Path, sha256: str) -> Path:
    """`<blobs>/ab/cd/<sha256>`; `sha256` must be 64 lowercase hex digits."""
    if not SHA256.fullmatch(sha256):
        raise HubError(400, "bad_request", f"{sha256!r} is not 64 lowercase hex digits")
    return blobs_dir / sha256[:2] / sha256[2:4] / sha256


def store_blob(source: Path, blobs_dir: Path) -> tuple[str, int]:
    """Copy `source` into the store, hashing as it goes; its sha256 and size."""
    blobs_dir.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    handle, temp_name = tempfile.mkstemp(dir=blobs_dir, prefix=".incoming-")
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "wb") as out, source.open("rb") as data:
            while chunk := data.read(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        sha256 = digest.hexdigest()
        final = blob_path(blobs_dir, sha256)
        if final.is_file() and final.stat().st_size == size:
            temp.unlink()
            return sha256, size
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(temp, final)
        _fsync_dir(final.parent)
    except OSError as err:
        temp.unlink(missing_ok=True)
        raise HubError(500, "blob_store", f"cannot store {source}: {err}") from err
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return sha256, size


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
