"""USB bundles, library side: a bundle brings the signed catalog and the blobs the box's catalog
names; filtered bundles carry the whole log; exports and imports resume after an interruption."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from content_cache import BundleError, BundleProgress, choose_entries
from content_cache._blobs_partial import CHUNK_BYTES
from content_cache._bundle_progress import ProgressCallback
from tests._bundles import MB, Source, bundle, lessons, open_box


@pytest.fixture
def source(tmp_path: Path) -> Source:
    return lessons(tmp_path / "hub")


def test_a_bundle_brings_the_catalog_and_the_blobs_of_live_entries(
    source: Source, tmp_path: Path
) -> None:
    written = source.export(tmp_path / "usb")
    assert (written.pages, written.blobs, written.written, written.left_out) == (1, 3, 3, ())
    with open_box(tmp_path / "box") as box:
        report = box.import_(tmp_path / "usb")
        assert (report.version_before, report.version_after, report.catalog_refused) == (0, 4, "")
        assert (report.copied, report.already, report.unwanted, report.refused) == (3, 0, 0, [])
        assert box.index.count() == 2 and box.index.get("poems") is None
        assert box.holds(b"<p>1/2</p>") and box.holds(b"%PDF lava")
        assert not box.holds(b"so much depends")  # deleted: not exported
        again = box.import_(bundle(tmp_path / "usb"))  # the bundle folder itself works too
        assert (again.copied, again.already, again.version_after) == (0, 3, 4)


def test_a_filtered_bundle_carries_the_whole_log_but_only_the_chosen_blobs(
    source: Source, tmp_path: Path
) -> None:
    assert source.export(tmp_path / "usb", ids=("volcanoes",)).blobs == 1
    manifest = json.loads((bundle(tmp_path / "usb") / "manifest.json").read_bytes())
    assert manifest["version"] == 4 and len(manifest["blobs"]) == 1
    with open_box(tmp_path / "box") as box:
        report = box.import_(tmp_path / "usb")
        assert report.version_after == 4 and report.copied == 1
        assert box.holds(b"%PDF lava") and not box.holds(b"<p>1/2</p>")
    latest = {r.id: r for r in source.records}.values()
    assert [e.id for e in choose_entries(latest, subject="geography", grade="8")] == ["volcanoes"]
    assert choose_entries(latest, subject="geography", grade="7") == []
    with pytest.raises(BundleError, match="no live catalog entry 'poems'"):
        choose_entries(latest, ids={"poems"})


def test_an_interrupted_import_resumes_from_the_byte_where_it_stopped(
    source: Source, tmp_path: Path
) -> None:
    video = source.publish("video", {"film.mp4": bytes(3 * CHUNK_BYTES + 100)})
    source.export(tmp_path / "usb")
    order = sorted(_sizes(source))
    big = video.files[0].sha256
    before_big = sum(_sizes(source)[sha] for sha in order[: order.index(big)])
    stop = interrupt_when(lambda p: p.stage == "blobs" and p.bytes_done > before_big)
    with open_box(tmp_path / "box") as box:
        with pytest.raises(KeyboardInterrupt):
            box.import_(tmp_path / "usb", stop)
        assert box.index.held()[0] == 5 and not box.store.has(big)
        report = box.import_(tmp_path / "usb")
        left = sum(_sizes(source)[sha] for sha in order[order.index(big) :]) - CHUNK_BYTES
        assert report.bytes_copied == left and report.already == order.index(big)
        assert box.holds(bytes(3 * CHUNK_BYTES + 100)) and box.store.check() == []


def test_an_interrupted_export_is_finished_by_exporting_again(
    source: Source, tmp_path: Path
) -> None:
    with pytest.raises(KeyboardInterrupt):
        source.export(tmp_path / "usb", progress=interrupt_when(lambda p: p.files_done == 1))
    with open_box(tmp_path / "box") as box:
        with pytest.raises(BundleError, match="the export did not finish"):
            box.import_(tmp_path / "usb")
        again = source.export(tmp_path / "usb")
        assert (again.kept, again.written) == (1, 2)
        assert box.import_(tmp_path / "usb").copied == 3
    narrower = source.export(tmp_path / "usb", ids=("fractions",))
    assert (narrower.blobs, narrower.written) == (2, 0)
    files = [p for p in (bundle(tmp_path / "usb") / "blobs").rglob("*") if p.is_file()]
    assert len(files) == 2 and not list((bundle(tmp_path / "usb") / "tmp").iterdir())


def test_a_full_store_stops_the_import_and_stays_consistent(tmp_path: Path) -> None:
    hub = Source(tmp_path / "hub")
    for n in range(3):
        hub.publish(f"film-{n}", {"film.mp4": bytes([n]) * (MB // 2)})
    hub.export(tmp_path / "usb")
    with open_box(tmp_path / "box", quota_bytes=MB) as box:
        box.store.pin(_sizes(hub), "timetable")  # nothing may be evicted to make room
        with pytest.raises(BundleError, match=r"no room .* \(2 imported by then\)"):
            box.import_(tmp_path / "usb")
        assert box.store.usage().count == 2 and box.store.check() == []
        assert box.index.held()[0] == 3


def _sizes(source: Source) -> dict[str, int]:
    """sha256 → size of the blobs of the source's live entries."""
    latest = {record.id: record for record in source.records}.values()
    return {f.sha256: f.size for record in latest if not record.deleted for f in record.files}


def interrupt_when(test: Callable[[BundleProgress], bool]) -> ProgressCallback:
    """A progress callback that raises KeyboardInterrupt (Ctrl-C) the first time `test` holds."""

    def check(progress: BundleProgress) -> None:
        if test(progress):
            raise KeyboardInterrupt

    return check
