"""The versions of fields the box holds: the newest write of each field in the change log (its
own) or the feed log (pulled), as `sync._merge.Write`s for the merge (protocol §5–6).

The feed log keeps only the names of the fields a pulled change wrote: when such a write is
the newest of its field, its value is the one in the diary table. Loaded per page for the rows
the page touches and kept up to date in memory while the page is merged.

Every version the box holds is of a row its diary table has: a local write makes its row in
the transaction that logs it, syncable rows are never deleted (a delete is a tombstone), and a
pulled change whose row the schema refused keeps no field names in the feed log. So only the
rows found in the diary tables are looked up in the logs: a row first seen in the page (most
pulled changes create rows) costs one index probe, and no `Write` objects until a second change
of it arrives.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from sync._merge import Key, Write
from sync._wire import FeedEntry

_CHUNK = 500
RowKey = tuple[str, str]


class Versions:
    def __init__(self, node: str) -> None:
        self._node = node
        self._fields: dict[Key, Write] = {}
        self._rows: set[RowKey] = set()  # rows with any version, loaded or merged here
        self._unexpanded: dict[RowKey, FeedEntry] = {}
        #: the rows the diary tables hold, as they are before the page
        self.existing: dict[RowKey, dict[str, Any]] = {}

    def load(self, conn: sqlite3.Connection, rows: dict[str, list[str]]) -> None:
        """`rows`: the ids the page touches, by table."""
        for table, ids in rows.items():
            for start in range(0, len(ids), _CHUNK):
                found = self._load_rows(conn, table, ids[start : start + _CHUNK])
                if found:
                    self._load_versions(conn, table, found)

    def _load_rows(self, conn: sqlite3.Connection, table: str, ids: list[str]) -> list[str]:
        marks = ",".join("?" * len(ids))
        found = conn.execute(f"SELECT * FROM {table} WHERE id IN ({marks})", ids).fetchall()
        for row in found:
            self.existing[(table, row["id"])] = row
        return [row["id"] for row in found]

    def _load_versions(self, conn: sqlite3.Connection, table: str, ids: list[str]) -> None:
        marks = ",".join("?" * len(ids))
        own = conn.execute(
            "SELECT row_id, seq, fields, hlc, cursor, feed_seq FROM change_log"
            f" WHERE table_name = ? AND row_id IN ({marks})",
            [table, *ids],
        )
        for r in own:
            fields = json.loads(r["fields"])
            self._hold(table, r["row_id"], fields, r["hlc"], self._node, r["seq"], r["cursor"],
                       r["feed_seq"])  # fmt: skip
        pulled = conn.execute(
            "SELECT row_id, feed_seq, node, fields, hlc, cursor FROM feed_log"
            f" WHERE table_name = ? AND row_id IN ({marks})",
            [table, *ids],
        )
        for r in pulled:
            current = self.existing[(table, r["row_id"])]
            fields = {name: current.get(name) for name in r["fields"].split(",") if name}
            # a remote node's changes reach the feed in its own order: feed_seq orders them too
            self._hold(table, r["row_id"], fields, r["hlc"], r["node"], r["feed_seq"],
                       r["cursor"], r["feed_seq"])  # fmt: skip

    def _hold(
        self,
        table: str,
        row: str,
        fields: dict[str, Any],
        hlc: str,
        node: str,
        node_seq: int,
        cursor: int,
        feed_seq: int | None,
    ) -> None:
        self._rows.add((table, row))
        for name, value in fields.items():
            held = self._fields.get((table, row, name))
            if held is None or hlc > held.hlc:
                write = Write(table, row, name, value, hlc, node, node_seq, cursor, feed_seq)
                self._fields[(table, row, name)] = write

    def is_new(self, key: RowKey) -> bool:
        """No version of any field of this row is held: every field of a change to it wins."""
        return key not in self._rows

    def remember_new(self, key: RowKey, entry: FeedEntry) -> None:
        """A change that created the row here; its `Write`s are made if the row comes again."""
        self._rows.add(key)
        self._unexpanded[key] = entry

    def get(self, key: Key) -> Write | None:
        entry = self._unexpanded.pop((key[0], key[1]), None)
        if entry is not None:
            change = entry.change
            self._hold(key[0], key[1], change.fields, change.hlc, entry.node, entry.feed_seq,
                       change.cursor, entry.feed_seq)  # fmt: skip
        return self._fields.get(key)

    def put(self, write: Write) -> None:
        self._fields[write.key] = write
