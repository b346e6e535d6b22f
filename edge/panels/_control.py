"""The box's drivers for its registered panels: opened on first use, reopened when the panel's
configuration changed, closed with the box. PanelError is translated here, once."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from devices.panels import Panel, PanelBusy, PanelError, PanelState, PanelTimeout, open_panel
from edge.db import Database, Row
from edge.panels._registry import panel_of_room

T = TypeVar("T")


class PanelControlError(Exception):
    """A panel command that failed: `kind` is busy (in a power transition), timeout (no
    answer), or failed (refused, link down); the message names the room and the link."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class PanelTimings:
    transition_seconds: float = 20.0
    timeout: float = 3.0


class PanelControl:
    def __init__(self, db: Database, timings: PanelTimings = PanelTimings()) -> None:
        self._db, self._timings = db, timings
        self._open: dict[str, tuple[str, Panel]] = {}  # panel id → (its config, its driver)
        self._opening = asyncio.Lock()

    async def state(self, room: str) -> PanelState:
        return await self._run(room, lambda panel: panel.state())

    async def power(self, room: str, on: bool) -> PanelState:
        return await self._run(room, lambda panel: panel.power(on))

    async def select_input(self, room: str, name: str) -> PanelState:
        return await self._run(room, lambda panel: panel.select_input(name))

    async def set_volume(self, room: str, level: int) -> PanelState:
        return await self._run(room, lambda panel: panel.set_volume(level))

    async def set_mute(self, room: str, muted: bool) -> PanelState:
        return await self._run(room, lambda panel: panel.set_mute(muted))

    async def close(self) -> None:
        drivers = [panel for _, panel in self._open.values()]
        self._open.clear()
        await asyncio.gather(*(panel.close() for panel in drivers), return_exceptions=True)

    async def _run(self, room: str, command: Callable[[Panel], Awaitable[T]]) -> T:
        row = await self._db.read(lambda conn: panel_of_room(conn, room))
        where = f"the panel of {row['room_name']} ({row['protocol']} at {row['address']})"
        try:
            return await command(await self._driver(row))
        except PanelBusy as err:
            raise PanelControlError("busy", f"{where} is switching power: {err}") from err
        except PanelTimeout as err:
            raise PanelControlError("timeout", f"{where} did not answer: {err}") from err
        except (PanelError, ValueError) as err:
            raise PanelControlError("failed", f"{where}: {err}") from err

    async def _driver(self, row: Row) -> Panel:
        config = json.dumps([row["protocol"], row["address"], row["options"]])
        async with self._opening:
            held = self._open.get(row["id"])
            if held is not None and held[0] == config:
                return held[1]
            if held is not None:
                await held[1].close()
            options = json.loads(row["options"])
            panel = await open_panel(
                row["protocol"],
                row["address"],
                transition_seconds=self._timings.transition_seconds,
                timeout=self._timings.timeout,
                **options,
            )
            self._open[row["id"]] = (config, panel)
            return panel
