"""A bundle's `manifest.json` (what it holds: the log pages in order and the blobs with their
sizes) and its `head.json`, decoded without trusting either."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from content_cache._bundle_layout import FORMAT, HEAD, MANIFEST, BundleError, page_range
from content_cache._catalog import canonical_json
from content_cache._fields import hex_digest, list_field, object_field, whole_number
from content_cache._head import SignedHead

_FIELDS = frozenset({"format", "version", "digest", "log", "blobs"})
_MAX_PAGES = 1_000_000


@dataclass(frozen=True)
class Manifest:
    """Written last by the exporter: a bundle without one is an export that did not finish."""

    version: int  # the head's
    digest: str  # the head's
    log: tuple[str, ...]  # page file names under log/, versions 1 … version in order
    blobs: Mapping[str, int]  # sha256 → size of every blob under blobs/

    def to_bytes(self) -> bytes:
        return canonical_json(
            {
                "format": FORMAT,
                "version": self.version,
                "digest": self.digest,
                "log": list(self.log),
                "blobs": dict(self.blobs),
            }
        )


def parse_manifest(data: bytes) -> Manifest:
    try:
        body = object_field(_json(data), MANIFEST, _FIELDS)
        whole_number(body["format"], "format", low=FORMAT, high=FORMAT)
        version = whole_number(body["version"], "version", low=0)
        log = tuple(list_field(body["log"], "log", _MAX_PAGES))
        _check_pages(log, version)
        manifest = Manifest(version, hex_digest(body["digest"], "digest"), log, _blobs(body))
    except (ValueError, BundleError) as err:  # CatalogError, a bad page name
        raise BundleError(f"{MANIFEST}: {err}") from err
    return manifest


def parse_head(data: bytes) -> SignedHead:
    try:
        return SignedHead.from_json(_json(data))
    except ValueError as err:
        raise BundleError(f"{HEAD}: {err}") from err


def _json(data: bytes) -> Any:
    try:
        return json.loads(data)
    except RecursionError:
        raise ValueError("nested too deeply") from None
    except ValueError as err:  # UnicodeDecodeError too
        raise ValueError(f"not JSON ({err})") from err


def _check_pages(names: tuple[Any, ...], version: int) -> None:
    """The pages must hold versions 1 … version, each page following the one before."""
    end = 0
    for name in names:
        if not isinstance(name, str):
            raise ValueError("log: page names must be text")
        first, last = page_range(name)
        if first != end + 1 or last < first:
            raise ValueError(f"log: page {name} does not follow version {end}")
        end = last
    if end != version:
        raise ValueError(f"log: the pages end at version {end}, the head is at {version}")


def _blobs(body: dict[str, Any]) -> dict[str, int]:
    blobs = body["blobs"]
    if not isinstance(blobs, dict):
        raise ValueError("blobs: must be an object of sha256 → size")
    return {
        hex_digest(sha, f"blobs: {sha[:80]!r}"): whole_number(size, f"blobs.{sha}", low=0)
        for sha, size in blobs.items()
    }
