"""Writing the rows of one table and set of columns, gathered by `_rows.RowWriter`.

Inserts go several hundred to a statement (`edge.db._bulk`), updates in one `executemany`.
When the schema refuses the group (a constraint, a missing required field), it is undone and its
rows are written one by one, so one bad change cannot hold back the others.
"""

from __future__ import annotations

import functools
import sqlite3

from edge.db._bulk import insert_rows
from sync._wire import FeedEntry

Row = tuple[FeedEntry, dict[str, object]]  #: the change that made the row first, its fields
Shape = tuple[tuple[str, ...], list[Row]]  #: rows whose fields come in this column order


@functools.lru_cache(maxsize=512)
def _sql(table: str, columns: tuple[str, ...], insert: bool) -> str:
    if insert:
        marks = ", ".join("?" * (len(columns) + 1))
        return f"INSERT INTO {table} (id, {', '.join(columns)}) VALUES ({marks})"
    return f"UPDATE {table} SET {', '.join(f'{c} = ?' for c in columns)} WHERE id = ?"


def in_page_order(parts: list[Shape]) -> tuple[tuple[str, ...], list[Row]]:
    """A group's rows in the order the page first wrote them (which one a unique constraint
    refuses depends on it), their fields all in the column order of the first."""
    columns, rows = parts[0]
    for _, more in parts[1:]:
        rows = rows + [(entry, {c: fields[c] for c in columns}) for entry, fields in more]
    rows.sort(key=lambda row: row[0].feed_seq)
    return columns, rows


def write_group(
    conn: sqlite3.Connection, update: bool, table: str, columns: tuple[str, ...], rows: list[Row]
) -> list[tuple[Row, str]]:
    """Write `rows` (their table and column names already checked); returns those refused, with
    the database's reason."""
    refused: list[tuple[Row, str]] = []
    conn.execute("SAVEPOINT rows")
    try:
        if update:
            params = [(*fields.values(), entry.change.row) for entry, fields in rows]
            conn.executemany(_sql(table, columns, False), params)
        else:
            params = [(entry.change.row, *fields.values()) for entry, fields in rows]
            insert_rows(conn, table, ("id", *columns), params)
    except sqlite3.IntegrityError:
        conn.execute("ROLLBACK TO SAVEPOINT rows")
        sql = _sql(table, columns, not update)
        for row, one in zip(rows, params, strict=True):
            try:
                conn.execute(sql, one)
            except sqlite3.IntegrityError as err:
                refused.append((row, str(err)))
    conn.execute("RELEASE SAVEPOINT rows")
    return refused
