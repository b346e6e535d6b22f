"""Prefetch on a running box: it refreshes the catalog from a real hub, plans by the timetable
and fetches, shows where it stands (API, CLI, /readyz, metrics), and refuses a forged catalog."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from edge.cli import main
from edge.web._keys import DB
from tests._box import Box, box_settings, make_app, start_box
from tests._content_hub import ContentHub, blocks, content_hub
from tests._hub import enrolled_box


@pytest.fixture
async def hub(tmp_path: Path) -> AsyncIterator[ContentHub]:
    async with content_hub(tmp_path / "hub") as running:
        yield running


async def content_box(aiohttp_client: Any, data_dir: Path, hub: ContentHub) -> Box:
    """A box enrolled with `hub`, serving the small school; its schedules off."""
    async with enrolled_box(hub.hub, data_dir):
        pass
    settings = box_settings(data_dir).replace("sync", enabled=False)
    settings = settings.replace("content", fetch_enabled=False, backoff_min_seconds=0.01)
    return await start_box(await aiohttp_client(make_app(settings)))


async def test_fetch_now_brings_tomorrows_lesson_and_status_shows_it(
    hub: ContentHub, aiohttp_client: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    slides = next(blocks(1, 96 * 1024))
    entry = hub.publish("fractions", {"slides.pdf": slides}, subject="history", grades="11")
    box = await content_box(aiohttp_client, tmp_path / "box", hub)
    status, answer = await box.call("POST", "/content/fetch", "admin")
    assert status == 200, answer
    assert answer["refresh"]["head"]["version"] == 1 and answer["catalog_refused"] == ""
    assert answer["wanted"] == 0  # history for grade 11: nobody here needs it yet
    path = f"/lessons/{box.school['tomorrow']}/materials/{entry.id}"
    status, attached = await box.call("PUT", path, "teach")
    assert status in (200, 201), attached
    status, answer = await box.call("POST", "/content/fetch", "admin")
    assert status == 200, answer
    assert answer["wanted"] == 1 and answer["progress"]["items_done"] == 1
    served = await box.client.get(f"/content/{entry.files[0].sha256}")
    assert served.status == 200 and await served.read() == slides
    status, found = await box.call("GET", "/content/status", "teach")
    assert status == 200 and found["catalog"]["version"] == 1
    assert found["store"]["blobs"] == 1 and found["store"]["pinned_bytes"] == len(slides)
    assert found["last_error"] == "" and found["last_success_at"]
    ready = await (await box.client.get("/readyz")).json()
    assert ready["content"]["catalog_version"] == 1 and not ready["content"]["catalog_refused"]
    metrics = await (await box.client.get("/metrics")).text()
    assert "edge_content_catalog_version 1" in metrics
    assert main(["--data-dir", str(tmp_path / "box"), "content", "status"]) == 0
    out = capsys.readouterr().out
    assert "catalog: version 1, 1 entries" in out and "1 of 1 blobs" in out


async def test_a_forged_catalog_is_refused_and_shown(
    hub: ContentHub, aiohttp_client: Any, tmp_path: Path
) -> None:
    hub.publish("fractions", {"a.html": b"<p>a</p>"})
    box = await content_box(aiohttp_client, tmp_path / "box", hub)
    forged = (
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
    await box.client.app[DB].write(
        lambda tx: tx.conn.execute(
            "UPDATE meta SET value = ? WHERE key = 'content_key'",
            [base64.b64encode(forged).decode()],
        )
    )
    status, answer = await box.call("POST", "/content/fetch", "admin")
    assert status == 200 and "bad signature" in answer["catalog_refused"]
    ready = await (await box.client.get("/readyz")).json()
    assert ready["ready"] and "bad signature" in ready["content"]["catalog_refused"]
    metrics = await (await box.client.get("/metrics")).text()
    assert "edge_content_catalog_refused 1" in metrics


async def test_an_unenrolled_box_says_so(aiohttp_client: Any, tmp_path: Path) -> None:
    settings = box_settings(tmp_path / "box").replace("content", fetch_enabled=False)
    box = await start_box(await aiohttp_client(make_app(settings)))
    status, answer = await box.call("POST", "/content/fetch", "admin")
    assert status == 409 and "not enrolled" in answer["detail"]
    status, answer = await box.call("POST", "/content/fetch", "teach")
    assert status == 403
