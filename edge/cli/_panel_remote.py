"""A panel command from the command line: through the running box's API when it answers, else
straight to the panel (see edge/cli/_panels.py)."""

from __future__ import annotations

import asyncio
import ipaddress
from datetime import timedelta
from typing import Any

import aiohttp

from devices.panels import PanelState
from edge.accounts import Sessions
from edge.cli._common import CliError, open_database
from edge.db import Database
from edge.panels import PanelConfigError, PanelControl, PanelControlError, PanelTimings
from edge.panels import panel_of_room as find_panel
from edge.service import SERVED_AT_FILE
from edge.settings import Settings

_BODY_FIELD = {"power": "on", "input": "name"}
_TIMEOUT = aiohttp.ClientTimeout(total=90)  # a power switch waits out the panel's transition


def send_to_panel(settings: Settings, room: str, what: str, value: Any) -> dict[str, Any]:
    """`what` is power (value: bool), input (value: a name) or status; the panel's state."""
    try:
        return asyncio.run(_send(settings, room, what, value))
    except (PanelConfigError, PanelControlError) as err:
        raise CliError(str(err)) from err


async def _send(settings: Settings, room: str, what: str, value: Any) -> dict[str, Any]:
    async with open_database(settings) as db:
        panel = await db.read(lambda conn: find_panel(conn, room))
        try:
            return await _through_box(db, settings, panel["room_id"], what, value)
        except aiohttp.ClientConnectionError:
            return await _directly(db, settings, panel["room_id"], what, value)


async def _through_box(
    db: Database, settings: Settings, room_id: str, what: str, value: Any
) -> dict[str, Any]:
    admin = await db.read(
        lambda conn: conn.execute(
            "SELECT id FROM users WHERE role = 'admin' AND disabled = 0 ORDER BY created_at"
        ).fetchone()
    )
    if admin is None:
        raise CliError("no admin account to act as: add one with `edge users add`")
    sessions = Sessions(db, timedelta(minutes=5))
    token, _ = await sessions.start(admin["id"])
    url = f"{_box_url(settings)}/api/v1/rooms/{room_id}/panel/{what}"
    headers = {"Authorization": f"Bearer {token}"}
    try:
        async with aiohttp.ClientSession(timeout=_TIMEOUT, headers=headers) as http:
            if what == "status":
                answer = await http.get(url)
            else:
                answer = await http.post(url, json={_BODY_FIELD[what]: value})
            body: dict[str, Any] = await answer.json(content_type=None)
    finally:
        await sessions.end(token)
    if answer.status != 200:
        raise CliError(f"the box answered {answer.status}: {body.get('detail', body)}")
    return body


async def _directly(
    db: Database, settings: Settings, room_id: str, what: str, value: Any
) -> dict[str, Any]:
    conf = settings.panels
    control = PanelControl(db, PanelTimings(conf.transition_seconds, conf.answer_timeout_seconds))
    try:
        if what == "power":
            state = await control.power(room_id, value)
        elif what == "input":
            state = await control.select_input(room_id, value)
        else:
            state = await control.state(room_id)
    finally:
        await control.close()
    return _as_json(state)


def _box_url(settings: Settings) -> str:
    """The running box's URL as it wrote it at start, else what the settings say."""
    try:
        return (settings.box.data_dir / SERVED_AT_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return f"http://{_reachable(settings.http.host)}:{settings.http.port}"


def _reachable(host: str) -> str:
    """Where this machine reaches the box: loopback when it listens on every address."""
    try:
        return "127.0.0.1" if ipaddress.ip_address(host).is_unspecified else host
    except ValueError:  # a host name
        return host


def _as_json(state: PanelState) -> dict[str, Any]:
    return {
        "power": state.power,
        "input": state.input,
        "volume": state.volume,
        "muted": state.muted,
    }
