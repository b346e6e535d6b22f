"""Catalog entries (docs/catalog-format.md): the model, its canonical bytes, and a decoder that
trusts nothing — a file path here becomes a path inside an HTML5 package on the box."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from content_cache._fields import (
    MAX_SIZE,
    CatalogError,
    hex_digest,
    list_field,
    object_field,
    text,
    whole_number,
)

KINDS = frozenset({"textbook", "lesson", "assignment", "test", "presentation", "video", "scenario"})
MAX_ID = 200
MAX_FILES = 10_000
_FIELDS = frozenset(
    {"id", "kind", "title", "subject", "grades", "language", "files", "version", "deleted"}
)
_FILE_FIELDS = frozenset({"path", "sha256", "size", "mime"})
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class CatalogFile:
    path: str
    sha256: str
    size: int
    mime: str


@dataclass(frozen=True)
class CatalogEntry:
    id: str
    kind: str
    title: str
    subject: str
    grades: tuple[str, ...]
    language: str
    files: tuple[CatalogFile, ...]
    version: int
    deleted: bool = False


def entry_to_json(entry: CatalogEntry) -> dict[str, Any]:
    files = [
        {"path": f.path, "sha256": f.sha256, "size": f.size, "mime": f.mime} for f in entry.files
    ]
    return {
        "id": entry.id,
        "kind": entry.kind,
        "title": entry.title,
        "subject": entry.subject,
        "grades": list(entry.grades),
        "language": entry.language,
        "files": files,
        "version": entry.version,
        "deleted": entry.deleted,
    }


def canonical(entry: CatalogEntry) -> bytes:
    """Sorted keys, no whitespace, UTF-8 (not \\u escapes); files and grades in the given order."""
    return canonical_json(entry_to_json(entry))


def canonical_json(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_from_json(obj: object) -> CatalogEntry:
    """A `CatalogEntry` from decoded JSON, else `CatalogError` naming the offending field."""
    body = object_field(obj, "entry", _FIELDS, optional={"deleted"})
    kind = text(body["kind"], "kind")
    if kind not in KINDS:
        raise CatalogError(f"kind: {kind!r} is not one of {', '.join(sorted(KINDS))}")
    deleted = body.get("deleted", False)
    if not isinstance(deleted, bool):
        raise CatalogError("deleted: must be true or false")
    files = list_field(body["files"], "files", MAX_FILES)
    decoded = tuple(_file(item, f"files[{i}]") for i, item in enumerate(files))
    paths = [f.path for f in decoded]
    if len(set(paths)) != len(paths):
        raise CatalogError("files: a path is listed twice")
    grades = list_field(body["grades"], "grades", 100)
    return CatalogEntry(
        id=text(body["id"], "id", limit=MAX_ID, empty=False),
        kind=kind,
        title=text(body["title"], "title"),
        subject=text(body["subject"], "subject"),
        grades=tuple(text(g, f"grades[{i}]", empty=False) for i, g in enumerate(grades)),
        language=text(body["language"], "language"),
        files=decoded,
        version=whole_number(body["version"], "version", low=1),
        deleted=deleted,
    )


def _file(obj: object, where: str) -> CatalogFile:
    body = object_field(obj, where, _FILE_FIELDS)
    return CatalogFile(
        path=_path(body["path"], f"{where}.path"),
        sha256=hex_digest(body["sha256"], f"{where}.sha256"),
        size=whole_number(body["size"], f"{where}.size", low=0, high=MAX_SIZE),
        mime=text(body["mime"], f"{where}.mime", limit=255, empty=False),
    )


def _path(value: object, where: str) -> str:
    path = text(value, where, limit=1024, empty=False)
    if "\\" in path or _CONTROL.search(path):
        raise CatalogError(f"{where}: {path!r} has a backslash or a control character")
    if path.startswith("/"):
        raise CatalogError(f"{where}: {path!r} is absolute")
    if any(part in ("", ".", "..") for part in path.split("/")):
        raise CatalogError(f"{where}: {path!r} is not a normalized relative path")
    return path
