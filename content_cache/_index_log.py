"""The catalog log as the box keeps it: pages of consecutive records, zstd-compressed canonical
JSON lines, each with the chained digest after its last record (docs/catalog-format.md).

Pages up to the held version are the verified log (what a USB bundle exports); pages after it
are staged: chained, but not yet vouched for by a signed head. Staging is what lets a first
import of 800,000 entries arrive page by page, survive a restart, and apply in one go."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

import zstandard

from content_cache._catalog import CatalogEntry, canonical
from content_cache._fields import CatalogError
from content_cache._head import ZERO_DIGEST
from content_cache._index_schema import APPLY_STAGED

_STAGE = "INSERT INTO staged_entries (version, record) VALUES (?, ?)"
_LEVEL = 3


def log_end(conn: sqlite3.Connection) -> tuple[int, bytes]:
    """The version and digest after the last logged record, staged or not."""
    row = conn.execute("SELECT last, digest FROM log_pages ORDER BY first DESC LIMIT 1").fetchone()
    return (0, ZERO_DIGEST) if row is None else (int(row[0]), bytes.fromhex(row[1]))


def stage_page(conn: sqlite3.Connection, records: Sequence[CatalogEntry]) -> tuple[int, bytes]:
    """Append records end+1 … end+n as a page, chained from the log's end; the new end."""
    version, digest = log_end(conn)
    lines, rows = [], []
    for record in records:
        version += 1
        if record.version != version:
            raise CatalogError(f"delta: version {version} expected, record has {record.version}")
        line = canonical(record)
        digest = hashlib.sha256(digest + line).digest()  # chain(), without encoding it again
        lines.append(line)
        rows.append((version, line.decode()))
    if lines:
        conn.executemany(_STAGE, rows)
        body = zstandard.ZstdCompressor(level=_LEVEL).compress(b"\n".join(lines))
        conn.execute(
            "INSERT INTO log_pages (first, last, digest, records) VALUES (?, ?, ?, ?)",
            [records[0].version, version, digest.hex(), body],
        )
    return version, digest


def drop_pages_after(conn: sqlite3.Connection, version: int) -> int:
    """Forget staged pages past `version` (a delta that no head vouches for); how many."""
    conn.execute("DELETE FROM staged_entries WHERE version > ?", [version])
    return conn.execute("DELETE FROM log_pages WHERE first > ?", [version]).rowcount


def apply_staged(conn: sqlite3.Connection, upto: int) -> None:
    """Upsert the staged records up to `upto` into `entries`, latest last, then unstage them."""
    conn.execute(APPLY_STAGED, [upto])
    conn.execute("DELETE FROM staged_entries WHERE version <= ?", [upto])


def page_bodies(conn: sqlite3.Connection, after: int, upto: int) -> Iterator[bytes]:
    """Compressed pages whose records are versions after … upto, one at a time."""
    cursor = conn.execute(
        "SELECT records FROM log_pages WHERE first > ? AND last <= ? ORDER BY first", [after, upto]
    )
    for (body,) in cursor:
        yield body


def page_records(body: bytes) -> list[dict[str, Any]]:
    """The records of a page the box wrote itself, decoded without re-validating them."""
    text = zstandard.ZstdDecompressor().decompress(body)
    return [json.loads(line) for line in text.split(b"\n")]
