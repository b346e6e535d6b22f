"""The small scheduling interface the panel schedule uses, and its APScheduler 3 implementation
(DESIGN.md "Discovery and schedule": APScheduler behind a protocol of our own)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler

Job = Callable[[], Awaitable[None]]


class Jobs(Protocol):
    def at(self, job_id: str, when: datetime, job: Job) -> None: ...
    def every(self, job_id: str, seconds: float, job: Job) -> None: ...
    def cancel(self, job_id: str) -> None: ...
    def ids(self, prefix: str) -> set[str]: ...


class ApsJobs:
    """Jobs on APScheduler's asyncio scheduler; a job id set again replaces the earlier one."""

    def __init__(self) -> None:
        defaults = {"misfire_grace_time": 300, "coalesce": True, "max_instances": 1}
        self._scheduler = AsyncIOScheduler(timezone=UTC, job_defaults=defaults)
        self._running: set[asyncio.Task[None]] = set()

    def start(self) -> None:
        self._scheduler.start()

    async def stop(self) -> None:
        """No more jobs; those under way (a switch waiting out a panel's transition) end now."""
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        for task in self._running:
            task.cancel()
        await asyncio.gather(*self._running, return_exceptions=True)

    def at(self, job_id: str, when: datetime, job: Job) -> None:
        self.cancel(job_id)  # before start, replace_existing would keep both
        self._scheduler.add_job(self._tracked(job), "date", run_date=when, id=job_id)

    def every(self, job_id: str, seconds: float, job: Job) -> None:
        self.cancel(job_id)
        now = datetime.now(UTC)
        self._scheduler.add_job(
            self._tracked(job), "interval", seconds=seconds, id=job_id, next_run_time=now
        )

    def _tracked(self, job: Job) -> Job:
        async def tracked() -> None:
            task = asyncio.current_task()
            assert task is not None
            self._running.add(task)
            try:
                await job()
            finally:
                self._running.discard(task)

        return tracked

    def cancel(self, job_id: str) -> None:
        while self._scheduler.get_job(job_id) is not None:
            self._scheduler.remove_job(job_id)

    def ids(self, prefix: str) -> set[str]:
        return {job.id for job in self._scheduler.get_jobs() if job.id.startswith(prefix)}
