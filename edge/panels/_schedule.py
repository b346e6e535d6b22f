"""The panels' day (issue 6, item 6): each panel on `lead` before the first lesson in its room
and off `lag` after the last; a panel idle for `idle` with no lesson under way is blanked.

The plan is rebuilt every `rebuild_seconds` from the timetable, so an import, a cancelled
lesson or a holiday added takes effect without a restart; only future switches are planned,
and a panel first seen during its room's hours (at start, or just registered) is switched on."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from edge.db import Database
from edge.panels._control import PanelControl, PanelControlError
from edge.panels._jobs import Jobs
from edge.panels._plan import PowerStep, RoomDay, power_steps, wanted_power
from edge.panels._registry import list_panels
from edge.panels._timetable import room_days

PREFIX = "panel-power-"
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScheduleRules:
    lead: timedelta = timedelta(minutes=10)
    lag: timedelta = timedelta(minutes=10)
    idle: timedelta = timedelta(minutes=15)
    rebuild_seconds: float = 60.0


class PanelSchedule:
    def __init__(
        self,
        db: Database,
        control: PanelControl,
        jobs: Jobs,
        rules: ScheduleRules,
        *,
        tz: tzinfo,
        clock: Callable[[], datetime],
        idle_rooms: Callable[[], Mapping[str, float]] = dict,
        blank: Callable[[str], Awaitable[None]] | None = None,
    ) -> None:
        self._db, self._control, self._jobs, self._rules = db, control, jobs, rules
        self._tz, self._clock, self._idle_rooms, self._blank = tz, clock, idle_rooms, blank
        self.steps: list[PowerStep] = []
        self.errors: dict[str, str] = {}  # room id → the last switch that failed
        self._days: list[RoomDay] = []
        self._blanked: set[str] = set()
        self._known: set[str] = set()  # rooms whose panel an earlier rebuild already planned

    def start(self) -> None:
        self._jobs.every("panel-schedule", self._rules.rebuild_seconds, self.rebuild)

    async def rebuild(self) -> None:
        """Plan today's and tomorrow's switches of every registered panel; then blank idle ones."""
        now = self._clock()
        today = now.astimezone(self._tz).date()
        self._days = await self._db.read(
            lambda conn: _with_panels(conn, room_days(conn, today, today + timedelta(1), self._tz))
        )
        self.steps = power_steps(self._days, self._rules.lead, self._rules.lag)
        planned = {_job_id(step): step for step in self.steps if step.at > now}
        for stale in self._jobs.ids(PREFIX) - planned.keys():
            self._jobs.cancel(stale)
        for job_id, step in planned.items():
            self._jobs.at(job_id, step.at, self._switcher(step))
        await self._switch_on_newcomers(now)
        await self._blank_idle(now)

    async def _switch_on_newcomers(self, now: datetime) -> None:
        """A panel the schedule sees for the first time (the box started, or it was just
        registered) during its room's hours is switched on now: its on-switch has passed."""
        rooms = {day.room_id for day in self._days}
        for room_id, on in wanted_power(self.steps, now).items():
            if on and room_id not in self._known:
                await self._switcher(PowerStep(room_id, now, True))()
        self._known = rooms

    def _switcher(self, step: PowerStep) -> Callable[[], Awaitable[None]]:
        async def switch() -> None:
            try:
                await self._control.power(step.room_id, step.on)
                self.errors.pop(step.room_id, None)
                _log.info("panel schedule: room %s's panel %s", step.room_id, _switched(step))
            except PanelControlError as err:
                self.errors[step.room_id] = str(err)
                _log.warning("panel schedule: %s", err)

        return switch

    async def _blank_idle(self, now: datetime) -> None:
        if self._blank is None:
            return
        for room_id, idle_seconds in self._idle_rooms().items():
            if idle_seconds < self._rules.idle.total_seconds() or self._in_lesson(room_id, now):
                self._blanked.discard(room_id)
            elif room_id not in self._blanked:
                self._blanked.add(room_id)
                await self._blank(room_id)

    def _in_lesson(self, room_id: str, now: datetime) -> bool:
        return any(
            start <= now <= end
            for day in self._days
            if day.room_id == room_id
            for start, end in day.lessons
        )


def _with_panels(conn: sqlite3.Connection, days: list[RoomDay]) -> list[RoomDay]:
    rooms = {row["room_id"] for row in list_panels(conn)}
    return [day for day in days if day.room_id in rooms]


def _switched(step: PowerStep) -> str:
    return "switched on" if step.on else "switched off"


def _job_id(step: PowerStep) -> str:
    return f"{PREFIX}{step.room_id}-{step.at.isoformat()}-{'on' if step.on else 'off'}"
