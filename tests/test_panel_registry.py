"""A room's panel on the running box: registered through the API, driven over its LAN port
(a byte-exact LG simulator on loopback), and switched by the timetable."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from devices.simulators import LgSimulator, TcpLink
from edge.db import Database
from edge.panels import PanelSchedule, ScheduleRules
from edge.panels._schedule import PREFIX
from edge.web._keys import DB, PANELS, SETTINGS
from tests._box import NOW, TODAY, Box, box_settings, make_app, start_box
from tests._school import seed_school


@pytest.fixture
async def panel() -> AsyncIterator[LgSimulator]:
    async with LgSimulator(TcpLink(), transition_seconds=0.05) as simulator:
        yield simulator


@pytest.fixture
async def box(aiohttp_client: Any, tmp_path: Path) -> Box:
    settings = box_settings(tmp_path).replace(
        "panels", transition_seconds=0.1, answer_timeout_seconds=0.5, schedule_enabled=False
    )
    return await start_box(await aiohttp_client(make_app(settings)))


async def register(box: Box, panel: LgSimulator) -> None:
    body = {"room": "Room 12", "protocol": "lg", "address": panel.address}
    status, answer = await box.call("POST", "/panels", "admin", body)
    assert status == 201, answer


async def test_an_admin_registers_and_drives_a_panel(box: Box, panel: LgSimulator) -> None:
    await register(box, panel)
    room = box.school["room"]
    status, state = await box.call("POST", f"/rooms/{room}/panel/power", "admin", {"on": True})
    assert status == 200 and state["power"] == "on" and panel.power == "on"
    status, state = await box.call("POST", f"/rooms/{room}/panel/input", "admin", {"name": "hdmi2"})
    assert status == 200 and panel.input == "hdmi2"
    status, _ = await box.call("POST", f"/rooms/{room}/panel/volume", "admin", {"level": 35})
    assert status == 200 and panel.volume == 35
    status, _ = await box.call("POST", f"/rooms/{room}/panel/mute", "admin", {"muted": True})
    assert status == 200 and panel.muted
    status, state = await box.call("GET", f"/rooms/{room}/panel/status", "teach")
    assert status == 200 and state["power"] == "on"
    status, listed = await box.call("GET", "/panels", "teach")
    assert [p["room_name"] for p in listed["panels"]] == ["Room 12"]


async def test_a_second_panel_in_a_room_and_a_bad_address_are_refused(
    box: Box, panel: LgSimulator
) -> None:
    await register(box, panel)
    again = {"room": "Room 12", "protocol": "samsung", "address": "tcp://127.0.0.1:1515"}
    status, answer = await box.call("POST", "/panels", "admin", again)
    assert status == 400 and "has a panel already" in answer["detail"]
    status, answer = await box.call(
        "POST", "/panels", "admin", {"room": "Gym", "protocol": "lg", "address": "tcp://x:1"}
    )
    assert status == 404 and "no room 'Gym'" in answer["detail"]


async def test_a_silent_panel_is_a_clear_timeout(box: Box, panel: LgSimulator) -> None:
    await register(box, panel)
    panel.replies.silent = True
    status, answer = await box.call(
        "POST", f"/rooms/{box.school['room']}/panel/power", "admin", {"on": True}
    )
    assert status == 504 and "did not answer" in answer["detail"]
    assert "Room 12" in answer["detail"] and panel.address in answer["detail"]


async def test_only_the_teacher_of_the_lesson_under_way_drives_it(
    box: Box, panel: LgSimulator
) -> None:
    await register(box, panel)
    path = f"/rooms/{box.school['room']}/panel/power"
    status, _ = await box.call("POST", path, "teach", {"on": True})
    assert status == 403  # 08:30: her lesson starts at 09:00


async def test_removing_a_panel(box: Box, panel: LgSimulator) -> None:
    await register(box, panel)
    status, _ = await box.call("DELETE", "/panels/Room 12", "admin")
    assert status == 204
    status, answer = await box.call("GET", f"/rooms/{box.school['room']}/panel/status", "admin")
    assert status == 404 and "has no panel" in answer["detail"]


async def test_the_schedule_switches_by_the_timetable_and_honours_holidays(
    box: Box, panel: LgSimulator
) -> None:
    await register(box, panel)
    app = box.client.app
    schedule = app[PANELS].schedule
    await schedule.rebuild()
    room = box.school["room"]
    steps = [(s.room_id, s.on) for s in schedule.steps if s.at.date() == TODAY]
    assert steps == [(room, True), (room, False)]
    first, last = schedule.steps[0], schedule.steps[1]
    assert last.at - first.at == timedelta(hours=3, minutes=20)  # 08:50 … 12:10
    assert all(job.startswith(PREFIX) for job in app[PANELS]._jobs.ids(PREFIX))
    await schedule._switcher(first)()
    assert panel.power == "on"
    await box.client.app[DB].write(
        lambda tx: tx.insert(
            "holidays",
            {
                "source_uid": "h1",
                "title": "Snow day",
                "first_date": TODAY.isoformat(),
                "last_date": (TODAY + timedelta(days=1)).isoformat(),
            },
        )
    )
    await schedule.rebuild()
    assert schedule.steps == [] and app[PANELS]._jobs.ids(PREFIX) == set()


async def test_an_idle_panel_with_no_lesson_is_blanked_once(box: Box) -> None:
    blanked: list[str] = []

    async def blank(room_id: str) -> None:
        blanked.append(room_id)

    idle = {"r1": 3600.0}
    service = box.client.app[PANELS]
    schedule = PanelSchedule(
        box.client.app[DB],
        service.control,
        service._jobs,
        ScheduleRules(idle=timedelta(minutes=15)),
        tz=box.client.app[PANELS].schedule._tz,
        clock=lambda: NOW,
        idle_rooms=lambda: idle,
        blank=blank,
    )
    await schedule.rebuild()
    await schedule.rebuild()
    assert blanked == ["r1"]
    idle["r1"] = 5.0  # someone touched it
    await schedule.rebuild()
    idle["r1"] = 3600.0
    await schedule.rebuild()
    assert blanked == ["r1", "r1"]


async def edge_cli(data_dir: Path, port: int, *argv: str) -> tuple[int, str]:
    """`edge --data-dir D ARGV…` in its own process (it runs its own event loop)."""
    env = {**os.environ, "EDGE_HTTP_PORT": str(port), "EDGE_HTTP_HOST": "127.0.0.1",
           "EDGE_PANELS_TRANSITION_SECONDS": "0.1"}  # fmt: skip
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "edge.cli", "--data-dir", str(data_dir), *argv,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, env=env,
    )  # fmt: skip
    out, _ = await process.communicate()
    return process.returncode or 0, out.decode()


async def test_the_cli_registers_and_drives_a_panel_with_the_box_stopped(
    tmp_path: Path, panel: LgSimulator, unused_tcp_port: int
) -> None:
    async with Database(box_settings(tmp_path).database_path) as db:
        await seed_school(db, TODAY)
    host_port = panel.address.split("//")[-1]
    code, out = await edge_cli(tmp_path, unused_tcp_port, "panels", "add", "Room 12",
                               "--protocol", "lg", "--tcp", host_port)  # fmt: skip
    assert code == 0, out
    code, out = await edge_cli(tmp_path, unused_tcp_port, "panels", "list")
    assert "Room 12" in out and host_port in out
    code, out = await edge_cli(tmp_path, unused_tcp_port, "panels", "power", "Room 12", "on")
    assert code == 0 and "power=on" in out, out
    assert panel.power == "on"
    code, out = await edge_cli(tmp_path, unused_tcp_port, "panels", "status", "Gym")
    assert code == 2 and "no room 'Gym'" in out


async def test_the_cli_goes_through_the_running_box(box: Box, panel: LgSimulator) -> None:
    await register(box, panel)
    data_dir = box.client.app[SETTINGS].box.data_dir
    port = box.client.port
    assert port is not None
    code, out = await edge_cli(data_dir, port, "panels", "input", "Room 12", "hdmi3")
    assert code == 2 and "refused to select input" in out  # an LG in standby says NG
    code, out = await edge_cli(data_dir, port, "panels", "power", "Room 12", "on")
    assert code == 0 and "power=on" in out, out
    code, out = await edge_cli(data_dir, port, "panels", "input", "Room 12", "hdmi3")
    assert code == 0 and "input=hdmi3" in out, out
    assert panel.input == "hdmi3"


async def test_a_panel_first_seen_during_lessons_is_switched_on_once(
    box: Box, panel: LgSimulator
) -> None:
    await register(box, panel)
    service = box.client.app[PANELS]
    during = NOW + timedelta(hours=1)  # 09:30, in the 09:00 lesson
    schedule = PanelSchedule(
        box.client.app[DB],
        service.control,
        service._jobs,
        ScheduleRules(),
        tz=service.schedule._tz,
        clock=lambda: during,
    )
    await schedule.rebuild()
    assert panel.power == "on"
    sent = len(panel.requests)
    await schedule.rebuild()
    assert len(panel.requests) == sent, "only a newcomer is switched on"
