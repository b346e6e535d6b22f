"""The box's registry of connected panel agents (agent id → its one WebSocket) and the command
API the rest of the box uses: `send` to one agent or `send_room` to a room's agents, each
answered by the agent's ack or a clear error (not connected, timed out, failed)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from edge.panelagents._errors import AgentNotConnected, PanelAgentError
from edge.panelagents._link import GOING_AWAY, REPLACED, REVOKED, AgentLink, Socket

_log = logging.getLogger(__name__)


class AgentHub:
    def __init__(self, *, timeout: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.timeout = timeout
        self._clock = clock
        self._links: dict[str, AgentLink] = {}

    async def attach(
        self, agent_id: str, room_id: str | None, base_url: str, socket: Socket
    ) -> AgentLink:
        """Register a new connection; an older one of the same agent is closed (one per agent)."""
        link = AgentLink(agent_id, room_id, base_url, socket, self._clock)
        older = self._links.get(agent_id)
        self._links[agent_id] = link
        if older is not None:
            older.gone()
            await older.close(REPLACED, "replaced by a newer connection")
        _log.info("panel agent %s connected (room %s)", agent_id, room_id)
        return link

    def detach(self, link: AgentLink) -> None:
        link.gone()
        if self._links.get(link.agent_id) is link:
            del self._links[link.agent_id]
            _log.info("panel agent %s disconnected", link.agent_id)

    def received(self, link: AgentLink, message: Any) -> None:
        try:
            understood = isinstance(message, dict) and link.received(message)
        except (TypeError, ValueError) as err:
            understood = False
            _log.warning("panel agent %s sent a malformed message: %s", link.agent_id, err)
        if not understood:
            _log.warning("panel agent %s sent a message the box ignores", link.agent_id)

    async def send(
        self, agent_id: str, command: dict[str, Any], wait_seconds: float | None = None
    ) -> dict[str, Any]:
        """The agent's ack result; AgentNotConnected, AgentTimeout or AgentFailed otherwise."""
        link = self._links.get(agent_id)
        if link is None:
            raise AgentNotConnected(f"panel agent {agent_id} is not connected")
        return await link.call(command, self.timeout if wait_seconds is None else wait_seconds)

    async def send_room(
        self, room_id: str, command: dict[str, Any], wait_seconds: float | None = None
    ) -> list[dict[str, Any]]:
        """Send to every connected agent of the room at once: one outcome per agent. Raises the
        first error when no agent carried the command out."""
        links = self.links_in_room(room_id)
        if not links:
            raise AgentNotConnected("no panel agent of this room is connected")
        outcomes = await asyncio.gather(
            *(self.send(link.agent_id, command, wait_seconds) for link in links),
            return_exceptions=True,
        )
        for outcome in outcomes:
            if isinstance(outcome, BaseException) and not isinstance(outcome, PanelAgentError):
                raise outcome
        if all(isinstance(outcome, PanelAgentError) for outcome in outcomes):
            raise next(o for o in outcomes if isinstance(o, PanelAgentError))
        return [_outcome(link.agent_id, o) for link, o in zip(links, outcomes, strict=True)]

    def all_links(self) -> list[AgentLink]:
        return list(self._links.values())

    def links_in_room(self, room_id: str) -> list[AgentLink]:
        return sorted(
            (link for link in self._links.values() if link.room_id == room_id),
            key=lambda link: link.agent_id,
        )

    def status(self, agent_id: str) -> dict[str, Any]:
        """Connected or not, idle seconds and health as last reported (for lists and rules)."""
        link = self._links.get(agent_id)
        if link is None:
            return {"connected": False, "idle_seconds": None, "health": None, "agent": None}
        report = link.report
        return {
            "connected": True,
            "connected_seconds": round(self._clock() - link.connected_at, 1),
            "idle_seconds": None if report is None else round(link.idle_seconds() or 0.0, 1),
            "health": None if report is None else report.health,
            "agent": link.hello or None,
        }

    def idle_seconds(self, agent_id: str) -> float | None:
        link = self._links.get(agent_id)
        return None if link is None else link.idle_seconds()

    async def disconnect(self, agent_id: str) -> bool:
        """Close a revoked agent's socket now; False when it was not connected."""
        link = self._links.pop(agent_id, None)
        if link is None:
            return False
        link.gone()
        await link.close(REVOKED, "revoked")
        return True

    async def close(self) -> None:
        """The box is stopping: every agent is told to come back later."""
        links = list(self._links.values())
        self._links.clear()
        for link in links:
            link.gone()
        await asyncio.gather(*(link.close(GOING_AWAY, "box restarting") for link in links))


def _outcome(agent_id: str, outcome: dict[str, Any] | BaseException) -> dict[str, Any]:
    if isinstance(outcome, PanelAgentError):
        return {"agent_id": agent_id, "ok": False, "error": outcome.code, "detail": str(outcome)}
    return {"agent_id": agent_id, "ok": True, "result": outcome}
