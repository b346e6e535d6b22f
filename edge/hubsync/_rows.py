"""Writing merged fields into the diary tables.

The winning fields of a page are gathered per row first (later winners over earlier ones, in
page order), then written: the new rows table by table in dependency order, so a row is always
there before anything refers to it, then the updates; rows of the same shape go in one
`executemany`. A statement the schema refuses (a constraint, a missing required field) is
retried alone and reported, so one bad change cannot hold back a page: the caller logs it.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Collection
from dataclasses import dataclass

from edge.db import Tx
from edge.db._schema import SYNCABLE_ORDER
from sync._wire import FeedEntry

Refusal = tuple[FeedEntry, list[str], str]


@dataclass(slots=True)
class _Row:
    entry: FeedEntry  #: the first change of the row in the page (reported if refused)
    insert: bool
    fields: dict[str, object]


@functools.lru_cache(maxsize=512)
def _sql(table: str, columns: tuple[str, ...], insert: bool) -> str:
    if insert:
        marks = ", ".join("?" * (len(columns) + 1))
        return f"INSERT INTO {table} (id, {', '.join(columns)}) VALUES ({marks})"
    return f"UPDATE {table} SET {', '.join(f'{c} = ?' for c in columns)} WHERE id = ?"


class RowWriter:
    def __init__(self, tx: Tx, existing: Collection[tuple[str, str]]) -> None:
        self._tx = tx
        self._columns: dict[str, frozenset[str]] = {}
        self._existing = existing
        self._rows: dict[tuple[str, str], _Row] = {}
        self._refused: list[Refusal] = []

    def _columns_of(self, table: str) -> frozenset[str]:
        if table not in self._columns:
            info = self._tx.query(f"PRAGMA table_info({table})")
            self._columns[table] = frozenset(r["name"] for r in info) - {"id"}
        return self._columns[table]

    def write(self, entry: FeedEntry, winners: dict[str, object]) -> None:
        key = (entry.change.table, entry.change.row)
        columns = self._columns.get(key[0]) or self._columns_of(key[0])
        if not columns.issuperset(winners):
            names = sorted(winners.keys() - columns)
            self._refused.append((entry, names, f"no column {', '.join(names)} here"))
            winners = {k: v for k, v in winners.items() if k in columns}
        row = self._rows.get(key)
        if row is None:
            self._rows[key] = _Row(entry, key not in self._existing, dict(winners))
        else:
            row.fields.update(winners)

    def flush(self) -> list[Refusal]:
        groups: dict[tuple[bool, int, str, tuple[str, ...]], list[tuple[_Row, list[object]]]] = {}
        for (table, row_id), row in self._rows.items():
            if not row.fields:
                continue
            columns = tuple(sorted(row.fields))
            values = [row.fields[c] for c in columns]
            params = [row_id, *values] if row.insert else [*values, row_id]
            order = (not row.insert, SYNCABLE_ORDER[table], table, columns)
            groups.setdefault(order, []).append((row, params))
            self._tx.changed.add(table)
        for (update, _, table, columns), group in sorted(groups.items()):
            self._run(_sql(table, columns, not update), group)
        self._rows.clear()
        return self._refused

    def _run(self, sql: str, group: list[tuple[_Row, list[object]]]) -> None:
        conn = self._tx.conn
        conn.execute("SAVEPOINT rows")
        try:
            conn.executemany(sql, [params for _, params in group])
        except sqlite3.IntegrityError:
            conn.execute("ROLLBACK TO SAVEPOINT rows")
            for row, params in group:
                self._run_alone(sql, row, params)
        conn.execute("RELEASE SAVEPOINT rows")

    def _run_alone(self, sql: str, row: _Row, params: list[object]) -> None:
        try:
            self._tx.conn.execute(sql, params)
        except sqlite3.IntegrityError as err:
            self._refused.append((row.entry, sorted(row.fields), str(err)))
