"""A bundle's catalog into the box's: the head's signature first, then the log pages past what
the box holds, staged page by page (an interrupted import resumes from the staged end) and
committed under the head in one transaction (docs/catalog-format.md, "USB bundles")."""

from __future__ import annotations

import json
from collections.abc import Iterator

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from content_cache._bundle_layout import (
    HEAD,
    LOG,
    MAX_PAGE_BYTES,
    BundleError,
    decompress_capped,
    page_range,
    read_capped,
)
from content_cache._bundle_scan import OpenBundle
from content_cache._catalog import CatalogEntry, entry_from_json
from content_cache._fields import CatalogError
from content_cache._head import ExpiredHead, verify_head
from content_cache._index import CatalogIndex


def import_log(
    bundle: OpenBundle, index: CatalogIndex, public_key: Ed25519PublicKey, now: int
) -> str:
    """Bring `index` up to the bundle's head. Returns "" when the catalog was taken or is not
    newer than the one held, else why it was not (an expired head); BundleError for a head not
    signed by `public_key` or a log that does not lead to it (the index is left as it was)."""
    signed = bundle.signed
    try:
        public_key.verify(signed.signature, signed.head.canonical())
    except InvalidSignature:
        raise BundleError(f"{HEAD}: bad signature: not signed by this box's hub") from None
    held = index.held()[0]
    if signed.head.version <= held:
        return ""  # an older bundle: the box's own catalog decides which blobs it takes
    try:
        verify_head(signed, public_key, held_version=held, now=now)
    except ExpiredHead as err:
        return str(err)
    if index.staged()[0] > held:  # an interrupted import or fetch staged records: resume
        try:
            _stage_and_commit(bundle, index, public_key, now)
            return ""
        except (CatalogError, BundleError):
            index.discard_staged()  # they were not this log's: start again from the held end
    try:
        _stage_and_commit(bundle, index, public_key, now)
    except BundleError:
        index.discard_staged()
        raise
    except CatalogError as err:
        index.discard_staged()
        raise BundleError(f"{LOG}: does not verify against {HEAD}: {err}") from err
    return ""


def _stage_and_commit(
    bundle: OpenBundle, index: CatalogIndex, public_key: Ed25519PublicKey, now: int
) -> None:
    if index.staged()[0] > bundle.signed.head.version:
        index.discard_staged()
    for records in read_pages(bundle, after=index.staged()[0]):
        index.stage(records)
    index.commit_staged(bundle.signed, public_key, now)


def read_pages(bundle: OpenBundle, after: int) -> Iterator[list[CatalogEntry]]:
    """The records past version `after`, a page at a time; a page past `after` is decoded
    whole and must hold exactly the versions its name states."""
    for name in bundle.manifest.log:
        first, last = page_range(name)
        if last <= after:
            continue
        records = _decode_page(bundle, f"{LOG}/{name}")
        if [record.version for record in records] != list(range(first, last + 1)):
            raise BundleError(f"{LOG}/{name}: does not hold exactly versions {first}…{last}")
        yield [record for record in records if record.version > after]


def _decode_page(bundle: OpenBundle, name: str) -> list[CatalogEntry]:
    text = decompress_capped(read_capped(bundle.root, name, MAX_PAGE_BYTES), name)
    try:
        return [entry_from_json(json.loads(line)) for line in text.split(b"\n")]
    except RecursionError:
        raise BundleError(f"{name}: a record is nested too deeply") from None
    except ValueError as err:  # not JSON, or a CatalogError naming the field
        raise BundleError(f"{name}: {err}") from err
