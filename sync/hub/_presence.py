"""The parents' entry/exit feed (docs/sync-protocol.md §12): the `presence_events` changes boxes
push, kept per student in arrival order, and the access tokens parents read them with.

Every function runs inside the caller's transaction, on its connection."""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
from typing import Any

from sync._wire import Change
from sync.hub._errors import HubError

TABLE = "presence_events"
DIRECTIONS = frozenset({"in", "out"})


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _value(conn: sqlite3.Connection, school: str, table: str, row: str, field: str) -> Any:
    found = conn.execute(
        "SELECT value FROM field_versions"
        " WHERE school_id = ? AND table_name = ? AND row_id = ? AND field = ?",
        [school, table, row, field],
    ).fetchone()
    return None if found is None else json.loads(found[0])


def record(conn: sqlite3.Connection, school: str, change: Change) -> None:
    """Take an accepted change of `presence_events` into the feed: its first upsert carrying
    who, which way and when makes the event (events are append-only, later ones are ignored);
    its merged `deleted` field, whenever it changes, hides or shows it."""
    fields = change.fields
    person, direction, at = fields.get("person_id"), fields.get("direction"), fields.get("at")
    if (
        change.op == "upsert"
        and isinstance(person, str)
        and person
        and direction in DIRECTIONS
        and isinstance(at, str)
        and at
    ):
        reader = fields.get("reader_id")
        conn.execute(
            "INSERT OR IGNORE INTO presence (school_id, row_id, person_id, direction, at,"
            " reader_id) VALUES (?, ?, ?, ?, ?, ?)",
            [
                school,
                change.row,
                person,
                direction,
                at,
                reader if isinstance(reader, str) else None,
            ],
        )
    # the tombstone may even come first: the merged field, not this change, decides
    deleted = _value(conn, school, TABLE, change.row, "deleted") == 1
    conn.execute(
        "UPDATE presence SET deleted = ? WHERE school_id = ? AND row_id = ?",
        [int(deleted), school, change.row],
    )


def add_parent(conn: sqlite3.Connection, school: str, student: str, now: int) -> str:
    """A new access token to one student's events; only its digest is kept."""
    if conn.execute("SELECT 1 FROM schools WHERE id = ?", [school]).fetchone() is None:
        raise HubError(404, "not_found", f"no school {school!r}")
    person = _student(conn, school, student)
    token = secrets.token_hex(24)  # hex: `parents revoke TOKEN` must never see a leading "-"
    conn.execute(
        "INSERT INTO parent_tokens (digest, school_id, person_id, created_at) VALUES (?, ?, ?, ?)",
        [_digest(token), school, person, now],
    )
    return token


def _student(conn: sqlite3.Connection, school: str, ident: str) -> str:
    """The row id of the live person `ident` names: their row id or their OneRoster id."""
    by_row = conn.execute(
        "SELECT 1 FROM field_versions WHERE school_id = ? AND table_name = 'people'"
        " AND row_id = ? LIMIT 1",
        [school, ident],
    ).fetchone()
    if by_row is not None:
        candidates = [ident]
    else:
        candidates = [
            row[0]
            for row in conn.execute(
                "SELECT row_id FROM field_versions WHERE school_id = ? AND table_name = 'people'"
                " AND field = 'sourced_id' AND value = ?",
                [school, json.dumps(ident)],
            )
        ]
    live = [row for row in candidates if _value(conn, school, "people", row, "deleted") != 1]
    if not live:
        raise HubError(404, "not_found", f"no student {ident!r} in school {school!r}")
    if len(live) > 1:
        raise HubError(409, "ambiguous", f"{len(live)} people have the OneRoster id {ident!r}")
    role = _value(conn, school, "people", live[0], "role")
    if role is not None and role != "student":
        raise HubError(400, "not_a_student", f"{ident!r} is a {role}, not a student")
    return live[0]


def revoke(conn: sqlite3.Connection, token: str, now: int) -> None:
    found = conn.execute(
        "SELECT revoked_at FROM parent_tokens WHERE digest = ?", [_digest(token)]
    ).fetchone()
    if found is None:
        raise HubError(404, "not_found", "no such parent token")
    if found[0] is None:
        conn.execute(
            "UPDATE parent_tokens SET revoked_at = ? WHERE digest = ?", [now, _digest(token)]
        )


def events(conn: sqlite3.Connection, token: str, since: int, limit: int) -> dict[str, Any]:
    """The token's student's events after `since`, oldest first (§12)."""
    found = conn.execute(
        "SELECT school_id, person_id FROM parent_tokens WHERE digest = ? AND revoked_at IS NULL",
        [_digest(token)],
    ).fetchone()
    if found is None:
        raise HubError(401, "bad_token", "the token is unknown or revoked")
    rows = conn.execute(
        "SELECT seq, direction, at, reader_id FROM presence WHERE school_id = ?"
        " AND person_id = ? AND seq > ? AND deleted = 0 ORDER BY seq LIMIT ?",
        [*found, since, limit],
    ).fetchall()
    return {
        "student": found[1],
        "events": [
            {"seq": seq, "direction": direction, "at": at, "reader": reader}
            for seq, direction, at, reader in rows
        ],
        "next": rows[-1][0] if rows else since,
    }
