"""When the box syncs (docs/sync-protocol.md §10): every interval while the hub answers; after a
failure, exponential backoff with full jitter, and while the hub is unreachable a cheap probe of
its /healthz that starts a round at once when it answers again."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from edge.db import Database
from edge.hubsync._enroll import HubUnreachableError, NotEnrolledError, SyncError, enrollment
from edge.hubsync._http import probe_hub
from edge.hubsync._round import RoundReport, sync_once
from edge.hubsync._status import ScheduleState
from edge.settings import Settings

Sync = Callable[[Database, Settings], Awaitable[RoundReport]]
Probe = Callable[[str], Awaitable[bool]]
SYNC_JOB, PROBE_JOB = "hub-sync", "hub-probe"
_log = logging.getLogger(__name__)


def backoff_ceiling(failures: int, minimum: float, maximum: float) -> float:
    """The longest wait after `failures` failed rounds in a row: min(maximum, minimum·2^(n-1));
    the wait itself is drawn uniformly below it (full jitter)."""
    return 0.0 if failures < 1 else min(maximum, minimum * 2.0 ** min(failures - 1, 64))


class SyncScheduler:
    """Sync rounds on APScheduler's asyncio scheduler, never two at once (see the module)."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        *,
        sync: Sync = sync_once,
        probe: Probe = probe_hub,
        rng: random.Random | None = None,
    ) -> None:
        self._db, self._conf, self._sync, self._probe = db, settings, sync, probe
        self._rng = rng or random.Random()
        # a round plans the next before APScheduler has seen it end; the lock serializes rounds
        defaults = {"misfire_grace_time": None, "coalesce": True, "max_instances": 2}
        self._scheduler = AsyncIOScheduler(timezone=UTC, job_defaults=defaults)
        self._lock = asyncio.Lock()
        self._jobs: set[asyncio.Task[Any]] = set()
        self._failures, self._backoff = 0, 0.0

    @property
    def state(self) -> ScheduleState:
        job = self._scheduler.get_job(SYNC_JOB) if self._scheduler.running else None
        when = None if job is None else job.next_run_time
        return ScheduleState(when, self._failures, self._backoff, self._lock.locked())

    def start(self) -> None:
        """Start on the running loop, with a round at once."""
        self._scheduler.start()
        self._plan(SYNC_JOB, 0.0)

    async def stop(self) -> None:
        """Stop scheduling; a round still running is cancelled (the next start resumes it)."""
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)  # on the next loop turn; cancels running jobs
            await asyncio.sleep(0)
            await asyncio.gather(*self._jobs, return_exceptions=True)

    async def run_now(self) -> RoundReport:
        """One round now, after any round already running; raises `SyncError` as `sync_once`."""
        async with self._lock:
            try:
                report = await self._sync(self._db, self._conf)
            except NotEnrolledError:
                _log.debug("not enrolled with a hub; looking again in an interval")
                self._succeeded(None)
                raise
            except Exception as err:
                self._failed(err)
                raise
            self._succeeded(report)
            return report

    def _succeeded(self, report: RoundReport | None) -> None:
        self._failures, self._backoff = 0, 0.0
        if report is not None:
            _log.info(
                "hub sync: pushed %d changes, pulled %d (%d conflicts); %d bytes sent, %d received",
                *(report.pushed.changes, report.pulled.entries, report.pulled.conflicts),
                *(report.bytes_sent, report.bytes_received),
            )
        self._plan(SYNC_JOB, self._conf.sync.interval_minutes * 60)
        if self._scheduler.running and self._scheduler.get_job(PROBE_JOB) is not None:
            self._scheduler.remove_job(PROBE_JOB)

    def _failed(self, err: Exception) -> None:
        conf = self._conf.sync
        self._failures += 1
        low, high = conf.backoff_min_seconds, conf.backoff_max_seconds
        self._backoff = backoff_ceiling(self._failures, low, high)
        wait = self._rng.uniform(0.0, self._backoff)
        _log.warning(
            "hub sync failed (%d in a row), next round in %.1f s: %s", self._failures, wait, err
        )
        self._plan(SYNC_JOB, wait)
        if isinstance(err, HubUnreachableError):  # a hub that answers but refuses: backoff only
            self._plan(PROBE_JOB, conf.probe_seconds)

    def _plan(self, job_id: str, seconds: float) -> None:
        """Run that job in `seconds`, replacing its earlier plan."""
        if self._scheduler.running:  # run_now also serves a box whose schedule is switched off
            job = self._scheduled_round if job_id == SYNC_JOB else self._probe_round
            when = datetime.now(UTC) + timedelta(seconds=seconds)
            self._scheduler.add_job(job, "date", run_date=when, id=job_id, replace_existing=True)

    async def _scheduled_round(self) -> None:
        with self._job("sync"):
            await self.run_now()  # which logs the outcome and plans the next round

    async def _probe_round(self) -> None:
        with self._job("probe"):
            who = await enrollment(self._db)
            if who is not None and await self._probe(who.hub_url):
                _log.info("the hub at %s answers again; syncing now", who.hub_url)
                self._plan(SYNC_JOB, 0.0)
            elif who is not None:
                self._plan(PROBE_JOB, self._conf.sync.probe_seconds)

    @contextlib.contextmanager
    def _job(self, name: str) -> Iterator[None]:
        """Known to `stop` while it runs; no exception escapes it."""
        task = asyncio.current_task()
        assert task is not None
        self._jobs.add(task)
        try:
            yield
        except SyncError:
            pass  # run_now logged it
        except asyncio.CancelledError:  # by `stop`: the task's end, not an error to report
            _log.info("the hub %s was cut short: the box is stopping", name)
        except Exception:
            _log.exception("the scheduled hub %s failed", name)
        finally:
            self._jobs.discard(task)
