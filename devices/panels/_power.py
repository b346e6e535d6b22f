"""Sending a power command the way each panel needs it.

Power-on goes out up to `power_on_attempts` times, `retry_seconds` apart, until acknowledged: a
SMART waking from soft-off misses the first, a Samsung may not acknowledge at once. Power-off and
the silent Promethean sets go out once (the state read back after the transition tells). A
Samsung over LAN must be reconnected after power-on, no sooner than `lan_reconnect_seconds`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from devices.panels._connection import PanelConnection
from devices.panels._model import PanelCodec, PanelError, PanelTiming, Power, Reply

_log = logging.getLogger(__name__)


class PowerSequence:
    def __init__(
        self, name: str, codec: PanelCodec, connection: PanelConnection, timing: PanelTiming
    ) -> None:
        self._name = name
        self._codec = codec
        self._connection = connection
        self._timing = timing

    async def switch(self, on: bool) -> Reply:
        """The power the panel acknowledged (for a silent panel: the power asked for).

        Raises TimeoutError when no attempt was acknowledged, PanelError when the last refused.
        """
        wanted: Power = "on" if on else "standby"
        frame = self._codec.set_power(on)
        if self._codec.silent_sets:
            await self._connection.send(frame)
            return Reply("power", power=wanted)
        attempts = self._timing.power_on_attempts if on else 1
        for attempt in range(1, attempts):
            with contextlib.suppress(TimeoutError):
                reply = await self._attempt(frame, within=self._timing.retry_seconds)
                if reply.refused is None:
                    return Reply("power", power=reply.power or wanted)
                await asyncio.sleep(self._timing.retry_seconds)  # refused: let it settle first
            _log.info(
                "%s: power-on attempt %d of %d not acknowledged", self._name, attempt, attempts
            )
        reply = await self._attempt(frame, within=self._timing.timeout)
        if reply.refused is not None:
            raise PanelError(
                f"{self._name} refused to power {'on' if on else 'off'}: {reply.refused}"
            )
        return Reply("power", power=reply.power or wanted)

    def must_reconnect(self, on: bool) -> bool:
        return on and self._codec.reconnect_after_power_on and self._connection.is_tcp

    def quiet_seconds(self, on: bool) -> float:
        """How long the panel is left alone after the command."""
        if self.must_reconnect(on):
            return max(self._timing.transition_seconds, self._timing.lan_reconnect_seconds)
        return self._timing.transition_seconds

    async def _attempt(self, frame: bytes, *, within: float) -> Reply:
        await self._connection.send(frame)
        return await self._connection.reply("power", query=False, within=within)
