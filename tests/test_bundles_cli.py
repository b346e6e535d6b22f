"""`edge-hub content export`, `edge content export` and `edge content import` on real stores:
a hub's bundle into an enrolled box, box to box, and what the commands say when they refuse."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from content_cache import BUNDLE_DIR
from content_cache._bundle_layout import blob_name
from edge.cli import main as edge
from edge.db import Database
from edge.prefetch import content_parts
from edge.prefetch._round import fetch_lock
from edge.settings import Settings
from sync.hub._cli import main as edge_hub
from tests._content_hub import ContentHub, content_hub
from tests._hub import enrolled_box

LESSON, SLIDES, MAP = b"<p>1/2</p>", b"%PDF lava", b"\x89PNG map"


@pytest.fixture
async def hub(tmp_path: Path) -> AsyncIterator[ContentHub]:
    async with content_hub(tmp_path / "hub") as running:
        running.publish("fractions", {"index.html": LESSON}, subject="mathematics", grades="7")
        running.publish("volcanoes", {"slides.pdf": SLIDES}, subject="geography", grades="8")
        running.publish("atlas", {"map.png": MAP}, subject="geography", grades="7")
        yield running


async def box(hub: ContentHub, data_dir: Path) -> Settings:
    async with enrolled_box(hub.hub, data_dir) as enrolled:
        return enrolled.settings


async def run(command: Callable[[list[str]], int], *argv: str | Path) -> int:
    """A command's exit code; in a thread, as `edge content import` runs its own event loop."""
    return await asyncio.to_thread(command, [str(arg) for arg in argv])


def holds(settings: Settings, data: bytes) -> bool:
    with content_parts(settings) as (_, store):
        return store.has(hashlib.sha256(data).hexdigest())


async def test_a_hub_bundle_brings_the_chosen_lessons_to_an_enrolled_box(
    hub: ContentHub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = await box(hub, tmp_path / "box")
    usb = tmp_path / "usb"
    code = await run(edge_hub, "--data-dir", hub.data_dir, "content", "export", usb,
                     "--subject", "geography", "--grade", "8")  # fmt: skip
    assert code == 0
    assert "exported catalog version 3 and 1 blobs of 1 entries" in capsys.readouterr().out
    assert await run(edge, "--data-dir", settings.box.data_dir, "content", "import", usb) == 0
    out, err = capsys.readouterr()
    assert "catalog version 0 → 3; 1 blobs imported" in out and "2 not in this box's" not in out
    assert "100%" in err and "1 of 1 files" in err
    assert holds(settings, SLIDES) and not holds(settings, LESSON)
    with content_parts(settings) as (catalog, _):
        assert catalog.held()[0] == 3 and catalog.count() == 3


async def test_one_box_carries_lessons_to_another(
    hub: ContentHub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = await box(hub, tmp_path / "first"), await box(hub, tmp_path / "second")
    await run(edge_hub, "--data-dir", hub.data_dir, "content", "export", tmp_path / "usb")
    assert (
        await run(edge, "--data-dir", first.box.data_dir, "content", "import", tmp_path / "usb")
        == 0
    )
    argv: list[str | Path] = ["content", "export", tmp_path / "usb2", "--items", "fractions,atlas"]
    assert await run(edge, "--data-dir", first.box.data_dir, *argv) == 0
    assert "and 2 blobs of 2 entries" in capsys.readouterr().out
    assert (
        await run(edge, "--data-dir", second.box.data_dir, "content", "import", tmp_path / "usb2")
        == 0
    )
    assert holds(second, LESSON) and holds(second, MAP) and not holds(second, SLIDES)
    argv = ["content", "export", tmp_path / "usb3"]  # the second box lacks the slides
    assert await run(edge, "--data-dir", second.box.data_dir, *argv) == 1
    assert "1 blobs are not on this box yet: left out" in capsys.readouterr().err


async def test_a_refused_blob_makes_the_import_exit_1_and_a_hostile_bundle_2(
    hub: ContentHub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = await box(hub, tmp_path / "box")
    usb = tmp_path / "usb"
    await run(edge_hub, "--data-dir", hub.data_dir, "content", "export", usb)
    blob = usb / BUNDLE_DIR / blob_name(hashlib.sha256(SLIDES).hexdigest())
    blob.write_bytes(b"%PDF evil")
    assert await run(edge, "--data-dir", settings.box.data_dir, "content", "import", usb) == 1
    out, err = capsys.readouterr()
    assert "2 blobs imported" in out and "1 refused" in out and "content hashes to" in err
    blob.unlink()
    blob.symlink_to("/etc/passwd")
    assert await run(edge, "--data-dir", settings.box.data_dir, "content", "import", usb) == 2
    assert "a symbolic link: refused" in capsys.readouterr().err
    with fetch_lock(settings):
        assert await run(edge, "--data-dir", settings.box.data_dir, "content", "import", usb) == 2
    assert "another process is fetching" in capsys.readouterr().err


async def test_a_box_that_cannot_verify_or_has_nothing_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings().replace("box", data_dir=tmp_path / "box")
    async with Database(settings.database_path):
        pass
    assert await run(edge, "--data-dir", settings.box.data_dir, "content", "import", tmp_path) == 2
    assert "not enrolled with a hub" in capsys.readouterr().err
    assert await run(edge, "--data-dir", settings.box.data_dir, "content", "export", tmp_path) == 2
    assert "holds no catalog yet" in capsys.readouterr().err
