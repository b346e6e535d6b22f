"""A long delta staged page by page: kept across restarts, committed under its head, and
dropped when it does not lead to the head."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from content_cache import CatalogError, CatalogIndex, SignedHead
from content_cache._index_log import page_records
from tests.test_catalog import NOW, OTHER_KEY, PUBLIC, entry, head_for, log, snapshot


def test_staged_pages_commit_to_what_one_apply_gives(tmp_path: Path) -> None:
    records = log()
    with CatalogIndex(tmp_path / "a.db") as paged, CatalogIndex(tmp_path / "b.db") as whole:
        assert paged.stage(records[:2]) == 2
        assert paged.stage(records[2:4]) == 4
        assert paged.held()[0] == 0 and paged.search() == []  # staged is not searchable yet
        paged.stage(records[4:])
        paged.commit_staged(head_for(records), PUBLIC, NOW)
        whole.apply(head_for(records), records, PUBLIC, NOW)
        assert snapshot(paged) == snapshot(whole)
        assert paged.staged() == paged.held()


def test_staging_survives_a_restart(tmp_path: Path) -> None:
    records = log()
    with CatalogIndex(tmp_path / "catalog.db") as first:
        first.stage(records[:3])
    with CatalogIndex(tmp_path / "catalog.db") as again:
        assert again.staged()[0] == 3
        again.stage(records[3:])
        again.commit_staged(head_for(records), PUBLIC, NOW)
        assert again.held()[0] == 6 and again.count() == 3


def test_a_stage_that_does_not_follow_the_log_is_refused(tmp_path: Path) -> None:
    records = log()
    with CatalogIndex(tmp_path / "catalog.db") as index:
        index.stage(records[:2])
        with pytest.raises(CatalogError, match="version 3 expected, record has 4"):
            index.stage(records[3:])
        assert index.staged()[0] == 2


def test_staged_records_that_miss_the_head_are_dropped(tmp_path: Path) -> None:
    records = log()
    tampered = [*records[:5], dataclasses.replace(records[5], deleted=False)]
    with CatalogIndex(tmp_path / "catalog.db") as index:
        index.stage(tampered)
        with pytest.raises(CatalogError, match="digest at version 6 does not match"):
            index.commit_staged(head_for(records), PUBLIC, NOW)
        assert index.staged()[0] == 0
        index.stage(records)
        index.commit_staged(head_for(records), PUBLIC, NOW)
        assert index.count() == 3


@pytest.mark.parametrize(
    ("head", "refusal"),
    [
        (head_for(log(), key=OTHER_KEY), "bad signature"),
        (head_for([*log(), entry(7, 9)]), "versions 7…7 are missing"),
    ],
)
def test_an_unverified_head_keeps_the_staged_records(
    tmp_path: Path, head: SignedHead, refusal: str
) -> None:
    with CatalogIndex(tmp_path / "catalog.db") as index:
        index.stage(log())
        with pytest.raises(CatalogError, match=refusal):
            index.commit_staged(head, PUBLIC, NOW)
        assert index.staged()[0] == 6 and index.held()[0] == 0


def test_the_verified_log_is_kept_for_export(tmp_path: Path) -> None:
    records = log()
    with CatalogIndex(tmp_path / "catalog.db") as index:
        index.apply(head_for(records[:2]), records[:2], PUBLIC, NOW)
        index.apply(head_for(records), records[2:], PUBLIC, NOW)
        index.stage([entry(7, 9)])  # staged: not part of the verified log
        versions = [r["version"] for body in index.log_pages() for r in page_records(body)]
        assert versions == [1, 2, 3, 4, 5, 6]
        assert index.signed_head() == head_for(records)
