"""One connected agent as the hub sees it: its socket, the commands awaiting its ack, and the
latest idle time and health it reported."""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from edge.panelagents._commands import command_message
from edge.panelagents._errors import AgentFailed, AgentTimeout

#: WebSocket close codes the agent acts on
GOING_AWAY, REVOKED, REPLACED = 1001, 4001, 4002


class Socket(Protocol):
    async def send_str(self, data: str) -> None: ...

    async def close(self, *, code: int = ..., message: bytes = ...) -> bool: ...


@dataclass(frozen=True)
class Report:
    idle_seconds: float
    health: dict[str, Any]
    at: float  # on the hub's monotonic clock


class AgentLink:
    def __init__(
        self,
        agent_id: str,
        room_id: str | None,
        base_url: str,
        socket: Socket,
        clock: Callable[[], float],
    ) -> None:
        self.agent_id, self.room_id, self.base_url = agent_id, room_id, base_url
        self.connected_at = clock()
        self.report: Report | None = None
        self.hello: dict[str, Any] = {}
        self._socket = socket
        self._clock = clock
        self._pending: dict[str, asyncio.Future[dict[str, Any]]] = {}

    @property
    def in_flight(self) -> int:
        """Commands sent and not yet acknowledged, timed out or failed."""
        return len(self._pending)

    async def call(self, command: dict[str, Any], wait_seconds: float) -> dict[str, Any]:
        """Send `command` and wait for its ack; it ends after `wait_seconds`, come what may."""
        command_id = secrets.token_hex(8)
        message = command_message(command_id, command, self.base_url)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[command_id] = future
        try:
            async with asyncio.timeout(wait_seconds):
                await self._socket.send_str(json.dumps(message))
                ack = await future
        except TimeoutError:
            raise AgentTimeout(
                f"panel agent {self.agent_id} did not acknowledge {command['command']!r}"
                f" within {wait_seconds:g} s"
            ) from None
        except ConnectionError as err:
            raise AgentFailed(
                f"the connection to panel agent {self.agent_id} broke: {err}"
            ) from err
        finally:
            self._pending.pop(command_id, None)
        if ack.get("ok") is not True:
            raise AgentFailed(f"panel agent {self.agent_id}: {ack.get('error') or 'failed'}")
        result: dict[str, Any] = ack.get("result") or {}
        return result

    def received(self, message: dict[str, Any]) -> bool:
        """Take an ack, report or hello from the agent; False for anything else."""
        kind = message.get("type")
        if kind == "ack":
            future = self._pending.get(str(message.get("id")))
            if future is not None and not future.done():
                future.set_result(message)
            return True
        if kind == "report":
            health = message.get("health")
            idle = float(message.get("idle_seconds", 0.0))
            self.report = Report(idle, health if isinstance(health, dict) else {}, self._clock())
            return True
        if kind == "hello":
            self.hello = {k: v for k, v in message.items() if k != "type"}
            return True
        return False

    def gone(self) -> None:
        """The socket closed: every command in flight fails now rather than at its timeout."""
        for future in self._pending.values():
            if not future.done():
                future.set_exception(AgentFailed(f"panel agent {self.agent_id} disconnected"))

    def idle_seconds(self) -> float | None:
        """Idle time as last reported, plus the time since (no input reported meanwhile)."""
        if self.report is None:
            return None
        return self.report.idle_seconds + (self._clock() - self.report.at)

    async def close(self, code: int, reason: str) -> None:
        await self._socket.close(code=code, message=reason.encode())
