"""The sync schedule: backoff with full jitter, the probe while the hub is away, the interval
while it answers, and never two rounds at once. A fake `sync` stands in for the hub."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from edge.db import Database, Tx
from edge.hubsync import (
    HubUnreachableError,
    NotEnrolledError,
    RoundReport,
    SyncError,
    SyncScheduler,
    backoff_ceiling,
)
from edge.settings import Settings

#: timers fire on the loop's clock, the plans are made with the wall clock: allow for both
SLACK = 0.02


class Ceiling(random.Random):
    """Full jitter that always draws its ceiling, so the waits are known."""

    def uniform(self, a: float, b: float) -> float:
        return b


class FakeSync:
    """Fails with `errors` in turn, then succeeds; notes when it was called and any overlap."""

    def __init__(self, *errors: Exception, seconds: float = 0.0) -> None:
        self.errors = list(errors)
        self.seconds = seconds
        self.calls: list[float] = []
        self.active = self.most_active = 0

    async def __call__(self, db: Database, settings: Settings) -> RoundReport:
        self.calls.append(time.monotonic())
        self.active += 1
        self.most_active = max(self.most_active, self.active)
        try:
            await asyncio.sleep(self.seconds)
            if self.errors:
                raise self.errors.pop(0)
            return RoundReport()
        finally:
            self.active -= 1

    def gaps(self) -> list[float]:
        return [later - earlier for earlier, later in zip(self.calls, self.calls[1:], strict=False)]


class FakeProbe:
    def __init__(self, *answers: bool) -> None:
        self.answers = list(answers)
        self.urls: list[str] = []

    async def __call__(self, hub_url: str) -> bool:
        self.urls.append(hub_url)
        return self.answers.pop(0) if self.answers else False


def fast(**sync: Any) -> Settings:
    values = {
        "interval_minutes": 1.0,
        "backoff_min_seconds": 0.05,
        "backoff_max_seconds": 0.2,
        "probe_seconds": 0.05,
    }
    return Settings().replace("sync", **(values | sync))


async def pretend_enrolled(db: Database) -> None:
    """What `edge enroll` leaves in `meta`: the probe needs the hub's address."""
    values = {"hub_url": "http://hub.test", "box_id": "b", "school_id": "s", "key_id": "k"}

    def write(tx: Tx) -> None:
        tx.conn.executemany(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
            [*values.items(), ("content_key", "c")],
        )

    await db.write(write)


@contextlib.asynccontextmanager
async def running(scheduler: SyncScheduler) -> AsyncIterator[SyncScheduler]:
    scheduler.start()
    try:
        yield scheduler
    finally:
        await scheduler.stop()


async def until(condition: Any, seconds: float = 1.5) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.005)


def seconds_to_next(scheduler: SyncScheduler) -> float:
    next_run = scheduler.state.next_run
    assert next_run is not None
    return (next_run - datetime.now(UTC)).total_seconds()


def test_backoff_doubles_from_the_minimum_up_to_the_maximum() -> None:
    ceilings = [backoff_ceiling(n, 10.0, 600.0) for n in range(9)]
    assert ceilings == [0.0, 10.0, 20.0, 40.0, 80.0, 160.0, 320.0, 600.0, 600.0]
    assert backoff_ceiling(100_000, 10.0, 600.0) == 600.0, "no overflow after days offline"
    assert backoff_ceiling(1, 0.05, 0.2) == 0.05


async def test_failures_back_off_longer_each_time_then_a_success_resets(db: Database) -> None:
    await pretend_enrolled(db)
    sync = FakeSync(HubUnreachableError("down"), HubUnreachableError("down"))
    probe = FakeProbe()
    scheduler = SyncScheduler(db, fast(), sync=sync, probe=probe, rng=Ceiling())
    async with running(scheduler):
        await until(lambda: len(sync.calls) == 3 and not scheduler.state.running)
        first, second = sync.gaps()
        assert first >= 0.05 - SLACK and second >= 0.1 - SLACK and second > first
        assert (scheduler.state.failures, scheduler.state.backoff_seconds) == (0, 0.0)
        assert 59 < seconds_to_next(scheduler) <= 60, "after a success: the interval"
        assert probe.urls and set(probe.urls) == {"http://hub.test"}
        probed = len(probe.urls)
        await asyncio.sleep(0.15)
        assert len(probe.urls) == probed, "no probing while the hub answers"


async def test_the_wait_is_drawn_uniformly_below_the_ceiling(db: Database) -> None:
    settings = fast(backoff_min_seconds=100.0, backoff_max_seconds=100.0)
    sync = FakeSync(SyncError("refused"))
    scheduler = SyncScheduler(db, settings, sync=sync, rng=random.Random(7))
    async with running(scheduler):
        await until(lambda: scheduler.state.failures == 1 and scheduler.state.next_run is not None)
        assert scheduler.state.backoff_seconds == 100.0
        drawn = random.Random(7).uniform(0.0, 100.0)
        assert abs(seconds_to_next(scheduler) - drawn) < 1.0


