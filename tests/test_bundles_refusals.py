"""Bundles refused in part: a blob of the wrong size (never read), of the wrong content or
missing is reported and not stored while the rest come in; a head signed by another key is
refused whole; an expired head leaves the catalog as it is but not the blobs it names."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import BinaryIO

import pytest

from content_cache import SignedHead, sign_head
from content_cache._bundle_layout import blob_name, open_regular
from tests._bundles import Source, bundle, open_box, refused_whole
from tests.test_catalog import NOW, OTHER_KEY, PUBLIC, head_for

LESSON, SLIDES, RIVER = b"<p>1/2</p>", b"%PDF lava", b"%PDF water"


@pytest.fixture
def hub(tmp_path: Path) -> Source:
    source = Source(tmp_path / "hub")
    source.publish("fractions", {"index.html": LESSON})
    source.publish("volcanoes", {"slides.pdf": SLIDES}, subject="geography")
    source.publish("rivers", {"river.pdf": RIVER}, subject="geography")
    return source


def _blob(usb: Path, data: bytes) -> Path:
    return bundle(usb) / blob_name(hashlib.sha256(data).hexdigest())


def test_an_oversized_blob_is_refused_without_being_read(
    hub: Source, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hub.export(tmp_path / "usb")
    oversized = _blob(tmp_path / "usb", SLIDES)
    os.truncate(oversized, 1 << 30)  # sparse: a gigabyte that costs nothing on disk
    opened: list[Path] = []

    def spy(path: Path) -> BinaryIO:
        opened.append(path)
        return open_regular(path)

    monkeypatch.setattr("content_cache._bundle_import.open_regular", spy)
    with open_box(tmp_path / "box") as box:
        report = box.import_(tmp_path / "usb")
        assert report.refused == [
            f"{blob_name(oversized.name)}: 1073741824 bytes, the catalog says 9: refused"
        ]
        assert oversized not in opened and len(opened) == 2
        assert box.holds(LESSON) and box.holds(RIVER) and not box.holds(SLIDES)


def test_a_blob_of_the_wrong_content_or_missing_is_refused_and_the_rest_come_in(
    hub: Source, tmp_path: Path
) -> None:
    hub.export(tmp_path / "usb")
    _blob(tmp_path / "usb", SLIDES).write_bytes(b"%PDF evil")  # the same size
    _blob(tmp_path / "usb", RIVER).unlink()
    with open_box(tmp_path / "box") as box:
        report = box.import_(tmp_path / "usb")
        assert report.copied == 1 and box.holds(LESSON)
        refused = "\n".join(report.refused)
        assert len(report.refused) == 2 and "content hashes to" in refused
        assert "missing, the catalog says 10: refused" in refused
        assert box.store.usage().count == 1 and box.store.check() == []
        assert not list((tmp_path / "box" / "content" / "tmp").iterdir())


def test_a_head_signed_by_another_key_is_refused_whole(hub: Source, tmp_path: Path) -> None:
    hub.export(tmp_path / "usb")
    head = bundle(tmp_path / "usb") / "head.json"
    signed = SignedHead.from_json(json.loads(head.read_bytes()))
    head.write_text(json.dumps(sign_head(signed.head, OTHER_KEY).to_json()))
    refused_whole(bundle(tmp_path / "usb"), r"head\.json: bad signature", tmp_path / "box")


def test_an_expired_head_leaves_the_catalog_but_brings_what_it_already_names(
    hub: Source, tmp_path: Path
) -> None:
    hub.export(tmp_path / "usb", expires=NOW)  # frozen: it expires as the box checks it
    with open_box(tmp_path / "fresh") as box:
        report = box.import_(tmp_path / "usb")
        assert "expired" in report.catalog_refused and report.version_after == 0
        assert report.unwanted == 3 and box.unchanged()
    with open_box(tmp_path / "behind") as box:
        box.index.apply(head_for(hub.records[:2]), hub.records[:2], PUBLIC, NOW)
        report = box.import_(tmp_path / "usb")
        assert "expired" in report.catalog_refused and report.version_after == 2
        assert (report.copied, report.unwanted) == (2, 1)
        assert box.holds(SLIDES) and not box.holds(RIVER)
