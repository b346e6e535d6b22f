"""USB bundles and the box's catalog: an older bundle leaves it as it is and brings what it names;
a box reads only the log pages past its version; records staged by an interrupted fetch or
import are resumed when they are the bundle's log and dropped when they are not."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from content_cache import BundleError
from tests._bundles import Source, bundle, lessons, open_box
from tests.test_catalog import NOW, PUBLIC, head_for


@pytest.fixture
def source(tmp_path: Path) -> Source:
    return lessons(tmp_path / "hub")


def test_an_older_bundle_brings_what_the_boxs_own_catalog_names(
    source: Source, tmp_path: Path
) -> None:
    source.export(tmp_path / "usb", upto=2)  # fractions and volcanoes, at version 2
    source.publish("fractions", {"index.html": b"<p>2/4</p>"})  # fractions changed since
    with open_box(tmp_path / "box") as box:
        box.index.apply(head_for(source.records), source.records, PUBLIC, NOW)
        report = box.import_(tmp_path / "usb")
        assert (report.version_after, report.bundle_version, report.catalog_refused) == (5, 2, "")
        assert report.copied == 1 and report.unwanted == 2  # the old fractions files
        assert box.holds(b"%PDF lava") and not box.holds(b"<p>1/2</p>")


def test_a_box_reads_only_the_log_pages_past_its_version(
    source: Source, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("content_cache._bundle_write_log.PAGE_RECORDS", 2)
    assert source.export(tmp_path / "usb").pages == 2
    (bundle(tmp_path / "usb") / "log" / "000000001-000000002.jsonl.zst").write_bytes(b"junk")
    with open_box(tmp_path / "behind") as box:
        box.index.apply(head_for(source.records[:2]), source.records[:2], PUBLIC, NOW)
        assert box.import_(tmp_path / "usb").version_after == 4
    with open_box(tmp_path / "new") as box, pytest.raises(BundleError, match="000000001-0"):
        box.import_(tmp_path / "usb")


def test_records_staged_before_are_resumed_when_they_are_the_bundles_log(
    source: Source, tmp_path: Path
) -> None:
    source.export(tmp_path / "usb")
    with open_box(tmp_path / "box") as box:
        box.index.stage(source.records[:2])  # a hub fetch cut off after its first page
        report = box.import_(tmp_path / "usb")
        assert report.version_after == 4 and box.index.staged() == box.index.held()


def test_records_staged_before_that_are_not_the_bundles_log_are_dropped(
    source: Source, tmp_path: Path
) -> None:
    source.export(tmp_path / "usb")
    forged = [dataclasses.replace(source.records[0], title="forged"), source.records[1]]
    source.publish("atlas", {"map.png": b"\x89PNG map"})  # version 5, past the bundle's head
    for staged in (forged, source.records):
        with open_box(tmp_path / f"box-{len(staged)}") as box:
            box.index.stage(staged)
            assert box.import_(tmp_path / "usb").version_after == 4
            assert box.index.staged()[0] == 4 and box.index.search("fractions")
            assert box.index.search("forged") == []
