"""Catalog entries as the API shows them: the entry plus whether the box already holds it.

Synchronous (the catalog and blob store are): async callers run these in a thread."""

from __future__ import annotations

from typing import Any

from content_cache import BlobStore, CatalogEntry, CatalogIndex, entry_to_json
from edge.diary import NotFoundError


def entry_view(entry: CatalogEntry, blobs: BlobStore) -> dict[str, Any]:
    cached = all(blobs.has(f.sha256) for f in entry.files)
    return {**entry_to_json(entry), "cached": cached}


def require_entry(catalog: CatalogIndex, entry_id: str) -> CatalogEntry:
    entry = catalog.get(entry_id)
    if entry is None:
        raise NotFoundError(f"no catalog entry {entry_id} (unknown, or deleted from the catalog)")
    return entry


def entry_detail(catalog: CatalogIndex, blobs: BlobStore, entry_id: str) -> dict[str, Any]:
    return entry_view(require_entry(catalog, entry_id), blobs)


def search_entries(
    catalog: CatalogIndex,
    blobs: BlobStore,
    text: str,
    *,
    subject: str | None,
    grade: str | None,
    kind: str | None,
    limit: int,
) -> list[dict[str, Any]]:
    found = catalog.search(text, subject=subject, grade=grade, kind=kind, limit=limit)
    return [entry_view(entry, blobs) for entry in found]


def with_entries(
    rows: list[dict[str, Any]], catalog: CatalogIndex, blobs: BlobStore
) -> list[dict[str, Any]]:
    """Each row (with an `entry_id`) plus its entry; `entry` is None once the catalog drops it."""
    views = []
    for row in rows:
        entry = catalog.get(row["entry_id"])
        views.append({**row, "entry": None if entry is None else entry_view(entry, blobs)})
    return views
