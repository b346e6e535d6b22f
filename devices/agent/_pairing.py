"""Pairing from the agent's side: ask the box for a PIN, show it, poll until a teacher or admin
has confirmed it (then keep the device token), ask again when it expired or was locked."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp

from devices.agent._config import AgentConfig
from devices.agent._display import Display
from devices.agent._state import AgentState

API = "/api/v1/panel-agents"
_log = logging.getLogger(__name__)


class PairingRefused(RuntimeError):
    """The box answered the pairing request with something the agent cannot go on from."""


async def pair(
    http: aiohttp.ClientSession, box: str, state: AgentState, config: AgentConfig, display: Display
) -> str:
    """Until paired: returns the device token, already saved in `state`."""
    while True:
        offer = await _request(http, box, state, config, display)
        if offer is None:
            continue
        pin = offer["pin"]
        _log.warning("pairing PIN %s %s: confirm it on the box for this room", pin[:3], pin[3:])
        await display.show_text("Pairing PIN", f"{pin[:3]} {pin[3:]}")
        token = await _poll(http, box, state, offer["claim"], display)
        if token is not None:
            state.paired(token)
            await display.show_text("Paired", config.name)
            return token


async def _request(
    http: aiohttp.ClientSession, box: str, state: AgentState, config: AgentConfig, display: Display
) -> dict[str, Any] | None:
    body = {"agent_id": state.agent_id, "name": config.name, "room_hint": config.room_hint}
    async with http.post(f"{box}{API}/pair", json=body) as answer:
        found: dict[str, Any] = await answer.json(content_type=None)
        if answer.status == 201:
            return found
        if answer.status == 429:
            wait = float(answer.headers.get("Retry-After", "60"))
            await _wait(display, f"pairing locked: trying again in {wait:.0f} s", wait)
            return None
    raise PairingRefused(f"the box refused to pair: {answer.status} {found.get('detail')}")


async def _poll(
    http: aiohttp.ClientSession, box: str, state: AgentState, claim: str, display: Display
) -> str | None:
    """The token once confirmed; None when a new PIN is needed (expired, locked, unknown)."""
    body = {"agent_id": state.agent_id, "claim": claim}
    while True:
        async with http.post(f"{box}{API}/pair/status", json=body) as answer:
            found: dict[str, Any] = await answer.json(content_type=None)
        if answer.status in {404, 410}:
            return None
        if answer.status != 200:
            raise PairingRefused(f"the box refused: {answer.status} {found.get('detail')}")
        if found["state"] == "paired":
            return str(found["token"])
        if found["state"] == "locked":
            wait = float(found["retry_after"])
            await _wait(display, f"wrong PIN too often: new PIN in {wait:.0f} s", wait)
            return None
        await asyncio.sleep(float(found.get("poll_seconds", 2.0)))


async def _wait(display: Display, text: str, seconds: float) -> None:
    _log.warning("%s", text)
    await display.show_text("Pairing", text)
    await asyncio.sleep(seconds)
