"""Making room for a blob: evict least-recently-used unpinned blobs, or refuse with StoreFull."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from content_cache._blobs_index import BlobIndex
from content_cache._blobs_types import BlobLayout, StoreFull


@dataclass(frozen=True)
class SpaceRules:
    quota_bytes: int
    reserve_free_bytes: int
    disk_free: Callable[[Path], int]


@dataclass(frozen=True)
class Shortfall:
    over_quota: int
    under_reserve: int

    @property
    def fits(self) -> bool:
        return self.over_quota <= 0 and self.under_reserve <= 0


def make_room(
    layout: BlobLayout,
    index: BlobIndex,
    rules: SpaceRules,
    *,
    quota_needed: int,
    disk_needed: int,
    in_progress: int,
) -> None:
    """Evict until `quota_needed` more bytes fit the quota and `disk_needed` fit above the reserve.

    `in_progress` is what blobs being written already hold of the quota. Evicts nothing where even
    evicting every unpinned blob would not be enough.
    """
    quota_held = quota_needed + in_progress
    shortfall = _shortfall(layout, index, rules, quota_held, disk_needed)
    if max(shortfall.over_quota, shortfall.under_reserve) > index.unpinned_bytes():
        raise _store_full(layout, index, rules, quota_needed, in_progress)
    while not shortfall.fits:
        victim = index.least_recently_used_unpinned()
        if victim is None:
            raise _store_full(layout, index, rules, quota_needed, in_progress)
        index.remove(victim[0])
        layout.blob_path(victim[0]).unlink(missing_ok=True)
        shortfall = _shortfall(layout, index, rules, quota_held, disk_needed)


def _shortfall(
    layout: BlobLayout, index: BlobIndex, rules: SpaceRules, quota_needed: int, disk_needed: int
) -> Shortfall:
    _, stored = index.count_and_bytes()
    free = rules.disk_free(layout.root)
    return Shortfall(
        over_quota=stored + quota_needed - rules.quota_bytes,
        under_reserve=rules.reserve_free_bytes + disk_needed - free,
    )


def _store_full(
    layout: BlobLayout, index: BlobIndex, rules: SpaceRules, needed: int, in_progress: int
) -> StoreFull:
    return StoreFull(
        f"no room for {needed} bytes: quota {rules.quota_bytes} bytes, of which"
        f" {index.pinned_bytes()} are pinned and {in_progress} held by downloads in progress;"
        " free disk"
        f" {rules.disk_free(layout.root)} bytes, {rules.reserve_free_bytes} of them kept in reserve"
    )
