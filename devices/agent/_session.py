"""One WebSocket session with the box: the box says `welcome`, sends `command`s, each answered
by an `ack` with the same id; the agent sends `hello` first and a `report` (idle seconds and
health) every `report_seconds` the box asked for."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from devices.agent._display import Display, DisplayError

SOCKET_PATH = "/api/v1/panel-agents/ws"
REVOKED = 4001  # the box's close code for a revoked agent
VERSION = "1"


class Unauthorized(RuntimeError):
    """The box no longer accepts this agent's token: pair again."""


@dataclass
class Health:
    started_at: float = field(default_factory=time.monotonic)
    last_error: str = ""

    def of(self, display: Display) -> dict[str, Any]:
        uptime = round(time.monotonic() - self.started_at, 1)
        return display.health() | {"uptime_seconds": uptime, "last_error": self.last_error}


async def run_session(
    http: aiohttp.ClientSession,
    box: str,
    token: str,
    display: Display,
    *,
    health: Health,
    heartbeat: float,
    on_welcome: Callable[[dict[str, Any]], None],
) -> int | None:
    """Serve commands until the socket closes; its close code (Unauthorized when revoked)."""
    headers = {"Authorization": f"Bearer {token}"}
    try:
        socket = await http.ws_connect(box + SOCKET_PATH, headers=headers, heartbeat=heartbeat)
    except aiohttp.WSServerHandshakeError as err:
        if err.status in {401, 403}:
            raise Unauthorized(f"the box refused this agent's token ({err.status})") from err
        raise
    reporter: asyncio.Task[None] | None = None
    async with socket:
        await socket.send_json({"type": "hello", "version": VERSION, **health.of(display)})
        try:
            async for message in socket:
                if message.type is not aiohttp.WSMsgType.TEXT:
                    continue
                data = json.loads(message.data)
                if data.get("type") == "welcome":
                    on_welcome(data)
                    every = float(data.get("report_seconds", 15.0))
                    reporter = asyncio.create_task(_report_forever(socket, display, health, every))
                elif data.get("type") == "command":
                    await socket.send_json(await perform(display, data, health))
        finally:
            if reporter is not None:
                reporter.cancel()
                with contextlib.suppress(asyncio.CancelledError, ConnectionError):
                    await reporter
    if socket.close_code == REVOKED:
        raise Unauthorized("the box revoked this agent")
    return socket.close_code


async def perform(display: Display, message: dict[str, Any], health: Health) -> dict[str, Any]:
    """Carry out one command; the ack says how it went (a failure never ends the session)."""
    ack = {"type": "ack", "id": message.get("id")}
    try:
        result = await _carry_out(display, message, health)
    except Exception as err:  # the ack is where any failure is reported
        health.last_error = f"{message.get('command')}: {err}"
        return ack | {"ok": False, "error": str(err) or type(err).__name__}
    return ack | {"ok": True, "result": result}


async def _carry_out(display: Display, message: dict[str, Any], health: Health) -> dict[str, Any]:
    name = message.get("command")
    if name == "show":
        await display.show(str(message["url"]))
        return {"url": message["url"]}
    if name in {"next", "previous"}:
        await display.press(str(name))
        return {}
    if name == "blank":
        await display.blank()
        return {"blanked": True}
    if name == "unblank":
        await display.unblank()
        return {"blanked": False}
    if name == "health":
        return health.of(display) | {"idle_seconds": round(display.idle_seconds(), 1)}
    raise DisplayError(f"unknown command {name!r}")


async def _report_forever(
    socket: aiohttp.ClientWebSocketResponse, display: Display, health: Health, every: float
) -> None:
    while True:
        idle = round(display.idle_seconds(), 1)
        await socket.send_json(
            {"type": "report", "idle_seconds": idle, "health": health.of(display)}
        )
        await asyncio.sleep(every)
