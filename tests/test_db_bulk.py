"""`edge.db._bulk.insert_rows`: every row, once, in order, whatever the count and limits."""

from __future__ import annotations

import sqlite3

import pytest

from edge.db._bulk import ROWS_PER_STATEMENT, insert_rows


@pytest.mark.parametrize("count", [0, 1, ROWS_PER_STATEMENT - 1, ROWS_PER_STATEMENT, 1001])
@pytest.mark.parametrize("variable_limit", [32766, 10, 3])
def test_every_row_is_inserted_once(count: int, variable_limit: int) -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (n INTEGER PRIMARY KEY, a TEXT, b REAL)")
    conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, variable_limit)
    rows = [(n, f"row {n}", n / 2) for n in range(count)]
    insert_rows(conn, "t", ("n", "a", "b"), rows)
    assert conn.execute("SELECT n, a, b FROM t ORDER BY n").fetchall() == rows


def test_a_failing_row_raises_and_a_savepoint_undoes_the_rest() -> None:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute("CREATE TABLE t (n INTEGER PRIMARY KEY)")
    conn.execute("SAVEPOINT rows")
    with pytest.raises(sqlite3.IntegrityError):
        insert_rows(conn, "t", ("n",), [(n % 500,) for n in range(600)])
    conn.execute("ROLLBACK TO SAVEPOINT rows")
    assert conn.execute("SELECT count(*) FROM t").fetchone() == (0,)
