"""Opening SQLite connections the same way everywhere."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

Row = dict[str, Any]
WRITER_CACHE_KIB = 32 * 1024


def dict_factory(cursor: sqlite3.Cursor, row: tuple[Any, ...]) -> Row:
    return {column[0]: value for column, value in zip(cursor.description, row, strict=True)}


def connect(path: Path, *, busy_timeout_ms: int, readonly: bool = False) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), WAL, durable commits."""
    conn = sqlite3.connect(
        path, isolation_level=None, check_same_thread=False, timeout=busy_timeout_ms / 1000
    )
    conn.row_factory = dict_factory
    conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    conn.execute("PRAGMA foreign_keys = ON")
    if readonly:
        conn.execute("PRAGMA query_only = ON")
    else:
        conn.execute("PRAGMA journal_mode = WAL")
        # FULL: a commit the API acknowledged survives a power cut, not only a crash
        conn.execute("PRAGMA synchronous = FULL")
        # the one writer's page cache (the default is 2 MiB): a pulled page of 5,000 changes
        # touches more index pages than that, and reading them again costs ~8% of applying it
        conn.execute(f"PRAGMA cache_size = -{WRITER_CACHE_KIB}")
    return conn
