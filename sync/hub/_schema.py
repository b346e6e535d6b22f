"""The hub's SQLite schema: schools, one-time enrollment tokens, boxes with their push
high-water marks, each school's feed, the current version of every field, the conflict log,
the parents' presence feed with its access tokens, and the content catalog's log and blobs
(docs/catalog-format.md)."""

from __future__ import annotations

from sync._tables import SYNCABLE_TABLES

__all__ = ["SCHEMA", "SYNCABLE_TABLES"]

SCHEMA = [
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS schools (id TEXT PRIMARY KEY, name TEXT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS tokens (digest TEXT PRIMARY KEY,
        school_id TEXT NOT NULL REFERENCES schools(id), expires_at INTEGER NOT NULL,
        used_at INTEGER)""",
    """CREATE TABLE IF NOT EXISTS boxes (id TEXT PRIMARY KEY,
        school_id TEXT NOT NULL REFERENCES schools(id), key_id TEXT NOT NULL UNIQUE,
        public_key BLOB NOT NULL, node TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
        applied_through INTEGER NOT NULL DEFAULT 0, enrolled_at INTEGER NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS feed (school_id TEXT NOT NULL, feed_seq INTEGER NOT NULL,
        node TEXT NOT NULL, node_seq INTEGER NOT NULL, table_name TEXT NOT NULL,
        row_id TEXT NOT NULL, op TEXT NOT NULL, hlc TEXT NOT NULL, cursor INTEGER NOT NULL,
        fields TEXT NOT NULL, PRIMARY KEY (school_id, feed_seq)) WITHOUT ROWID""",
    """CREATE UNIQUE INDEX IF NOT EXISTS feed_once ON feed(school_id, node, node_seq)""",
    """CREATE TABLE IF NOT EXISTS field_versions (school_id TEXT NOT NULL,
        table_name TEXT NOT NULL, row_id TEXT NOT NULL, field TEXT NOT NULL, value TEXT,
        hlc TEXT NOT NULL, node TEXT NOT NULL, node_seq INTEGER NOT NULL,
        cursor INTEGER NOT NULL, feed_seq INTEGER,
        PRIMARY KEY (school_id, table_name, row_id, field)) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS conflicts (id INTEGER PRIMARY KEY, school_id TEXT NOT NULL,
        table_name TEXT NOT NULL, row_id TEXT NOT NULL, field TEXT NOT NULL,
        losing_value TEXT, losing_hlc TEXT NOT NULL, losing_node TEXT NOT NULL,
        winning_hlc TEXT NOT NULL, winning_node TEXT NOT NULL, detected_at INTEGER NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS presence (school_id TEXT NOT NULL,
        seq INTEGER PRIMARY KEY AUTOINCREMENT, row_id TEXT NOT NULL, person_id TEXT NOT NULL,
        direction TEXT NOT NULL, at TEXT NOT NULL, reader_id TEXT,
        deleted INTEGER NOT NULL DEFAULT 0, UNIQUE (school_id, row_id))""",
    """CREATE INDEX IF NOT EXISTS presence_by_person ON presence(school_id, person_id, seq)""",
    """CREATE TABLE IF NOT EXISTS parent_tokens (digest TEXT PRIMARY KEY,
        school_id TEXT NOT NULL REFERENCES schools(id), person_id TEXT NOT NULL,
        created_at INTEGER NOT NULL, revoked_at INTEGER)""",
    """CREATE TABLE IF NOT EXISTS catalog_log (version INTEGER PRIMARY KEY, id TEXT NOT NULL,
        record TEXT NOT NULL)""",
    """CREATE INDEX IF NOT EXISTS catalog_log_by_id ON catalog_log(id, version)""",
    """CREATE TABLE IF NOT EXISTS content_blobs (sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL)
        WITHOUT ROWID""",
]
