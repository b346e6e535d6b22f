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

# fetching from the hub (content_cache/_refresh.py, _fetch*.py, _bucket.py, _windows.py)
from content_cache._bucket import TokenBucket  # noqa: E402
from content_cache._fetch import Fetcher, FetchRules, Want  # noqa: E402
from content_cache._fetch_errors import FetchError, HubUnreachable  # noqa: E402
from content_cache._fetch_progress import Download, FetchProgress  # noqa: E402
from content_cache._refresh import RefreshReport, decode_page, refresh_catalog  # noqa: E402
from content_cache._windows import TimeWindows  # noqa: E402

__all__ += [
    "Download",
    "FetchError",
    "FetchProgress",
    "FetchRules",
    "Fetcher",
    "HubUnreachable",
    "RefreshReport",
    "TimeWindows",
    "TokenBucket",
    "Want",
    "decode_page",
    "refresh_catalog",
]

# the prefetch planner (content_cache/_plan.py)
from content_cache._plan import Wanted, plan_downloads  # noqa: E402

__all__ += ["Wanted", "plan_downloads"]

# USB bundles (content_cache/_bundle*.py; docs/catalog-format.md, "USB bundles")
from content_cache._bundle_import import ImportReport, import_bundle  # noqa: E402
from content_cache._bundle_layout import BUNDLE_DIR, BundleError  # noqa: E402
from content_cache._bundle_progress import BundleProgress, TextBar  # noqa: E402
from content_cache._bundle_write import (  # noqa: E402
    WriteReport,
    blob_sizes,
    choose_entries,
    index_log_lines,
    write_bundle,
)

__all__ += [
    "BUNDLE_DIR",
    "BundleError",
    "BundleProgress",
    "ImportReport",
    "TextBar",
    "WriteReport",
    "blob_sizes",
    "choose_entries",
    "import_bundle",
    "index_log_lines",
    "write_bundle",
]
