"""A USB bundle on disk (docs/catalog-format.md, "USB bundles"): its folder, its file names, the
limits an importer holds a bundle to, and reading a file of it without trusting it."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import BinaryIO

import zstandard

from content_cache._blobs_types import fsync_dir, make_dirs_durably

BUNDLE_DIR = "classedge-bundle"
HEAD, MANIFEST, LOG, BLOBS, TMP = "head.json", "manifest.json", "log", "blobs", "tmp"
FORMAT = 1
#: the writer starts a new log page after this many records or uncompressed bytes
PAGE_RECORDS, PAGE_BYTES = 10_000, 4 << 20
#: what an importer reads at most: one record may be some 45 MB (10,000 files with long paths)
MAX_PAGE_BYTES = 64 << 20
MAX_HEAD_BYTES = 4096
MAX_MANIFEST_BYTES = 256 << 20
_READ_BYTES = 1 << 20
PAGE_NAME = re.compile(r"([0-9]{9})-([0-9]{9})\.jsonl\.zst")
FILE_NAMES = re.compile(
    r"log/[0-9]{9}-[0-9]{9}\.jsonl\.zst"
    r"|blobs/([0-9a-f]{2})/([0-9a-f]{2})/\1\2[0-9a-f]{60}"
)
DIR_NAMES = re.compile(r"log|blobs(/[0-9a-f]{2}(/[0-9a-f]{2})?)?")


class BundleError(Exception):
    """A bundle that cannot be written, or one refused whole; the message names the file."""


def page_name(first: int, last: int) -> str:
    return f"{first:09d}-{last:09d}.jsonl.zst"


def page_range(name: str) -> tuple[int, int]:
    """The first and last version a page's name states; BundleError for any other name."""
    found = PAGE_NAME.fullmatch(name)
    if found is None:
        raise BundleError(f"{LOG}/{name!r}: not a log page name (000000001-000010000.jsonl.zst)")
    return int(found[1]), int(found[2])


def blob_name(sha256: str) -> str:
    """`blobs/ab/cd/<sha256>`, relative to the bundle folder."""
    return f"{BLOBS}/{sha256[0:2]}/{sha256[2:4]}/{sha256}"


def open_regular(path: Path) -> BinaryIO:
    """`path` opened for reading if it is a regular file: a symlink is not followed (ELOOP) and
    a FIFO does not block the open; anything else is a BundleError."""
    file = open(path, "rb", opener=_no_follow)  # noqa: SIM115 (returned open)
    if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
        file.close()
        raise BundleError(f"{path}: not a regular file: refused")
    return file


def read_capped(root: Path, name: str, limit: int) -> bytes:
    """The bytes of the bundle's file `name`, refused past `limit` bytes."""
    try:
        with open_regular(root / name) as file:
            data = file.read(limit + 1)
    except OSError as err:
        raise BundleError(f"{name}: cannot be read ({err.strerror or err})") from err
    if len(data) > limit:
        raise BundleError(f"{name}: larger than {limit} bytes: refused")
    return data


def decompress_capped(data: bytes, name: str, limit: int = MAX_PAGE_BYTES) -> bytes:
    """zstd frames decompressed, refused past `limit` bytes. Not `decompress(max_output_size=)`:
    that trusts a content size written in the frame header, which is how a bomb gets in."""
    reader = zstandard.ZstdDecompressor().stream_reader(data, read_across_frames=True)
    chunks, total = [], 0
    try:
        while chunk := reader.read(_READ_BYTES):
            total += len(chunk)
            if total > limit:
                raise BundleError(f"{name}: decompresses past {limit} bytes: refused")
            chunks.append(chunk)
    except zstandard.ZstdError as err:
        raise BundleError(f"{name}: not zstd-compressed ({err})") from err
    return b"".join(chunks)


def temp_path(root: Path, name: str) -> Path:
    """Where the writer puts `name` (relative to the bundle folder) until it is complete."""
    return root / TMP / f"{name.replace('/', '_')}.part"


def install(root: Path, temp: Path, name: str) -> None:
    """Move a complete temp file to `name` durably: fsync, rename, fsync of the folder."""
    with temp.open("rb") as file:
        os.fsync(file.fileno())
    target = root / name
    make_dirs_durably(target.parent)
    os.replace(temp, target)
    fsync_dir(target.parent)


def install_bytes(root: Path, name: str, data: bytes) -> None:
    temp = temp_path(root, name)
    temp.write_bytes(data)
    install(root, temp, name)


def _no_follow(path: str, flags: int) -> int:
    return os.open(path, flags | os.O_NOFOLLOW | os.O_NONBLOCK)
