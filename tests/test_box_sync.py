"""The box enrolls with a real hub on loopback and pushes its change log exactly once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from edge.cli import main
from edge.db import Database, Tx
from edge.hubsync import Enrollment, HubClient, PushReport, SyncError, enroll, enrollment, push
from edge.keys import ensure_box_keys
from edge.settings import Settings
from tests._hub import Hub, running_hub


@pytest.fixture
async def hub(tmp_path: Path) -> AsyncIterator[Hub]:
    async with running_hub(tmp_path / "hub") as found:
        yield found


@pytest.fixture
async def box(tmp_path: Path) -> AsyncIterator[tuple[Database, Settings]]:
    settings = Settings().replace("box", data_dir=tmp_path / "box")
    ensure_box_keys(settings.keys_dir)
    async with Database(settings.database_path) as db:
        yield db, settings


def rooms(count: int, start: int = 0) -> Callable[[Tx], None]:
    def write(tx: Tx) -> None:
        for n in range(start, start + count):
            tx.insert("rooms", {"name": f"Room {n}"})

    return write


async def pushed(db: Database, settings: Settings, who: Enrollment) -> PushReport:
    async with HubClient(db, settings, who, timeout=30) as client:
        return await push(db, client)


async def test_enroll_once_then_push_everything_once(
    hub: Hub, box: tuple[Database, Settings]
) -> None:
    db, settings = box
    token = hub.token()
    assert not token.startswith("-"), "a token is typed as a command-line argument"
    who = await enroll(db, settings, hub.url, token)
    assert who.school_id == "north" and (await enrollment(db)) == who
    with pytest.raises(SyncError, match="enrolled already"):
        await enroll(db, settings, hub.url, hub.token())
    await db.write(rooms(12_000))  # more than two batches
    report = await pushed(db, settings, who)
    assert (report.batches, report.changes, report.applied_through) == (3, 12_000, 12_000)
    assert hub.feed_size() == 12_000
    again = await pushed(db, settings, who)
    assert (again.batches, again.changes) == (0, 0), "nothing is sent twice"
    await db.write(rooms(1, start=12_000))
    assert (await pushed(db, settings, who)).changes == 1 and hub.feed_size() == 12_001


async def test_a_wrong_box_clock_is_corrected_from_the_hubs_date(
    hub: Hub, box: tuple[Database, Settings]
) -> None:
    db, settings = box
    who = await enroll(db, settings, hub.url, hub.token())
    await db.write(rooms(3))
    hub.clock_offset = 3 * 3600  # the box's clock is three hours slow
    report = await pushed(db, settings, who)
    assert report.changes == 3
    assert db.clock is not None and abs(db.clock.offset_ms - 3 * 3600 * 1000) < 5000


async def test_refusals_are_clear(hub: Hub, box: tuple[Database, Settings]) -> None:
    db, settings = box
    with pytest.raises(SyncError, match="the hub refused"):
        await enroll(db, settings, hub.url, "not-a-token")
    with pytest.raises(SyncError, match="cannot reach the hub"):
        await enroll(db, settings, "http://127.0.0.1:9", hub.token())
    assert await enrollment(db) is None


async def test_cli_enroll_sync_now_and_status(
    hub: Hub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = str(tmp_path / "clibox")
    assert await asyncio.to_thread(main, ["--data-dir", data, "init"]) == 0
    token = hub.token()
    assert await asyncio.to_thread(main, ["--data-dir", data, "enroll", hub.url, token]) == 0
    assert await asyncio.to_thread(main, ["--data-dir", data, "sync", "now"]) == 0
    assert await asyncio.to_thread(main, ["--data-dir", data, "sync", "status"]) == 0
    out = capsys.readouterr().out
    assert (
        "enrolled with" in out
        and "pushed 0 changes" in out
        and "pulled 0 changes" in out
        and "0 waiting" in out
    )
