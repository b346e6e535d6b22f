"""`Database`: one writer thread, a pool of reader threads, migrations on open."""

from __future__ import annotations

import asyncio
import secrets
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sqlite_utils import Database as UtilsDatabase

from edge.db._connect import connect, dict_factory
from edge.db._schema import migrations
from edge.db._tx import Tx
from edge.db._writer import Job, WriterThread
from sync import HybridClock, Timestamp

T = TypeVar("T")


class StorageError(RuntimeError):
    """The database cannot be opened or cannot take a write (disk full, locked, read-only)."""


@dataclass
class WriteStats:
    commits: int = 0
    writes: int = 0
    commit_seconds: float = 0.0


class Database:
    """`await db.write(fn)` runs `fn(tx)` on the writer thread; `await db.read(fn)` on a reader."""

    def __init__(self, path: Path, *, reader_threads: int = 4, busy_timeout_ms: int = 5000) -> None:
        self.path = path
        self.stats = WriteStats()
        self.clock: HybridClock | None = None
        self._reader_threads = reader_threads
        self._busy_timeout_ms = busy_timeout_ms
        self._writer: WriterThread | None = None
        self._readers: ThreadPoolExecutor | None = None
        self._reader_conns: list[sqlite3.Connection] = []
        self._local = threading.local()
        self._lock = threading.Lock()
        self._versions: dict[str, int] = {}

    async def open(self) -> Database:
        try:
            conn, clock = await asyncio.to_thread(self._prepare)
        except sqlite3.Error as err:
            raise StorageError(f"cannot open {self.path}: {err}") from err
        self.clock = clock
        self._writer = WriterThread(conn, self._count_commit)
        self._writer.start()
        self._readers = ThreadPoolExecutor(self._reader_threads, thread_name_prefix="edge-db-read")
        return self

    async def close(self) -> None:
        if self._writer is not None:
            await asyncio.to_thread(self._writer.stop)
            self._writer = None
        if self._readers is not None:
            self._readers.shutdown(wait=True)
            self._readers = None
        with self._lock:
            for conn in self._reader_conns:
                conn.close()
            self._reader_conns.clear()

    async def __aenter__(self) -> Database:
        return await self.open()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def write(self, fn: Callable[[Tx], T], *, actor: str | None = None) -> T:
        """Run `fn` in a transaction on the writer thread; returns once it is committed."""
        if self._writer is None or self.clock is None:
            raise StorageError("database is not open")
        clock = self.clock
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        changed: set[str] = set()

        def run(conn: sqlite3.Connection) -> T:
            tx = Tx(conn, clock, actor)
            result = fn(tx)
            changed.update(tx.changed)
            return result

        self._writer.submit(Job(run, future, changed))
        try:
            return await future
        except sqlite3.OperationalError as err:  # full disk, locked by another process, I/O
            raise StorageError(f"the database could not take this write: {err}") from err

    def version(self, tables: tuple[str, ...]) -> int:
        """Grows whenever a commit changed one of `tables` (a cache key for data read from them)."""
        return sum(self._versions.get(table, 0) for table in tables)

    async def read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run `fn` with a read-only connection on a reader thread."""
        if self._readers is None:
            raise StorageError("database is not open")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._readers, self._read, fn)

    def _read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect(self.path, busy_timeout_ms=self._busy_timeout_ms, readonly=True)
            self._local.conn = conn
            with self._lock:
                self._reader_conns.append(conn)
        conn.execute("BEGIN")  # one snapshot for everything fn reads
        try:
            return fn(conn)
        finally:
            conn.execute("COMMIT")

    def _prepare(self) -> tuple[sqlite3.Connection, HybridClock]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = connect(self.path, busy_timeout_ms=self._busy_timeout_ms)
        conn.row_factory = None  # sqlite-utils expects plain tuples
        migrations.apply(UtilsDatabase(conn))
        conn.row_factory = dict_factory
        return conn, _load_clock(conn)

    def _count_commit(self, writes: int, seconds: float, changed: set[str]) -> None:
        for table in changed:
            self._versions[table] = self._versions.get(table, 0) + 1
        self.stats.commits += 1
        self.stats.writes += writes
        self.stats.commit_seconds += seconds


def _load_clock(conn: sqlite3.Connection) -> HybridClock:
    """The node id lives in `meta`; the clock resumes after the newest timestamp it wrote, and
    remembers the newest it pulled (it may be ahead of the clock: see `Tx._stamp_above`)."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'node_id'").fetchone()
    if row is None:
        node = secrets.token_hex(8)
        conn.execute("INSERT INTO meta (key, value) VALUES ('node_id', ?)", [node])
    else:
        node = row["value"]
    last: Any = conn.execute("SELECT max(hlc) AS hlc FROM change_log").fetchone()["hlc"]
    clock = HybridClock(node, Timestamp.decode(last) if last else None)
    held: Any = conn.execute("SELECT max(hlc) AS hlc FROM feed_log").fetchone()["hlc"]
    if held:
        clock.hold(Timestamp.decode(held))
    offset = conn.execute("SELECT value FROM meta WHERE key = 'clock_offset_ms'").fetchone()
    clock.offset_ms = int(offset["value"]) if offset else 0
    return clock
