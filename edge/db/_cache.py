"""A small LRU cache of read results, valid while the tables they were read from are unchanged."""

from __future__ import annotations

import sqlite3
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from edge.db._database import Database

T = TypeVar("T")


class ReadCache(Generic[T]):
    def __init__(self, db: Database, tables: tuple[str, ...], max_entries: int = 4096) -> None:
        self._db = db
        self._tables = tables
        self._max = max_entries
        self._entries: OrderedDict[Hashable, tuple[int, T]] = OrderedDict()
        self.hits = 0
        self.misses = 0

    async def get(self, key: Hashable, read: Callable[[sqlite3.Connection], T]) -> T:
        # The version is taken before reading: a commit racing the read can only make the
        # entry look older than it is (a later miss), never newer (a stale hit).
        version = self._db.version(self._tables)
        entry = self._entries.get(key)
        if entry is not None and entry[0] == version:
            self._entries.move_to_end(key)
            self.hits += 1
            return entry[1]
        self.misses += 1
        value = await self._db.read(read)
        self._entries[key] = (version, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)
        return value