async def test_a_probe_that_answers_starts_a_round_at_once(db: Database) -> None:
    await pretend_enrolled(db)
    sync = FakeSync(HubUnreachableError("down"))
    probe = FakeProbe(False, True)
    settings = fast(backoff_min_seconds=30.0, backoff_max_seconds=30.0)
    scheduler = SyncScheduler(db, settings, sync=sync, probe=probe, rng=Ceiling())
    async with running(scheduler):
        await until(lambda: len(sync.calls) == 2)
        assert len(probe.urls) == 2, "the first probe found the hub away, the second answered"
        assert sync.gaps()[0] < 1.0, "not the 30 s backoff"
        await until(lambda: scheduler.state.failures == 0 and not scheduler.state.running)


async def test_a_hub_that_refuses_is_not_probed_only_backed_off(db: Database) -> None:
    await pretend_enrolled(db)
    sync, probe = FakeSync(SyncError("the hub refused the batch: 401")), FakeProbe(True)
    settings = fast(backoff_min_seconds=30.0, backoff_max_seconds=30.0)
    scheduler = SyncScheduler(db, settings, sync=sync, probe=probe, rng=Ceiling())
    async with running(scheduler):
        await until(lambda: scheduler.state.failures == 1 and scheduler.state.next_run is not None)
        await asyncio.sleep(0.15)
        assert probe.urls == [] and len(sync.calls) == 1
        assert 29 < seconds_to_next(scheduler) <= 30


async def test_run_now_and_scheduled_rounds_never_overlap(db: Database) -> None:
    sync = FakeSync(seconds=0.05)
    scheduler = SyncScheduler(db, fast(), sync=sync)
    async with running(scheduler):  # which plans a round at once
        reports = await asyncio.gather(scheduler.run_now(), scheduler.run_now())
        assert all(isinstance(report, RoundReport) for report in reports)
        await until(lambda: len(sync.calls) == 3 and not scheduler.state.running)
    assert sync.most_active == 1
    assert all(gap >= 0.05 - SLACK for gap in sync.gaps())


async def test_a_box_enrolled_later_starts_syncing(db: Database) -> None:
    sync = FakeSync(NotEnrolledError("not enrolled"), NotEnrolledError("not enrolled"))
    probe = FakeProbe()
    scheduler = SyncScheduler(db, fast(interval_minutes=0.05 / 60), sync=sync, probe=probe)
    async with running(scheduler):
        await until(lambda: len(sync.calls) == 3 and not scheduler.state.running)
        assert scheduler.state.failures == 0 and probe.urls == []
        assert all(gap >= 0.05 - SLACK for gap in sync.gaps()), "looked again each interval"


async def test_an_unexpected_error_is_logged_and_the_schedule_goes_on(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    sync = FakeSync(ValueError("a bug"))
    scheduler = SyncScheduler(db, fast(), sync=sync, rng=Ceiling())
    with caplog.at_level(logging.INFO, logger="edge.hubsync"):
        async with running(scheduler):
            await until(lambda: len(sync.calls) == 2 and not scheduler.state.running)
    messages = [(r.levelname, r.getMessage()) for r in caplog.records]
    assert ("WARNING", "hub sync failed (1 in a row), next round in 0.1 s: a bug") in messages
    assert any(r.exc_info for r in caplog.records), "with its traceback"
    assert messages[-1][0] == "INFO" and messages[-1][1].startswith("hub sync: pushed 0 changes")


async def test_run_now_without_a_schedule_raises_and_counts_the_failure(db: Database) -> None:
    scheduler = SyncScheduler(db, fast(), sync=FakeSync(HubUnreachableError("down")))
    with pytest.raises(HubUnreachableError, match="down"):
        await scheduler.run_now()
    state = scheduler.state
    assert (state.next_run, state.failures, state.backoff_seconds) == (None, 1, 0.05)
    assert isinstance(await scheduler.run_now(), RoundReport) and scheduler.state.failures == 0
    await scheduler.stop()  # never started: nothing to do


async def test_stop_cuts_a_long_round_short_quietly(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    sync = FakeSync(seconds=30.0)
    scheduler = SyncScheduler(db, fast(), sync=sync)
    scheduler.start()
    await until(lambda: sync.active == 1)
    started = time.monotonic()
    with caplog.at_level(logging.INFO):
        await scheduler.stop()
    assert time.monotonic() - started < 0.5 and sync.active == 0
    assert "the hub sync was cut short: the box is stopping" in caplog.messages
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], "not an error"
