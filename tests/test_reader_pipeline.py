"""Simulated readers, byte-exact, into a real box: the tap reaches the register live, and an
unplugged reader comes back by itself."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiohttp import ClientResponse

from devices.simulators import PtyLink, Rdm6300Simulator, TcpLink
from edge.web import create_app
from edge.web._keys import DB
from tests._box import Box, box_settings, start_box

DURING_LESSON = datetime(2026, 11, 23, 9, 2, tzinfo=UTC)  # 7A's lesson in Room 12 runs 09:00-10:00
SAMS_CARD, SAMS_UID = "0F002A1B3C", "0002759484"  # DEVICES.md's worked example
SUES_CARD, SUES_UID = "0F002A1B3D", "0002759485"


async def fast_box(aiohttp_client: Any, tmp_path: Path) -> Box:
    settings = box_settings(tmp_path).replace(
        "readers", backoff_seconds=0.05, reload_seconds=0.1, debounce_seconds=0.5
    )
    client = await aiohttp_client(create_app(settings, clock=lambda: DURING_LESSON))
    box = await start_box(client)
    for uid, person in ((SAMS_UID, "sam"), (SUES_UID, "sue")):
        status, _ = await box.call("PUT", f"/cards/{uid}", "admin", {"person": person})
        assert status == 200
    return box


async def add_reader(box: Box, address: str) -> str:
    body = {"name": "door-12", "protocol": "rdm6300", "address": address, "room": "Room 12"}
    status, reader = await box.call("POST", "/readers", "admin", body)
    assert status == 201, reader
    return str(reader["id"])


async def reader_available(box: Box, want: bool) -> None:
    listing: dict[str, Any] = {}
    try:
        async with asyncio.timeout(5):
            while not (listing.get("readers") and listing["readers"][0]["available"] is want):
                await asyncio.sleep(0.02)
                _, listing = await box.call("GET", "/readers", "admin")
    except TimeoutError:
        raise AssertionError(f"the reader never became available={want}: {listing}") from None


async def next_event(stream: ClientResponse) -> dict[str, Any]:
    async with asyncio.timeout(5):
        while True:
            line = (await stream.content.readline()).decode()
            if line.startswith("data: "):
                event: dict[str, Any] = json.loads(line[6:])
                return event


async def test_a_tap_reaches_the_open_register_live(aiohttp_client: Any, tmp_path: Path) -> None:
    box = await fast_box(aiohttp_client, tmp_path)
    async with Rdm6300Simulator(TcpLink()) as reader:
        await add_reader(box, reader.address)
        await reader_available(box, True)
        token = await box.login("teach")
        live = await box.client.get(
            f"/api/v1/lessons/{box.school['lesson']}/attendance/live",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert live.status == 200 and live.content_type == "text/event-stream"
        assert (await live.content.readline()).startswith(b": listening")
        reader.present(SAMS_CARD)
        event = await next_event(live)
        assert event["student_id"] == box.school["sam"] and event["status"] == "present"
        await asyncio.sleep(0.3)  # the reader keeps repeating the frame: still one tap
        live.close()
    rows = await box.client.app[DB].read(
        lambda c: c.execute("SELECT status, source FROM attendance").fetchall()
    )
    assert rows == [{"status": "present", "source": "tap"}]
    taps = await box.client.app[DB].read(
        lambda c: c.execute("SELECT card_uid FROM taps").fetchall()
    )
    assert taps == [{"card_uid": SAMS_UID}]


async def test_unplugged_serial_reader_comes_back_on_replug(
    aiohttp_client: Any, tmp_path: Path
) -> None:
    box = await fast_box(aiohttp_client, tmp_path)
    by_id = tmp_path / "usb-RDM6300-if00-port0"  # as udev's /dev/serial/by-id would name it
    async with Rdm6300Simulator(PtyLink(by_id)) as reader:
        await add_reader(box, str(by_id))
        await reader_available(box, True)
        await reader.unplug()
        await reader_available(box, False)
        await reader.replug()  # a new tty behind the same by-id path
        await reader_available(box, True)
        reader.present(SUES_CARD)
        for _ in range(100):
            rows = await box.client.app[DB].read(
                lambda c: c.execute("SELECT student_id FROM attendance").fetchall()
            )
            if rows:
                break
            await asyncio.sleep(0.02)
    assert rows == [{"student_id": box.school["sue"]}]


async def test_noise_and_a_removed_reader_make_no_taps(aiohttp_client: Any, tmp_path: Path) -> None:
    box = await fast_box(aiohttp_client, tmp_path)
    async with Rdm6300Simulator(TcpLink(), seed=7) as reader:
        reader_id = await add_reader(box, reader.address)
        await reader_available(box, True)
        for _ in range(20):
            reader.send_noise(500)
        await asyncio.sleep(0.2)
        status, _ = await box.call("DELETE", f"/readers/{reader_id}", "admin")
        assert status == 204
        reader.present(SAMS_CARD)
        await asyncio.sleep(0.3)
    taps = await box.client.app[DB].read(lambda c: c.execute("SELECT * FROM taps").fetchall())
    assert taps == []


async def test_only_the_lessons_staff_may_listen(box: Box) -> None:
    path = f"/lessons/{box.school['lesson']}/attendance/live"
    for who, status in (("other", 403), ("sam", 403), ("panel", 403), (None, 401)):
        got, _ = await box.call("GET", path, who)
        assert got == status, who
