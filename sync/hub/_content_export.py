"""`edge-hub content export DIR [--subject S] [--grade G] [--items ID,…]`: a USB bundle of the
hub's catalog for boxes (docs/catalog-format.md, "USB bundles"), under a freshly signed head."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from content_cache import (
    BundleError,
    TextBar,
    blob_sizes,
    canonical,
    choose_entries,
    sign_head,
    write_bundle,
)
from sync.hub._content import HubCatalog
from sync.hub._content_http import CATALOG_PAGE, HEAD_TTL
from sync.hub._content_key import content_key
from sync.hub._errors import HubError
from sync.hub._store import HubStore


def export_bundle(store: HubStore, args: argparse.Namespace) -> None:
    """A freshly signed head, the whole log, and the blobs of the chosen entries."""
    catalog = HubCatalog(store, args.data_dir)
    signed = sign_head(catalog.head(int(time.time()), HEAD_TTL), content_key(store))
    ids = {item.strip() for item in (args.items or "").split(",") if item.strip()}
    bar = TextBar(sys.stderr)
    try:
        chosen = choose_entries(catalog.latest(), subject=args.subject, grade=args.grade, ids=ids)
        sources = {sha: (_blob(catalog, sha), size) for sha, size in blob_sizes(chosen).items()}
        lines = _log_lines(catalog, signed.head.version)
        done = write_bundle(args.dir, signed, lines, sources, bar)
    except BundleError as err:
        raise HubError(400, "bundle", str(err)) from err
    finally:
        bar.finish()
    if done.left_out:
        raise HubError(500, "blob_store", "; ".join(done.left_out))
    print(
        f"exported catalog version {signed.head.version} and {done.blobs} blobs of"
        f" {len(chosen)} entries to {done.root} ({done.written} written,"
        f" {done.bytes_written / 1e6:.1f} MB; {done.kept} were there already)"
    )


def _blob(catalog: HubCatalog, sha256: str) -> Path:
    path = catalog.blob(sha256)
    if path is None:
        raise HubError(500, "blob_store", f"blob {sha256} is missing from {catalog.blobs_dir}")
    return path


def _log_lines(catalog: HubCatalog, upto: int) -> Iterator[bytes]:
    """The log's records 1 … `upto`, as canonical lines, read a page at a time."""
    since = 0
    while since < upto and (records := catalog.records(since, CATALOG_PAGE)):
        yield from (canonical(record) for record in records)
        since = records[-1].version
