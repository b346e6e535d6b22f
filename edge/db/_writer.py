"""The one writer thread: jobs from a queue, committed in groups.

Jobs that queue up while a commit is in flight share the next transaction (group commit), each
inside its own savepoint so a job that raises is rolled back alone. A job's future resolves only
after the COMMIT that made it durable.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_log = logging.getLogger(__name__)
MAX_GROUP = 128


@dataclass
class Job:
    fn: Callable[[sqlite3.Connection], Any]
    future: asyncio.Future[Any]
    tables: set[str]  # filled by fn with the tables it changed


OnCommit = Callable[[int, float, set[str]], None]


class WriterThread(threading.Thread):
    def __init__(self, conn: sqlite3.Connection, on_commit: OnCommit) -> None:
        super().__init__(name="edge-db-writer", daemon=True)
        self._conn = conn
        self._on_commit = on_commit
        self._jobs: queue.SimpleQueue[Job | None] = queue.SimpleQueue()

    def submit(self, job: Job) -> None:
        self._jobs.put(job)

    def stop(self) -> None:
        self._jobs.put(None)
        self.join()
        self._conn.close()

    def run(self) -> None:
        stopping = False
        while not stopping:
            first = self._jobs.get()
            if first is None:
                return
            group = [first]
            while len(group) < MAX_GROUP:
                try:
                    job = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    stopping = True
                    break
                group.append(job)
            self._run_group(group)

    def _run_group(self, group: list[Job]) -> None:
        started = time.perf_counter()
        outcomes: list[tuple[Any, BaseException | None]] = []
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            outcomes = [self._run_job(job) for job in group]
            self._conn.execute("COMMIT")
            changed = set().union(*(job.tables for job in group))
        except Exception as err:  # the writer thread must outlive any one group
            _log.error("commit failed, %d writes refused: %s", len(group), err)
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            outcomes = [(None, err)] * len(group)
            changed = set()
        # after COMMIT, before any caller hears back: a cache never outlives its data
        self._on_commit(len(group), time.perf_counter() - started, changed)
        _resolve_threadsafe(
            [(job.future, *outcome) for job, outcome in zip(group, outcomes, strict=True)]
        )

    def _run_job(self, job: Job) -> tuple[Any, BaseException | None]:
        self._conn.execute("SAVEPOINT job")
        try:
            result = job.fn(self._conn)
        except Exception as err:
            if not self._conn.in_transaction:
                raise  # it ended the whole transaction (a full disk does): the group fails
            self._conn.execute("ROLLBACK TO SAVEPOINT job")
            self._conn.execute("RELEASE SAVEPOINT job")
            return None, err
        self._conn.execute("RELEASE SAVEPOINT job")
        return result, None


Outcome = tuple[asyncio.Future[Any], Any, BaseException | None]


def _resolve_threadsafe(outcomes: list[Outcome]) -> None:
    """Deliver a whole group's results with one wake-up per event loop, not one per job."""
    by_loop: dict[asyncio.AbstractEventLoop, list[Outcome]] = {}
    for outcome in outcomes:
        by_loop.setdefault(outcome[0].get_loop(), []).append(outcome)
    for loop, batch in by_loop.items():
        try:
            loop.call_soon_threadsafe(_resolve, batch)
        except RuntimeError:
            _log.debug("event loop closed before %d write results could be delivered", len(batch))


def _resolve(batch: list[Outcome]) -> None:
    for future, result, error in batch:
        if future.cancelled():
            continue
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)
