"""The teacher's remote: commands reach a real headless agent over its WebSocket and come back
acknowledged; who may send them; not connected, never acknowledged, gone mid-command."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from content_cache import BLOBS
from devices.agent import PanelAgent
from edge.web._keys import PANEL_AGENTS
from tests._box import Box
from tests._panels import (
    Clock,
    agent_config,
    box_on,
    display_of,
    pair_and_connect,
    panel_settings,
    running_agent,
    url_of,
)
from tests.test_catalog import SHA, entry
from tests.test_content_serve import publish


@pytest.fixture
async def clock() -> Clock:
    return Clock()


@pytest.fixture
async def box(tmp_path: Path, clock: Clock) -> AsyncIterator[Box]:
    async with box_on(panel_settings(tmp_path, command_timeout_seconds=0.5), clock) as running:
        yield running


@pytest.fixture
async def agent(box: Box, tmp_path: Path) -> AsyncIterator[PanelAgent]:
    async with running_agent(agent_config(url_of(box), tmp_path / "agent")) as running:
        await pair_and_connect(box, running)
        yield running


def _panel(box: Box, command: str) -> str:
    return f"/rooms/{box.school['room']}/panel/{command}"


async def test_a_lesson_shown_and_paged_through(box: Box, agent: PanelAgent) -> None:
    lesson = entry(1)
    await publish(box.client, [lesson])
    body = {"entry_id": lesson.id, "path": lesson.files[0].path}
    status, answer = await box.call("POST", _panel(box, "show"), "teach", body)
    assert status == 200, answer
    url = f"{url_of(box)}/lessons/{lesson.id}/{lesson.files[0].path}"
    assert answer["agents"] == [
        {"agent_id": agent.state.agent_id, "ok": True, "result": {"url": url}}
    ]
    for command in ("next", "previous", "blank", "unblank"):
        status, answer = await box.call("POST", _panel(box, command), "teach")
        assert status == 200 and answer["agents"][0]["ok"], answer
    assert display_of(agent).events[-5:] == [
        ("show", url),
        ("key", "next"),
        ("key", "previous"),
        ("blank", ""),
        ("unblank", ""),
    ]
    await asyncio.to_thread(box.client.app[BLOBS].put_bytes, b"index.html", SHA)
    async with box.client.get(url.removeprefix(url_of(box))) as served:
        assert served.status == 200 and await served.read() == b"index.html", "the box serves it"


async def test_show_refuses_what_it_cannot_open(box: Box, agent: PanelAgent) -> None:
    for body, status in (
        ({"entry_id": "no-such-lesson"}, 422),
        ({"url": "file:///etc/passwd"}, 422),
        ({"url": "/x", "entry_id": "y"}, 422),
        ({}, 400),
    ):
        assert (await box.call("POST", _panel(box, "show"), "admin", body))[0] == status, body
    status, answer = await box.call("POST", _panel(box, "show"), "admin", {"url": "/content/ab"})
    assert status == 200 and answer["agents"][0]["result"]["url"] == f"{url_of(box)}/content/ab"


async def test_only_the_teacher_of_the_lesson_there_now_or_an_admin(
    box: Box, agent: PanelAgent, clock: Clock
) -> None:
    for who, status in (("teach", 200), ("other", 403), ("sam", 403), ("panel", 403)):
        assert (await box.call("POST", _panel(box, "next"), who))[0] == status, who
    assert (await box.call("POST", _panel(box, "next")))[0] == 401
    clock.now += timedelta(hours=1)  # 10:15: Mr Other's 7B lesson (Ms Teach also teaches 7B)
    for who, status in (("other", 200), ("sam", 403), ("admin", 200)):
        assert (await box.call("POST", _panel(box, "blank"), who))[0] == status, who
    clock.now += timedelta(hours=10)  # evening: no lesson, admins only
    assert (await box.call("POST", _panel(box, "unblank"), "other"))[0] == 403
    assert (await box.call("POST", _panel(box, "unblank"), "admin"))[0] == 200
    assert (await box.call("POST", "/rooms/no-such-room/panel/next", "admin"))[0] == 404


async def test_agents_list_shows_connection_idle_time_and_health(
    box: Box, agent: PanelAgent
) -> None:
    async with asyncio.timeout(5):
        while True:
            listed = (await box.call("GET", "/panel-agents", "teach"))[1]["agents"]
            if listed[0]["idle_seconds"] is not None:
                break
            await asyncio.sleep(0.05)
    row = listed[0]
    assert row["agent_id"] == agent.state.agent_id and row["connected"] is True
    assert row["room_id"] == box.school["room"] and row["health"]["mode"] == "headless"
    assert row["idle_seconds"] >= 0 and "uptime_seconds" in row["health"]
    hub = box.client.app[PANEL_AGENTS]
    assert hub.idle_seconds(agent.state.agent_id) is not None
    assert (await hub.send(agent.state.agent_id, {"command": "health"}))["mode"] == "headless"


async def test_no_agent_connected_is_a_clear_409(box: Box) -> None:
    status, answer = await box.call("POST", _panel(box, "next"), "teach")
    assert status == 409 and answer["error"] == "agent_not_connected"
