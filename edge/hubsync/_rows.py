"""Gathering the merged fields of a page per row of the diary tables, then writing them.

A row no version of which the box holds is created by its first change as it came, with no
copy of its fields; the winning fields of other rows are gathered per row (later winners over
earlier ones, in page order), each remembering the change it came from. Then all are written
(`_groups`): the new rows table by table in dependency order, so a row is always there before
anything refers to it, then the updates; rows of one table and set of columns together. A
value the schema refuses is reported with the change that brought it: the caller logs it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from edge.db import Tx
from edge.db._schema import SYNCABLE_ORDER
from edge.hubsync._groups import Row, Shape, in_page_order, write_group
from sync._wire import FeedEntry

Refusal = tuple[FeedEntry, list[str], str]
RowKey = tuple[str, str]
_Group = tuple[bool, int, str, tuple[str, ...]]  # (update, table order, table, sorted columns)


@dataclass(slots=True)
class _Merged:
    first: FeedEntry  #: the change that wrote to the row first in the page
    insert: bool
    fields: dict[str, object]
    sources: dict[str, FeedEntry]  #: the change each field's value came from


class RowWriter:
    def __init__(self, tx: Tx, existing: Collection[RowKey]) -> None:
        self._tx = tx
        self._columns: dict[str, frozenset[str]] = {}
        self._existing = existing
        self._created: dict[RowKey, FeedEntry] = {}  # new rows, as their first change made them
        self._rows: dict[RowKey, _Merged] = {}
        self._refused: list[Refusal] = []

    def _columns_of(self, table: str) -> frozenset[str]:
        if table not in self._columns:
            info = self._tx.query(f"PRAGMA table_info({table})")
            self._columns[table] = frozenset(r["name"] for r in info) - {"id"}
        return self._columns[table]

    def _known(self, entry: FeedEntry, fields: dict[str, object]) -> dict[str, object]:
        """The fields the table has; the others are refused."""
        columns = self._columns_of(entry.change.table)
        if columns.issuperset(fields):
            return fields
        names = sorted(fields.keys() - columns)
        self._refused.append((entry, names, f"no column {', '.join(names)} here"))
        return {k: v for k, v in fields.items() if k in columns}

    def create(self, key: RowKey, entry: FeedEntry) -> None:
        """A row of which no version is held: every field of its change wins."""
        if key in self._existing:  # a row that predates change tracking
            self.write(key, entry, entry.change.fields)
        elif entry.change.fields:  # a change of no field writes nothing
            self._created[key] = entry

    def write(self, key: RowKey, entry: FeedEntry, winners: dict[str, object]) -> None:
        winners = self._known(entry, winners)
        row = self._rows.get(key)
        if row is None:
            first = self._created.pop(key, None)
            row = self._rows[key] = _Merged(entry, key not in self._existing, {}, {})
            if first is not None:  # a second change of a row created in this page
                row.first = first
                self._take(row, first, self._known(first, first.change.fields))
        self._take(row, entry, winners)

    def _take(self, row: _Merged, entry: FeedEntry, winners: dict[str, object]) -> None:
        row.fields.update(winners)
        row.sources.update(dict.fromkeys(winners, entry))

    def flush(self) -> list[Refusal]:
        shapes = self._created_shapes()
        for (table, _), row in self._rows.items():
            if row.fields:
                shape = (not row.insert, table, tuple(row.fields))
                shapes.setdefault(shape, []).append((row.first, row.fields))
        groups: dict[_Group, list[Shape]] = {}
        for (update, table, names), rows in shapes.items():
            group = (update, SYNCABLE_ORDER[table], table, tuple(sorted(names)))
            groups.setdefault(group, []).append((names, rows))
        for (update, _, table, _), parts in sorted(groups.items()):
            self._tx.changed.add(table)
            for refused, why in write_group(self._tx.conn, update, table, *in_page_order(parts)):
                self._refuse(table, refused, why)
        self._rows.clear()
        return self._refused

    def _created_shapes(self) -> dict[tuple[bool, str, tuple[str, ...]], list[Row]]:
        """The new rows by table and columns; those with a column the box lacks go to `write`."""
        shapes: dict[tuple[bool, str, tuple[str, ...]], list[Row]] = {}
        for (table, _), entry in self._created.items():
            shape = (False, table, tuple(entry.change.fields))
            shapes.setdefault(shape, []).append((entry, entry.change.fields))
        self._created = {}
        for shape in [s for s in shapes if not self._columns_of(s[1]).issuperset(s[2])]:
            for entry, fields in shapes.pop(shape):
                row = self._rows[(shape[1], entry.change.row)] = _Merged(entry, True, {}, {})
                self._take(row, entry, self._known(entry, fields))
        return shapes

    def _refuse(self, table: str, row: Row, why: str) -> None:
        """Each refused value with the change it came from."""
        merged = self._rows.get((table, row[0].change.row))
        by_change: dict[int, tuple[FeedEntry, list[str]]] = {}
        for name in sorted(row[1]):
            source = row[0] if merged is None else merged.sources[name]
            by_change.setdefault(source.feed_seq, (source, []))[1].append(name)
        self._refused.extend((source, names, why) for source, names in by_change.values())
