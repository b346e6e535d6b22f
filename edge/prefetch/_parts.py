"""The box's catalog and blob store, as settings place and size them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from content_cache import BlobStore, CatalogIndex
from edge.settings import Settings

CATALOG_FILE = "catalog.db"
MB = 1024 * 1024


def open_blob_store(settings: Settings) -> BlobStore:
    return BlobStore(
        settings.content_dir,
        quota_bytes=settings.content.quota_mb * MB,
        reserve_free_bytes=settings.content.reserve_free_mb * MB,
    )


def open_catalog(settings: Settings) -> CatalogIndex:
    return CatalogIndex(settings.content_dir / CATALOG_FILE)


@contextmanager
def content_parts(settings: Settings) -> Iterator[tuple[CatalogIndex, BlobStore]]:
    """Both, closed on the way out (for commands; the app opens them in threads)."""
    with open_catalog(settings) as catalog:
        store = open_blob_store(settings)
        try:
            yield catalog, store
        finally:
            store.close()
