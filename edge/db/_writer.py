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


class WriterThread(threading.Thread):
    def __init__(self, conn: sqlite3.Connection, on_commit: Callable[[int, float], None]) -> None:
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
        except sqlite3.Error as err:
            _log.error("commit failed, %d writes refused: %s", len(group), err)
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            outcomes = [(None, err)] * len(group)
        self._on_commit(len(group), time.perf_counter() - started)
        for job, (result, error) in zip(group, outcomes, strict=True):
            _resolve_threadsafe(job.future, result, error)

    def _run_job(self, job: Job) -> tuple[Any, BaseException | None]:
        self._conn.execute("SAVEPOINT job")
        try:
            result = job.fn(self._conn)
        except Exception as err:
            self._conn.execute("ROLLBACK TO SAVEPOINT job")
            self._conn.execute("RELEASE SAVEPOINT job")
            return None, err
        self._conn.execute("RELEASE SAVEPOINT job")
        return result, None


def _resolve_threadsafe(
    future: asyncio.Future[Any], result: Any, error: BaseException | None
) -> None:
    def resolve() -> None:
        if future.cancelled():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)

    try:
        future.get_loop().call_soon_threadsafe(resolve)
    except RuntimeError:
        _log.debug("event loop closed before a write result could be delivered")
