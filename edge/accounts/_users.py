"""Accounts on this box (not synced): add, change password, list, find the roster person."""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime

from edge.accounts._principal import Role
from edge.db import Row, Tx
from sync import uuid7

_USERNAME = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")


class AccountError(ValueError):
    """A request about accounts that cannot be carried out, phrased for the admin."""


def utc_now_text() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def add_user(
    tx: Tx, username: str, role: Role, password_hash: str, person_ref: str | None = None
) -> str:
    if not _USERNAME.match(username):
        raise AccountError(f"username {username!r}: use 1-64 letters, digits, '.', '_', '@', '-'")
    if tx.one("SELECT 1 FROM users WHERE username = ?", [username]):
        raise AccountError(f"username {username!r} is taken")
    person_id = resolve_person(tx.conn, person_ref) if person_ref else None
    now = utc_now_text()
    user_id = uuid7()
    tx.insert(
        "users",
        {
            "id": user_id,
            "username": username,
            "role": role.value,
            "person_id": person_id,
            "password_hash": password_hash,
            "created_at": now,
            "password_changed_at": now,
        },
    )
    return user_id


def set_password(tx: Tx, username: str, password_hash: str) -> None:
    """Change a password and end every session of that account."""
    user = tx.one("SELECT id FROM users WHERE username = ?", [username])
    if user is None:
        raise AccountError(f"no account named {username!r}")
    tx.conn.execute(
        "UPDATE users SET password_hash = ?, password_changed_at = ? WHERE id = ?",
        [password_hash, utc_now_text(), user["id"]],
    )
    tx.conn.execute("DELETE FROM sessions WHERE user_id = ?", [user["id"]])


def find_user(conn: sqlite3.Connection, username: str) -> Row | None:
    row: Row | None = conn.execute(
        "SELECT * FROM users WHERE username = ? AND disabled = 0", [username]
    ).fetchone()
    return row


def list_users(conn: sqlite3.Connection) -> list[Row]:
    return conn.execute(
        "SELECT u.username, u.role, u.disabled, u.created_at,"
        " p.given_name || ' ' || p.family_name AS person"
        " FROM users u LEFT JOIN people p ON p.id = u.person_id ORDER BY u.role, u.username"
    ).fetchall()


def resolve_person(conn: sqlite3.Connection, ref: str) -> str:
    """A roster person by sourcedId, username, e-mail or identifier; exactly one must match."""
    rows = conn.execute(
        "SELECT id FROM people WHERE deleted = 0 AND (sourced_id = ? OR username = ?"
        " OR lower(email) = lower(?) OR identifier = ?)",
        [ref, ref, ref, ref],
    ).fetchall()
    if not rows:
        raise AccountError(f"no person {ref!r} in the roster (sourcedId, username or e-mail)")
    if len(rows) > 1:
        raise AccountError(f"{ref!r} matches {len(rows)} people; use the sourcedId")
    return str(rows[0]["id"])


def set_feed_token(tx: Tx, user_id: str, token: str) -> None:
    """A new secret calendar-feed address for the account; the old one stops working."""
    tx.conn.execute("UPDATE users SET feed_token = ? WHERE id = ?", [token, user_id])


def feed_owner(conn: sqlite3.Connection, token: str) -> str | None:
    """The roster person whose calendar feed `token` opens, if any."""
    row = conn.execute(
        "SELECT person_id FROM users WHERE feed_token = ? AND disabled = 0", [token]
    ).fetchone()
    return None if row is None else row["person_id"]
