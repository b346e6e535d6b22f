"""The demo's classroom panel: a byte-exact LG simulator on loopback as the control port of the
first room with lessons from today on, and a headless panel agent paired with the box, which
receives the first sample lesson. The schedule then powers the panel by the timetable."""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass

from aiohttp import web

from devices.agent import AgentConfig, HeadlessDisplay, PanelAgent
from devices.simulators import LgSimulator, TcpLink
from edge.db import Tx
from edge.panelagents import PairingRules, PanelAgentError, confirm_pairing, lesson_path
from edge.panels import add_panel, list_panels, remove_panel
from edge.web._keys import CLOCK, DB, PANEL_AGENTS, PANELS, SETTINGS

DEMO_LESSON = ("mathematics/fractions-intro", "index.html")
_PIN = re.compile(r"Pairing PIN: (\d{3}) (\d{3})")
_log = logging.getLogger(__name__)
DEMO_TASKS: web.AppKey[list[asyncio.Task[None]]] = web.AppKey("demo_panel_tasks")


@dataclass(frozen=True)
class DemoRoom:
    id: str
    name: str


#: the room whose panel the demo simulates, for the banner (absent with no lessons ahead)
DEMO_PANEL_ROOM: web.AppKey[DemoRoom] = web.AppKey("demo_panel_room", DemoRoom)


async def demo_panel(app: web.Application) -> AsyncIterator[None]:
    """A cleanup context for the demo app (after the box's own); `stop_demo_panel` must be an
    on_shutdown handler of the same app."""
    transition = app[SETTINGS].panels.transition_seconds
    async with LgSimulator(TcpLink(), transition_seconds=transition) as simulator:
        today = app[CLOCK]().astimezone(app[SETTINGS].tz).date().isoformat()
        room = await app[DB].read(lambda conn: _first_room(conn, today))
        app[DEMO_TASKS] = []
        if room is not None:
            app[DEMO_PANEL_ROOM] = room
            await app[DB].write(lambda tx: _register(tx, room.name, simulator.address))
            agent = PanelAgent(_agent_config(app), HeadlessDisplay())
            app[DEMO_TASKS] = [
                # the schedule sees the new panel now, not at its next minute
                asyncio.create_task(app[PANELS].schedule.rebuild(), name="demo-panel-schedule"),
                asyncio.create_task(agent.run(), name="demo-panel-agent"),
                asyncio.create_task(_pair_and_show(app, agent, room), name="demo-panel-pair"),
            ]
        yield
        await stop_demo_panel(app)
        await app[PANELS].control.close()  # before the simulator goes: it waits for its client


async def stop_demo_panel(app: web.Application) -> None:
    """The agent goes first at shutdown, so it does not keep dialling a closing box."""
    for task in app.get(DEMO_TASKS, []):
        task.cancel()
    await asyncio.gather(*app.get(DEMO_TASKS, []), return_exceptions=True)


def _first_room(conn: sqlite3.Connection, day: str) -> DemoRoom | None:
    row = conn.execute(
        "SELECT r.id, r.name FROM lessons l JOIN rooms r ON r.id = l.room_id WHERE l.date >= ?"
        " AND l.deleted = 0 AND l.status = 'scheduled'"
        " ORDER BY l.date, l.start_time, r.name LIMIT 1",
        [day],
    ).fetchone()
    return None if row is None else DemoRoom(str(row["id"]), str(row["name"]))


def _register(tx: Tx, room: str, address: str) -> None:
    """The simulator's port is new at each start: the room's panel is registered afresh."""
    if any(row["room_name"] == room for row in list_panels(tx.conn)):
        remove_panel(tx, room)
    add_panel(tx, room=room, protocol="lg", address=address)


def _agent_config(app: web.Application) -> AgentConfig:
    settings = app[SETTINGS]
    return AgentConfig(
        box_url=f"http://127.0.0.1:{settings.http.port}",
        state_dir=settings.box.data_dir / "demo-panel-agent",
        name="Demo panel",
        headless=True,
    )


async def _pair_and_show(app: web.Application, agent: PanelAgent, room: DemoRoom) -> None:
    """Confirm the PIN the agent shows (as a teacher would), then send it a lesson."""
    display = agent.display
    assert isinstance(display, HeadlessDisplay)
    if agent.state.token is None:
        pin = await _shown_pin(display)
        conf = app[SETTINGS].panels
        rules = PairingRules(conf.pin_minutes, conf.pin_attempts, conf.lock_minutes)
        now = app[CLOCK]()
        await app[DB].write(
            lambda tx: confirm_pairing(tx, agent.state.agent_id, pin, room.id, "demo", now, rules)
        )
    await agent.connected.wait()
    url = lesson_path(*DEMO_LESSON)
    try:
        await app[PANEL_AGENTS].send_room(room.id, {"command": "show", "url": url})
        _log.info("demo panel of %s shows %s", room.name, url)
    except PanelAgentError as err:  # the demo goes on without it
        _log.warning("demo panel: could not show the lesson: %s", err)


async def _shown_pin(display: HeadlessDisplay) -> str:
    while True:
        for kind, text in reversed(display.events):
            found = _PIN.fullmatch(text) if kind == "text" else None
            if found:
                return found[1] + found[2]
        await asyncio.sleep(0.1)
