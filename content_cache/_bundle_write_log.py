"""The exporter's half of the log: the canonical records 1 … head.version in pages of at most
PAGE_RECORDS records (or about PAGE_BYTES), checked against the head before they are kept."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable
from pathlib import Path

import zstandard

from content_cache._bundle_layout import (
    LOG,
    PAGE_BYTES,
    PAGE_RECORDS,
    BundleError,
    install_bytes,
    page_name,
)
from content_cache._head import ZERO_DIGEST, CatalogHead

_LEVEL = 3


def write_log(root: Path, head: CatalogHead, lines: Iterable[bytes]) -> list[str]:
    """The names of the pages written under log/. The records must chain to the head's digest:
    a bundle that would not verify is caught here, not at the school."""
    names: list[str] = []
    page: list[bytes] = []
    size, version, digest = 0, 0, ZERO_DIGEST
    for line in itertools.islice(lines, head.version):
        version += 1
        digest = hashlib.sha256(digest + line).digest()  # `chain`, on the canonical bytes
        page.append(line)
        size += len(line)
        if len(page) == PAGE_RECORDS or size >= PAGE_BYTES:
            names.append(_write_page(root, version, page))
            page, size = [], 0
    if page:
        names.append(_write_page(root, version, page))
    if version != head.version or digest.hex() != head.digest:
        raise BundleError(
            f"the catalog's log ({version} records) does not lead to its signed head"
            f" (version {head.version}): nothing exported"
        )
    return names


def _write_page(root: Path, last: int, lines: list[bytes]) -> str:
    name = page_name(last - len(lines) + 1, last)
    body = zstandard.ZstdCompressor(level=_LEVEL).compress(b"\n".join(lines))
    install_bytes(root, f"{LOG}/{name}", body)
    return name
