"""Runs every configured reader and turns their taps into diary rows, one transaction each."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any

from devices import ReaderRunner, ReaderState, Tap, Timing, parse_address
from devices.readers import make_codec
from edge.db import Database, Row, StorageError
from edge.diary._live import LiveRegisters
from edge.metrics import Histogram
from edge.settings import Settings
from edge.taps._registry import list_readers
from edge.taps._resolve import TapResult, record_tap

_log = logging.getLogger(__name__)
STORE_RETRIES = (1.0, 2.0, 4.0, 8.0)
_CONFIG = ("protocol", "address", "baudrate", "location", "room_id", "direction", "options")


class ReaderService:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        live: LiveRegisters,
        clock: Callable[[], datetime],
        timing: Timing | None = None,
    ) -> None:
        self._db = db
        self._settings = settings
        self._live = live
        self._clock = clock
        base = settings.readers.backoff_seconds
        self._timing = timing or Timing(
            backoff=tuple(base * 2**step for step in range(5)),
            debounce=settings.readers.debounce_seconds,
        )
        self._readers: dict[str, Row] = {}
        self._runs: dict[str, asyncio.Task[None]] = {}
        self._storing: set[asyncio.Task[None]] = set()
        self._reloading: asyncio.Task[None] | None = None
        self.states: dict[str, ReaderState] = {}
        self.outcomes: Counter[str] = Counter()
        self.latency = Histogram()
        #: called after each tap is committed (tests and benchmarks watch these)
        self.on_result: list[Callable[[Tap, TapResult], None]] = []

    async def start(self) -> None:
        await self.reload()
        self._reloading = asyncio.create_task(self._reload_forever(), name="readers-reload")

    async def stop(self) -> None:
        tasks = [*self._runs.values(), *([self._reloading] if self._reloading else [])]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._runs.clear()
        if self._storing:  # taps already read are stored before the box stops
            await asyncio.gather(*self._storing, return_exceptions=True)

    async def reload(self) -> None:
        """Start readers added since the last look, stop removed or changed ones."""
        wanted = {row["id"]: row for row in await self._db.read(list_readers)}
        for reader_id in list(self._runs):
            row = wanted.get(reader_id)
            if row is None or _config(row) != _config(self._readers[reader_id]):
                self._runs.pop(reader_id).cancel()
                self.states.pop(reader_id, None)
        self._readers = wanted
        for reader_id, row in wanted.items():
            if reader_id not in self._runs:
                self._runs[reader_id] = asyncio.create_task(
                    self._runner(row).run(), name=f"reader {row['name']}"
                )

    def _runner(self, row: Row) -> ReaderRunner:
        transport = parse_address(row["address"], row["baudrate"])
        options: dict[str, Any] = json.loads(row["options"])
        return ReaderRunner(
            row["id"],
            transport,
            lambda: make_codec(row["protocol"], options),
            self._on_tap,
            self._on_state,
            self._timing,
            self._clock,
            row["name"],
        )

    async def _reload_forever(self) -> None:
        while True:
            await asyncio.sleep(self._settings.readers.reload_seconds)
            await self.reload()

    def _on_state(self, state: ReaderState) -> None:
        self.states[state.reader_id] = state

    def _on_tap(self, tap: Tap) -> None:
        task = asyncio.create_task(self._store(tap), name=f"tap {tap.card_uid}")
        self._storing.add(task)
        task.add_done_callback(self._storing.discard)

    async def _store(self, tap: Tap) -> None:
        reader = self._readers.get(tap.reader_id)
        if reader is None:
            return
        rules, tz = self._settings.attendance, self._settings.tz
        for delay in (*STORE_RETRIES, None):
            try:
                result = await self._db.write(
                    lambda tx: record_tap(tx, tap, reader, rules, tz),
                    actor=f"reader:{reader['name']}",
                )
                break
            except StorageError as err:
                if delay is None:
                    _log.error(
                        "tap %s on %s could not be stored: %s", tap.card_uid, reader["name"], err
                    )
                    return
                await asyncio.sleep(delay)
        self.latency.observe(time.monotonic() - tap.received)
        self.outcomes[result.outcome] += 1
        self._publish(tap, result)
        for listener in self.on_result:
            with contextlib.suppress(Exception):
                listener(tap, result)

    def _publish(self, tap: Tap, result: TapResult) -> None:
        if result.lesson_id and result.outcome in {"present", "late"}:
            self._live.publish(
                result.lesson_id,
                {
                    "student_id": result.person_id,
                    "status": result.outcome,
                    "source": "tap",
                    "at": tap.at.isoformat(timespec="milliseconds"),
                },
            )


def _config(row: Row) -> tuple[Any, ...]:
    return tuple(row[key] for key in _CONFIG)
