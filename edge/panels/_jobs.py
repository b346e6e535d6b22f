"""The small scheduling interface the panel schedule uses, and its APScheduler 3 implementation
(DESIGN.md "Discovery and schedule": APScheduler behind a protocol of our own)."""

from __future__ import annotations

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

    def start(self) -> None:
        self._scheduler.start()

    def stop(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    def at(self, job_id: str, when: datetime, job: Job) -> None:
        self.cancel(job_id)  # before start, replace_existing would keep both
        self._scheduler.add_job(job, "date", run_date=when, id=job_id)

    def every(self, job_id: str, seconds: float, job: Job) -> None:
        self.cancel(job_id)
        now = datetime.now(UTC)
        self._scheduler.add_job(job, "interval", seconds=seconds, id=job_id, next_run_time=now)

    def cancel(self, job_id: str) -> None:
        while self._scheduler.get_job(job_id) is not None:
            self._scheduler.remove_job(job_id)

    def ids(self, prefix: str) -> set[str]:
        return {job.id for job in self._scheduler.get_jobs() if job.id.startswith(prefix)}
