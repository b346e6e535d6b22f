"""Lesson prefetch on the box: refresh the catalog from the hub, plan what the coming lessons
need (edge.content), fetch it into the blob store, on a schedule and on demand; and what it is
doing, for `edge content status`, the API, /readyz and the metrics."""

from edge.prefetch._parts import content_parts, open_blob_store, open_catalog
from edge.prefetch._round import ContentBusy, ContentRound, content_round, fetch_rules
from edge.prefetch._service import ContentService
from edge.prefetch._status import read_content_status, write_round_status

__all__ = [
    "ContentBusy",
    "ContentRound",
    "ContentService",
    "content_parts",
    "content_round",
    "fetch_rules",
    "open_blob_store",
    "open_catalog",
    "read_content_status",
    "write_round_status",
]
