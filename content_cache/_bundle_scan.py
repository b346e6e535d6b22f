"""Looking at a bundle before anything of it is used: every entry of its tree is lstat-ed (never
followed), and a symlink, a device, a FIFO or a name under log/ or blobs/ that the writer never
writes refuses the bundle whole. Names the importer joins to the folder come from the manifest
and must match those patterns too, so nothing outside the folder is ever opened."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from content_cache._bundle_layout import (
    BLOBS,
    BUNDLE_DIR,
    DIR_NAMES,
    FILE_NAMES,
    HEAD,
    LOG,
    MANIFEST,
    MAX_HEAD_BYTES,
    MAX_MANIFEST_BYTES,
    BundleError,
    read_capped,
)
from content_cache._bundle_manifest import Manifest, parse_head, parse_manifest
from content_cache._head import SignedHead


@dataclass(frozen=True)
class OpenBundle:
    root: Path
    manifest: Manifest
    signed: SignedHead
    sizes: dict[str, int]  # every regular file, by its name relative to root → its size


def find_bundle(folder: Path) -> Path:
    """`folder/classedge-bundle`, or `folder` itself when it holds a manifest."""
    inner = folder / BUNDLE_DIR
    if os.path.lexists(inner):
        return inner
    if os.path.lexists(folder / MANIFEST):
        return folder
    raise BundleError(f"{folder}: no bundle here (no {BUNDLE_DIR} folder)")


def open_bundle(root: Path) -> OpenBundle:
    """The bundle's manifest, head and files, checked as the module says; else BundleError."""
    if not os.path.lexists(root / MANIFEST):
        raise BundleError(f"{root}: no {MANIFEST}: the export did not finish; run it again")
    sizes = scan_bundle(root)
    manifest = parse_manifest(read_capped(root, MANIFEST, MAX_MANIFEST_BYTES))
    signed = parse_head(read_capped(root, HEAD, MAX_HEAD_BYTES))
    if (manifest.version, manifest.digest) != (signed.head.version, signed.head.digest):
        raise BundleError(f"{MANIFEST} and {HEAD} name different catalog versions")
    for name in manifest.log:
        if f"{LOG}/{name}" not in sizes:
            raise BundleError(f"{LOG}/{name}: listed in {MANIFEST} but missing")
    return OpenBundle(root, manifest, signed, sizes)


def scan_bundle(root: Path) -> dict[str, int]:
    """Every regular file under `root` (its relative name → its size); BundleError naming the
    first entry refused. Files outside log/ and blobs/ are allowed (and never read)."""
    if not stat.S_ISDIR(_lstat(root, root.name).st_mode):
        raise BundleError(f"{root}: not a folder (a symbolic link?): refused")
    sizes: dict[str, int] = {}
    folders = [""]
    while folders:
        folder = folders.pop()
        try:
            with os.scandir(root / folder) as listing:
                found = [(entry.name, entry.stat(follow_symlinks=False)) for entry in listing]
        except OSError as err:
            raise BundleError(f"{folder or root}: cannot be listed ({err.strerror})") from err
        for base, info in found:
            name = f"{folder}/{base}" if folder else base
            if stat.S_ISDIR(info.st_mode):
                _check_name(name, is_dir=True)
                folders.append(name)
            elif stat.S_ISREG(info.st_mode):
                _check_name(name, is_dir=False)
                sizes[name] = info.st_size
            else:
                kind = "a symbolic link" if stat.S_ISLNK(info.st_mode) else "not a regular file"
                raise BundleError(f"{name}: {kind}: refused")
    return sizes


def _check_name(name: str, *, is_dir: bool) -> None:
    if name.split("/")[0] not in (LOG, BLOBS):
        return
    allowed = DIR_NAMES if is_dir else FILE_NAMES
    if not allowed.fullmatch(name):
        raise BundleError(
            f"{name!r}: not a name a bundle holds (log/000000001-000010000.jsonl.zst,"
            " blobs/ab/cd/<64 lowercase hex digits starting abcd>): refused"
        )


def _lstat(path: Path, name: str) -> os.stat_result:
    try:
        return os.lstat(path)
    except OSError as err:
        raise BundleError(f"{name}: cannot be read ({err.strerror})") from err
