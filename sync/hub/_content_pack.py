"""What `edge-hub content publish` reads: a folder or a .zip whose top-level items each become a
catalog entry. A zip is checked whole before anything is written: no absolute path, no `..`, no
symlink — a refused zip publishes nothing."""

from __future__ import annotations

import contextlib
import mimetypes
import os
import re
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sync.hub._errors import HubError

PACKAGE_INDEX = "index.html"
KIND_BY_SUFFIX = {
    ".pdf": "textbook",
    ".mp4": "video",
    ".webm": "video",
    ".png": "presentation",
    ".jpg": "presentation",
    ".jpeg": "presentation",
    ".svg": "presentation",
    ".md": "scenario",
    ".txt": "scenario",
}
_MIME = {  # what a browser needs, whatever the system's mime.types says
    ".html": "text/html",
    ".htm": "text/html",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".css": "text/css",
    ".json": "application/json",
    ".wasm": "application/wasm",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
    ".woff2": "font/woff2",
    ".md": "text/markdown",
    ".webm": "video/webm",
    ".mp4": "video/mp4",
}
_DRIVE = re.compile(r"[A-Za-z]:")


@dataclass(frozen=True)
class Item:
    name: str  # the folder's name or the file's stem
    kind: str
    files: tuple[tuple[str, Path], ...]  # (relative POSIX path in the package, source file)


@dataclass
class Scan:
    items: list[Item] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "name: why"


def mime_of(path: str) -> str:
    suffix = Path(path).suffix.lower()
    return _MIME.get(suffix) or mimetypes.guess_type(path)[0] or "application/octet-stream"


@contextlib.contextmanager
def scanned(path: Path) -> Iterator[Scan]:
    """The items of a folder, a .zip (unpacked into a temp folder for the `with`) or one file."""
    if not path.exists():
        raise HubError(404, "not_found", f"{path} does not exist")
    if path.is_file() and path.suffix.lower() == ".zip":
        with tempfile.TemporaryDirectory(prefix="edge-hub-publish-") as temp:
            root = Path(temp) / path.stem
            unzip(path, root)
            yield _scan(root)
        return
    yield _scan(path)


def _scan(path: Path) -> Scan:
    found = Scan()
    if path.is_file() or (path / PACKAGE_INDEX).is_file():
        children = [path]
    else:
        children = sorted(path.iterdir(), key=lambda child: child.name)
    for child in children:
        if child.is_symlink():
            raise HubError(400, "bad_package", f"{child} is a symlink")
        kind = KIND_BY_SUFFIX.get(child.suffix.lower()) if child.is_file() else None
        if kind is not None:
            found.items.append(Item(child.stem, kind, ((child.name, child),)))
        elif child.is_dir() and (child / PACKAGE_INDEX).is_file():
            found.items.append(Item(child.name, "lesson", _package_files(child)))
        else:
            why = "a folder without index.html" if child.is_dir() else "not a known kind of file"
            found.skipped.append(f"{child.name}: {why}")
    return found


def _package_files(root: Path) -> tuple[tuple[str, Path], ...]:
    files: list[tuple[str, Path]] = []
    for folder, dirs, names in os.walk(root):
        for name in [*dirs, *names]:
            if (Path(folder) / name).is_symlink():
                raise HubError(400, "bad_package", f"{Path(folder) / name} is a symlink")
        files += [
            (Path(folder, name).relative_to(root).as_posix(), Path(folder, name)) for name in names
        ]
    return tuple(sorted(files))


def unzip(archive_path: Path, dest: Path) -> None:
    """Extract a zip, refusing (before writing anything) absolute paths, `..` and symlinks."""
    try:
        with zipfile.ZipFile(archive_path) as archive:
            members = archive.infolist()
            for info in members:
                _check_member(archive_path, info)
            dest.mkdir(parents=True)
            for info in members:
                target = dest.joinpath(*[p for p in info.filename.split("/") if p])
                if info.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(info) as data, target.open("wb") as out:
                    shutil.copyfileobj(data, out)
    except (zipfile.BadZipFile, zipfile.LargeZipFile) as err:
        raise HubError(400, "bad_zip", f"{archive_path}: not a readable zip: {err}") from err


def _check_member(archive_path: Path, info: zipfile.ZipInfo) -> None:
    name = info.filename
    why = ""
    if name.startswith(("/", "\\")) or _DRIVE.match(name):
        why = "is an absolute path"
    elif "\\" in name or any(c < " " for c in name):
        why = "has a backslash or a control character"
    elif ".." in name.split("/"):
        why = "has `..` in its path"
    elif stat.S_ISLNK(info.external_attr >> 16):
        why = "is a symlink"
    if why:
        raise HubError(400, "bad_zip", f"{archive_path}: refused, member {name!r} {why}")
