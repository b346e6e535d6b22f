"""Lesson content cache: signed catalog, blob store, fetcher, LAN serving — see DESIGN.md.

The catalog format, for the central platform's team, is docs/catalog-format.md.
"""

from content_cache._catalog import (
    KINDS,
    CatalogEntry,
    CatalogFile,
    canonical,
    entry_from_json,
    entry_to_json,
)
from content_cache._fields import CatalogError
from content_cache._head import (
    ZERO_DIGEST,
    BadSignature,
    CatalogHead,
    ExpiredHead,
    RollbackError,
    SignedHead,
    chain,
    sign_head,
    verify_delta,
    verify_head,
)
from content_cache._index import CatalogIndex

__all__ = [
    "KINDS",
    "ZERO_DIGEST",
    "BadSignature",
    "CatalogEntry",
    "CatalogError",
    "CatalogFile",
    "CatalogHead",
    "CatalogIndex",
    "ExpiredHead",
    "RollbackError",
    "SignedHead",
    "canonical",
    "chain",
    "entry_from_json",
    "entry_to_json",
    "sign_head",
    "verify_delta",
    "verify_head",
]

# the blob store (content_cache/_blobs*.py)
from content_cache._blobs import BlobStore
from content_cache._blobs_partial import Partial
from content_cache._blobs_types import (
    BlobMismatch,
    BlobStoreError,
    StoreFull,
    StoreUsage,
)

__all__ += ["BlobMismatch", "BlobStore", "BlobStoreError", "Partial", "StoreFull", "StoreUsage"]

# LAN serving (content_cache/_serve*.py)
from content_cache._serve import add_content_routes  # noqa: E402
from content_cache._serve_server import BLOBS, CATALOG  # noqa: E402

__all__ += ["BLOBS", "CATALOG", "add_content_routes"]
