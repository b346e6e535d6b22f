"""Panel-agent test helpers: a box on a real loopback port (restartable on the same port), a
headless agent running against it, pairing through the API, and a raw agent socket."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp.test_utils import TestClient, TestServer

from devices.agent import AgentConfig, Display, HeadlessDisplay, PanelAgent
from edge.settings import Settings
from edge.web import create_app
from edge.web._keys import DB
from tests._box import TODAY, Box, box_settings
from tests._school import School, seed_school

#: during Ms Teach's 09:00 lesson (7A) in Room 12
IN_TEACH_LESSON = datetime(2026, 11, 23, 9, 15, tzinfo=UTC)
_PIN = re.compile(r"Pairing PIN: (\d{3}) (\d{3})")


class Clock:
    def __init__(self, now: datetime = IN_TEACH_LESSON) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def panel_settings(data_dir: Path, **panels: Any) -> Settings:
    fast = {"pair_poll_seconds": 0.05, "report_seconds": 0.2} | panels
    return box_settings(data_dir).replace("panels", **fast)


@contextlib.asynccontextmanager
async def box_on(
    settings: Settings, clock: Clock, school: School | None = None, port: int = 0
) -> AsyncIterator[Box]:
    """A box serving on 127.0.0.1 (`port`, or a free one); the school is seeded once."""
    server = TestServer(create_app(settings, clock=clock), host="127.0.0.1", port=port or None)
    client: TestClient[Any, Any] = TestClient(server)
    await client.start_server()
    try:
        yield Box(client, school or await seed_school(client.app[DB], TODAY))
    finally:
        await client.close()


def url_of(box: Box) -> str:
    return str(box.client.make_url("")).rstrip("/")


def agent_config(box_url: str, state_dir: Path, **values: Any) -> AgentConfig:
    fast = {"backoff_min_seconds": 0.1, "backoff_max_seconds": 0.5, "heartbeat_seconds": 5.0}
    return AgentConfig(
        box_url=box_url, state_dir=state_dir, name="Room 12 panel", headless=True, **fast | values
    )


@contextlib.asynccontextmanager
async def running_agent(
    config: AgentConfig, display: Display | None = None
) -> AsyncIterator[PanelAgent]:
    """The agent running as a task (headless unless given another display) until the exit."""
    agent = PanelAgent(config, display or HeadlessDisplay())
    task = asyncio.create_task(agent.run(), name=f"agent-{config.name}")
    try:
        yield agent
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def display_of(agent: PanelAgent) -> HeadlessDisplay:
    assert isinstance(agent.display, HeadlessDisplay)
    return agent.display


async def shown_pin(agent: PanelAgent, after: int = 0, seconds: float = 5.0) -> str:
    """The newest PIN the agent shows, among the display events from index `after` on."""
    async with asyncio.timeout(seconds):
        while True:
            for kind, text in reversed(display_of(agent).events[after:]):
                found = _PIN.fullmatch(text) if kind == "text" else None
                if found:
                    return found[1] + found[2]
            await asyncio.sleep(0.01)


async def confirm(box: Box, agent_id: str, pin: str, who: str = "admin") -> tuple[int, Any]:
    body = {"pin": pin, "room": box.school["room"]}
    return await box.call("POST", f"/panel-agents/pairings/{agent_id}/confirm", who, body)


async def pair_and_connect(box: Box, agent: PanelAgent, who: str = "admin") -> None:
    status, answer = await confirm(box, agent.state.agent_id, await shown_pin(agent), who)
    assert status == 200, answer
    await asyncio.wait_for(agent.connected.wait(), 10)


@dataclass
class Paired:
    agent_id: str
    token: str


async def pair_by_hand(box: Box, agent_id: str = "agent-raw-0001") -> Paired:
    """Pairing through the API alone, as an agent would do it, without one."""
    request = {"agent_id": agent_id, "name": "raw", "room_hint": "Room 12"}
    status, offer = await box.call("POST", "/panel-agents/pair", None, request)
    assert status == 201, offer
    assert (await confirm(box, agent_id, offer["pin"]))[0] == 200
    poll = {"agent_id": agent_id, "claim": offer["claim"]}
    status, answer = await box.call("POST", "/panel-agents/pair/status", None, poll)
    assert status == 200 and answer["state"] == "paired", answer
    return Paired(agent_id, answer["token"])


async def open_socket(
    http: aiohttp.ClientSession, box: Box, token: str
) -> aiohttp.ClientWebSocketResponse:
    url = f"{url_of(box)}/api/v1/panel-agents/ws"
    socket = await http.ws_connect(url, headers={"Authorization": f"Bearer {token}"})
    welcome = await socket.receive_json(timeout=5)
    assert welcome["type"] == "welcome", welcome
    return socket
