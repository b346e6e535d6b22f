"""The catalog index's schema, as registered sqlite-utils migrations (its own file and set;
never edit an applied migration: add one), and an entry as a row of `entries`."""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database as UtilsDatabase
from sqlite_utils.migrations import Migrations

from content_cache._catalog import CatalogEntry, CatalogFile

migrations = Migrations("content-cache-catalog")
COLUMNS = "id, kind, title, subject, grades, language, files, version, deleted"
SELECT = ", ".join(f"e.{column}" for column in COLUMNS.split(", "))
LOG_TABLES = (
    """CREATE TABLE log_pages (first INTEGER PRIMARY KEY, last INTEGER NOT NULL,
    digest TEXT NOT NULL, records BLOB NOT NULL)""",
    # the staged records as rows of `entries`, so a commit is one INSERT … SELECT
    "CREATE TABLE staged_entries (version INTEGER PRIMARY KEY, record TEXT NOT NULL)",
)
# json_extract gives arrays as JSON text, minified as canonical_json writes them
APPLY_STAGED = f"""INSERT INTO entries ({COLUMNS})
    SELECT json_extract(record, '$.id'), json_extract(record, '$.kind'),
        json_extract(record, '$.title'), json_extract(record, '$.subject'),
        json_extract(record, '$.grades'), json_extract(record, '$.language'),
        json_extract(record, '$.files'), version, json_extract(record, '$.deleted')
    FROM staged_entries WHERE version <= ? ORDER BY version
    ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, title = excluded.title,
    subject = excluded.subject, grades = excluded.grades, language = excluded.language,
    files = excluded.files, version = excluded.version, deleted = excluded.deleted"""

_FTS_COLUMNS = "title, subject, grades, kind"
_FTS_NEW = (
    "INSERT INTO entries_fts (rowid, title, subject, grades, kind)"
    " VALUES (new.doc, new.title, new.subject, new.grades, new.kind)"
)
_FTS_OLD = (
    "INSERT INTO entries_fts (entries_fts, rowid, title, subject, grades, kind)"
    " VALUES ('delete', old.doc, old.title, old.subject, old.grades, old.kind)"
)
_ZERO = "0" * 64

_V1 = [
    # `doc` is the FTS document number: an explicit INTEGER PRIMARY KEY, so VACUUM keeps it
    """CREATE TABLE entries (doc INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL, title TEXT NOT NULL, subject TEXT NOT NULL,
        grades TEXT NOT NULL, language TEXT NOT NULL, files TEXT NOT NULL,
        version INTEGER NOT NULL, deleted INTEGER NOT NULL DEFAULT 0)""",
    # one row: the version and log digest held, and the signed head that vouched for them
    """CREATE TABLE meta (one INTEGER PRIMARY KEY CHECK (one = 1), version INTEGER NOT NULL,
        digest TEXT NOT NULL, head TEXT)""",
    f"INSERT INTO meta (one, version, digest) VALUES (1, 0, '{_ZERO}')",
    f"""CREATE VIRTUAL TABLE entries_fts USING fts5({_FTS_COLUMNS}, content = 'entries',
        content_rowid = 'doc', tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')""",
    f"CREATE TRIGGER entries_ai AFTER INSERT ON entries BEGIN {_FTS_NEW}; END",
    f"CREATE TRIGGER entries_ad AFTER DELETE ON entries BEGIN {_FTS_OLD}; END",
    f"CREATE TRIGGER entries_au AFTER UPDATE ON entries BEGIN {_FTS_OLD}; {_FTS_NEW}; END",
]


@migrations()
def m001_catalog(db: UtilsDatabase) -> None:
    for statement in _V1:
        db.execute(statement)


@migrations()
def m002_log_pages(db: UtilsDatabase) -> None:
    """The log itself, so a box can resume a long first import and export USB bundles.

    A catalog held before had no log: it is fetched again from the start."""
    for statement in LOG_TABLES:
        db.execute(statement)
    db.execute("DELETE FROM entries")
    db.execute(f"UPDATE meta SET version = 0, digest = '{_ZERO}', head = NULL")


def entry_of(row: tuple[Any, ...]) -> CatalogEntry:
    id_, kind, title, subject, grades, language, files, version, deleted = row
    return CatalogEntry(
        id=id_,
        kind=kind,
        title=title,
        subject=subject,
        grades=tuple(json.loads(grades)),
        language=language,
        files=tuple(CatalogFile(**f) for f in json.loads(files)),
        version=version,
        deleted=bool(deleted),
    )
