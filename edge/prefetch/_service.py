"""Prefetch on the running box's schedule (APScheduler): a round at start, then every
`refresh_minutes`; after a failure, exponential backoff with full jitter."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from content_cache import BlobStore, CatalogIndex, Fetcher, FetchError
from edge.db import Database
from edge.hubsync import NotEnrolledError, backoff_ceiling
from edge.prefetch._round import ContentBusy, ContentRound, content_round, fetch_rules
from edge.prefetch._status import read_content_status, write_progress, write_round_status
from edge.settings import Settings

JOB = "content-prefetch"
PROGRESS_SECONDS = 1.0
_log = logging.getLogger(__name__)


class ContentService:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        catalog: CatalogIndex,
        blobs: BlobStore,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._db, self._conf, self._catalog, self._blobs = db, settings, catalog, blobs
        self._clock = clock
        self.fetcher = Fetcher(
            blobs, fetch_rules(settings), lambda: clock().astimezone(settings.tz)
        )
        self._scheduler = AsyncIOScheduler(timezone=UTC, job_defaults={"coalesce": True})
        self._lock = asyncio.Lock()
        self._failures = 0
        self._jobs: set[asyncio.Task[Any]] = set()

    @property
    def failures(self) -> int:
        return self._failures

    def start(self) -> None:
        self._scheduler.start()
        self._plan(0.0)

    async def stop(self) -> None:
        """Stop scheduling and cancel a round in progress (its partials are resumed later)."""
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
            await asyncio.sleep(0)
        for job in self._jobs:
            job.cancel()
        await asyncio.gather(*self._jobs, return_exceptions=True)

    def status(self) -> dict[str, Any]:
        """What `GET /api/v1/content/status` shows (reads SQLite: call it in a thread)."""
        now = self._clock().timestamp()
        status = read_content_status(self._conf, self._catalog, self._blobs, now)
        status["progress"] = self.fetcher.progress.to_json()
        status["running"] = self._lock.locked()
        return status

    async def run_now(self) -> ContentRound:
        """One round now, after any round already running."""
        async with self._lock:
            try:
                async with self._progress_written():
                    found = await content_round(
                        self._db, self._conf, self._catalog, self.fetcher, self._blobs, self._clock
                    )
            except (FetchError, ContentBusy, NotEnrolledError, OSError) as err:
                await asyncio.to_thread(write_round_status, self._conf, error=str(err))
                raise
            await asyncio.to_thread(write_round_status, self._conf, refused=found.refused)
            return found

    async def _scheduled(self) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._jobs.add(task)
        try:
            await self._scheduled_round()
        finally:
            self._jobs.discard(task)

    async def _scheduled_round(self) -> None:
        try:
            found = await self.run_now()
        except NotEnrolledError:
            self._plan(self._conf.content.refresh_minutes * 60)
        except (FetchError, ContentBusy, OSError) as err:
            self._failures += 1
            conf = self._conf.content
            ceiling = backoff_ceiling(
                self._failures, conf.backoff_min_seconds, conf.backoff_max_seconds
            )
            wait = random.uniform(0, ceiling)
            _log.warning("content prefetch failed, next round in %.0f s: %s", wait, err)
            self._plan(wait)
        else:
            self._failures = 0
            progress = found.progress
            _log.info(
                "content prefetch: catalog at %s, %d wanted, %d fetched, %d failed",
                found.refresh.head.version if found.refresh else "(refused)",
                found.wanted,
                progress.items_done,
                progress.items_failed,
            )
            self._plan(self._conf.content.refresh_minutes * 60)

    def _plan(self, seconds: float) -> None:
        if self._scheduler.running:
            when = datetime.now(UTC) + timedelta(seconds=seconds)
            self._scheduler.add_job(
                self._scheduled, "date", run_date=when, id=JOB, replace_existing=True
            )

    @contextlib.asynccontextmanager
    async def _progress_written(self) -> AsyncIterator[None]:
        """Progress in the status file every second, and once more at the end. The writer is
        stopped between writes, never cancelled in one: a write cancelled on the loop goes on
        in its thread, and two writes at once would race for the file."""
        stop = asyncio.Event()

        async def keep_writing() -> None:
            while not stop.is_set():
                await asyncio.to_thread(write_progress, self._conf, self.fetcher.progress)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), PROGRESS_SECONDS)

        writer = asyncio.create_task(keep_writing(), name="content-progress")
        try:
            yield
        finally:
            stop.set()
            await writer
            await asyncio.to_thread(write_progress, self._conf, self.fetcher.progress)
