"""Where prefetch stands, kept in `content/status.json` (written atomically, at most once a
second while a round runs) so `edge content status` can read it beside the running box."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from content_cache import BlobStore, CatalogIndex, FetchProgress
from edge.settings import Settings

STATUS_FILE = "status.json"


def _path(settings: Settings) -> Path:
    return settings.content_dir / STATUS_FILE


def load_status(settings: Settings) -> dict[str, Any]:
    try:
        found = json.loads(_path(settings).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def save_status(settings: Settings, **changes: Any) -> None:
    path = _path(settings)
    body = {**load_status(settings), **changes}
    temp = path.with_suffix(f".{os.getpid()}.tmp")
    temp.write_text(json.dumps(body, indent=1), encoding="utf-8")
    os.replace(temp, path)


def write_progress(settings: Settings, progress: FetchProgress) -> None:
    save_status(settings, progress=progress.to_json(), progress_at=time.time())


def write_round_status(settings: Settings, *, error: str = "", refused: str | None = None) -> None:
    """After a round: its time, its error ("" for success) and, when the catalog was asked
    for, why it was refused ("" for accepted)."""
    now = time.time()
    changes: dict[str, Any] = {"last_round_at": now, "last_error": error}
    if not error:
        changes["last_success_at"] = now
    if refused is not None:
        changes["catalog_refused"] = refused
    save_status(settings, **changes)


def read_content_status(
    settings: Settings, catalog: CatalogIndex, blobs: BlobStore, now: float | None = None
) -> dict[str, Any]:
    """The catalog held, the store's usage and the last rounds, as one JSON object."""
    now = time.time() if now is None else now
    signed = catalog.signed_head()
    expires = signed.head.expires if signed else None
    usage = blobs.usage()
    return {
        **load_status(settings),
        "catalog": {
            "version": catalog.held()[0],
            "entries": catalog.count(),
            "head_expires": expires,
            "frozen": expires is not None and expires <= now,
        },
        "store": {
            "blobs": usage.count,
            "bytes": usage.bytes,
            "pinned_bytes": usage.pinned_bytes,
            "quota_bytes": usage.quota,
            "free_disk_bytes": usage.free_disk,
        },
    }
