"""The box's side of an agent's socket, driven by a raw WebSocket: an agent that never
acknowledges, one that goes away mid-command, and the URLs commands carry."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from edge.panelagents import lesson_path
from edge.web._keys import PANEL_AGENTS
from tests._box import Box
from tests._panels import Clock, box_on, open_socket, pair_by_hand, panel_settings


@pytest.fixture
async def box(tmp_path: Path) -> AsyncIterator[Box]:
    async with box_on(panel_settings(tmp_path, command_timeout_seconds=0.5), Clock()) as running:
        yield running


def _panel(box: Box, command: str) -> str:
    return f"/rooms/{box.school['room']}/panel/{command}"


async def test_an_agent_that_never_acks_times_out_and_leaves_nothing_behind(box: Box) -> None:
    paired = await pair_by_hand(box)
    async with aiohttp.ClientSession() as http:
        socket = await open_socket(http, box, paired.token)
        started = asyncio.get_running_loop().time()
        status, answer = await box.call("POST", _panel(box, "next"), "teach")
        assert status == 504 and answer["error"] == "agent_timeout"
        assert asyncio.get_running_loop().time() - started < 2
        command = await socket.receive_json(timeout=1)
        assert command["type"] == "command" and command["command"] == "next"
        link = box.client.app[PANEL_AGENTS].links_in_room(box.school["room"])[0]
        assert link.in_flight == 0
        await socket.send_json({"type": "ack", "id": command["id"], "ok": True})  # too late
        await socket.close()


async def test_an_agent_gone_mid_command_fails_it_at_once(box: Box) -> None:
    paired = await pair_by_hand(box)
    async with aiohttp.ClientSession() as http:
        socket = await open_socket(http, box, paired.token)
        sent = asyncio.create_task(box.call("POST", _panel(box, "blank"), "admin"))
        assert (await socket.receive_json(timeout=1))["command"] == "blank"
        await socket.close()
        status, answer = await sent
    assert status == 502 and answer["error"] == "agent_failed"


def test_lesson_paths_quote_entry_ids() -> None:
    assert lesson_path("hub/maths/7", "unit 1/index.html") == (
        "/lessons/hub%2Fmaths%2F7/unit%201/index.html"
    )
