"""Hostile USB bundles, on the file system: symbolic links, special files and names that point
outside the bundle or that the writer never writes are refused whole, before anything is read,
and the box takes in nothing — no catalog, nothing staged, no blob, no temp file."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from content_cache import BundleError
from tests._bundles import bundle, edit_manifest, lessons, refused_whole, small_bundle


def _first_blob(root: Path) -> Path:
    return sorted(p for p in (root / "blobs").rglob("*") if p.is_file())[0]


def _swap_for_link(path: Path, target: str) -> None:
    path.unlink()
    path.symlink_to(target)


def _misplace(root: Path) -> None:
    blob = _first_blob(root)
    (root / "blobs" / "ff" / "ff").mkdir(parents=True, exist_ok=True)
    blob.rename(root / "blobs" / "ff" / "ff" / blob.name)


def _linked_bundle(root: Path) -> None:
    root.rename(root.parent / "elsewhere")
    root.symlink_to("elsewhere")


def _linked_folder(root: Path) -> None:
    (root.parent / "real").mkdir()
    folder = _first_blob(root).parent
    for path in folder.iterdir():
        path.rename(root.parent / "real" / path.name)
    folder.rmdir()
    folder.symlink_to(root.parent / "real")


SPOILERS: dict[str, tuple[Callable[[Path], object], str]] = {
    "blob linked to /etc/passwd": (
        lambda root: _swap_for_link(_first_blob(root), "/etc/passwd"),
        r"blobs/../../[0-9a-f]{64}: a symbolic link: refused",
    ),
    "a link anywhere": (
        lambda root: (root / "notes.txt").symlink_to("/etc/passwd"),
        "notes.txt: a symbolic link",
    ),
    "a linked folder": (_linked_folder, r"blobs/../..: a symbolic link"),
    "the bundle folder a link": (_linked_bundle, "not a folder"),
    "a FIFO": (
        lambda root: os.mkfifo(root / "log" / "000000009-000000009.jsonl.zst"),
        "000000009-000000009.jsonl.zst: not a regular file",
    ),
    "../ in a page name": (
        lambda root: edit_manifest(root, lambda m: m["log"].append("../../../etc/passwd")),
        "not a log page name",
    ),
    "../ in a blob name": (
        lambda root: edit_manifest(root, lambda m: m["blobs"].update({"../../etc/passwd": 1})),
        "blobs: '../../etc/passwd': must be 64 lowercase hex",
    ),
    "an absolute page name": (
        lambda root: edit_manifest(root, lambda m: m["log"].insert(0, "/etc/passwd")),
        "not a log page name",
    ),
    "a stray name under blobs/": (
        lambda root: (_first_blob(root).parent / "README").write_text("hi"),
        "'blobs/../../README': not a name a bundle holds",
    ),
    "a blob in another's folder": (_misplace, "'blobs/ff/ff/[0-9a-f]{64}': not a name"),
    "no manifest": (lambda root: (root / "manifest.json").unlink(), "the export did not finish"),
}


@pytest.mark.parametrize("spoil", SPOILERS, ids=list(SPOILERS))
def test_a_hostile_bundle_is_refused_whole(tmp_path: Path, spoil: str) -> None:
    root = small_bundle(tmp_path)
    change, message = SPOILERS[spoil]
    change(root)
    refused_whole(root, message, tmp_path / "box")


def test_an_export_does_not_write_through_a_link_planted_on_the_drive(tmp_path: Path) -> None:
    planted = bundle(tmp_path / "usb") / "blobs"
    planted.parent.mkdir(parents=True)
    (tmp_path / "box-data").mkdir()
    planted.symlink_to(tmp_path / "box-data")
    with pytest.raises(BundleError, match="blobs: a symbolic link: refused"):
        lessons(tmp_path / "hub").export(tmp_path / "usb")
    assert not list((tmp_path / "box-data").iterdir())
