"""The README's panel walk-through against a real `edge demo`: its simulated LG panel is
switched by the timetable, and its paired agent shows a lesson and turns a page."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from edge.panels import PowerStep, wanted_power
from edge.settings import Settings
from tests._demo_box import MONDAY, demo_box, free_port

DEMO_LESSON_URL = "/lessons/mathematics%2Ffractions-intro/index.html"


def _call(base: str, path: str, token: str | None = None, body: Any = None) -> Any:
    request = urllib.request.Request(
        base + path,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}"} if token else {},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def _eventually(check: Callable[[], Any], timeout: float = 40) -> Any:
    deadline = time.monotonic() + timeout
    last: str | None = None
    while True:
        try:
            found = check()
        except urllib.error.HTTPError as err:  # 409 while the panel switches power
            found, last = None, str(err)
        if found:
            return found
        assert time.monotonic() < deadline, f"it never happened (last error: {last})"
        time.sleep(0.3)


def _agent_showing(base: str, token: str) -> dict[str, Any] | None:
    agents = _call(base, "/api/v1/panel-agents", token)["agents"]
    return next(
        (a for a in agents if a["connected"] and (a["health"] or {}).get("showing", "").endswith(
            DEMO_LESSON_URL)),
        None,
    )  # fmt: skip


def _wanted_power(plan: list[dict[str, Any]], room_id: str) -> str:
    steps = [
        PowerStep(s["room_id"], datetime.fromisoformat(s["at"]), s["on"])
        for s in plan
        if s["room_id"] == room_id
    ]
    tz = Settings().tz  # the demo's clock: today's time of day on the demo's Monday
    now = datetime.combine(date.fromisoformat(MONDAY), datetime.now(tz).timetz())
    return "on" if wanted_power(steps, now).get(room_id) else "standby"


def test_the_demo_panel_follows_the_timetable_and_shows_a_lesson(tmp_path: Path) -> None:
    with demo_box(tmp_path / "demo", free_port()) as base:
        login = {"username": "admin", "password": "demo-admin-pass"}
        token = _call(base, "/api/v1/login", body=login)["token"]
        agent = _eventually(lambda: _agent_showing(base, token))
        room_id = agent["room_id"]
        panels = _call(base, "/api/v1/panels", token)
        assert [p["protocol"] for p in panels["panels"]] == ["lg"]
        assert {s["room_id"] for s in panels["schedule"]} == {room_id}
        expected = _wanted_power(panels["schedule"], room_id)
        status = f"/api/v1/rooms/{room_id}/panel/status"
        _eventually(lambda: _call(base, status, token)["power"] == expected)
        turned = _call(base, f"/api/v1/rooms/{room_id}/panel/next", token, body={})
        assert [a["ok"] for a in turned["agents"]] == [True]
