"""Forged or broken USB bundles: a head or manifest that does not decode or agree, a log page
that is missing, tampered with, breaks the entry rules or is a zstd bomb — each refused whole
with an error naming the file, and the box's catalog and store left exactly as they were."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
import zstandard

from tests._bundles import edit_manifest, refused_whole, small_bundle

PAGE = "log/000000001-000000004.jsonl.zst"


def _edit_page(root: Path, change: Callable[[bytes], bytes]) -> None:
    text = zstandard.ZstdDecompressor().decompress((root / PAGE).read_bytes())
    (root / PAGE).write_bytes(zstandard.ZstdCompressor().compress(change(text)))


def _record_path(text: bytes) -> bytes:
    return text.replace(b'"path":"index.html"', b'"path":"../../etc/cron.d/x"', 1)


def _bomb(root: Path, *, sized: bool) -> None:
    """80 MB of zeros in a few KB; `sized`: the frame header states the size (as a page the
    writer makes does), which `decompress(max_output_size=…)` would believe."""
    compressor = zstandard.ZstdCompressor(level=1, write_content_size=sized)
    (root / PAGE).write_bytes(compressor.compress(bytes(80 << 20)))


SPOILERS: dict[str, tuple[Callable[[Path], object], str]] = {
    "garbage head.json": (
        lambda root: (root / "head.json").write_bytes(b"\xff{"),
        "head.json: not JSON",
    ),
    "a huge head.json": (
        lambda root: (root / "head.json").write_bytes(b" " * 5000),
        "head.json: larger",
    ),
    "a manifest nested deep": (
        lambda root: (root / "manifest.json").write_text("[" * 100_000),
        "manifest.json: nested too deeply",
    ),
    "a manifest of another version": (
        lambda root: edit_manifest(root, lambda m: m.update(version=2)),
        "manifest.json: log: the pages end at version 4, the head is at 2",
    ),
    "a manifest of another digest": (
        lambda root: edit_manifest(root, lambda m: m.update(digest="0" * 64)),
        "manifest.json and head.json name different catalog versions",
    ),
    "a page missing": (lambda root: (root / PAGE).unlink(), "listed in manifest.json but missing"),
    "a tampered record": (
        lambda root: _edit_page(root, lambda t: t.replace(b"volcanoes", b"volcanoez")),
        "log: does not verify against head.json: delta: digest at version 4",
    ),
    "a record breaking the rules": (
        lambda root: _edit_page(root, _record_path),
        re.escape(f"{PAGE}: files[0].path: '../../etc/cron.d/x' is not a normalized"),
    ),
    "a page of other versions": (
        lambda root: _edit_page(root, lambda t: b"\n".join(t.split(b"\n")[:2])),
        "does not hold exactly versions 1…4",
    ),
    "a zstd bomb": (lambda root: _bomb(root, sized=False), "decompresses past 67108864 bytes"),
    "a zstd bomb stating its size": (
        lambda root: _bomb(root, sized=True),
        "decompresses past 67108864 bytes",
    ),
}


@pytest.mark.parametrize("spoil", SPOILERS, ids=list(SPOILERS))
def test_a_forged_bundle_is_refused_whole(tmp_path: Path, spoil: str) -> None:
    root = small_bundle(tmp_path)
    change, message = SPOILERS[spoil]
    change(root)
    refused_whole(root, message, tmp_path / "box")
