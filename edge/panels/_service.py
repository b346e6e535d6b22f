"""The panels on the running box: their drivers and their day, wired to the panel agents (whose
idle time blanks a panel, and who carry out the blanking)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from edge.db import Database
from edge.panelagents import AgentHub, PanelAgentError
from edge.panels._control import PanelControl, PanelTimings
from edge.panels._jobs import ApsJobs
from edge.panels._schedule import PanelSchedule, ScheduleRules
from edge.settings import Settings


class PanelService:
    def __init__(
        self, db: Database, settings: Settings, agents: AgentHub, clock: Callable[[], datetime]
    ) -> None:
        conf = settings.panels
        self.control = PanelControl(
            db, PanelTimings(conf.transition_seconds, conf.answer_timeout_seconds)
        )
        self._agents = agents
        self._jobs = ApsJobs()
        rules = ScheduleRules(
            lead=timedelta(minutes=conf.power_on_lead_minutes),
            lag=timedelta(minutes=conf.power_off_lag_minutes),
            idle=timedelta(minutes=conf.idle_blank_minutes),
        )
        self.schedule = PanelSchedule(
            db,
            self.control,
            self._jobs,
            rules,
            tz=settings.tz,
            clock=clock,
            idle_rooms=self._idle_rooms,
            blank=self._blank,
        )

    def start(self) -> None:
        self._jobs.start()
        self.schedule.start()

    async def stop(self) -> None:
        await self._jobs.stop()
        await self.control.close()

    def _idle_rooms(self) -> Mapping[str, float]:
        """Per room with a connected agent that reported, its least idle agent's seconds."""
        idle: dict[str, float] = {}
        for link in self._agents.all_links():
            seconds = link.idle_seconds()
            if link.room_id is not None and seconds is not None:
                idle[link.room_id] = min(seconds, idle.get(link.room_id, seconds))
        return idle

    async def _blank(self, room_id: str) -> None:
        # an agent that went away is not idle in front of anyone either
        with contextlib.suppress(PanelAgentError):
            await self._agents.send_room(room_id, {"command": "blank"})
