"""Paired agents and pending pairings as the staff see them, and revoking an agent."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from edge.db import Row, Tx
from edge.panelagents._pairing import iso


def list_agents(conn: sqlite3.Connection) -> list[Row]:
    return conn.execute(
        "SELECT a.agent_id, a.name, a.room_id, r.name AS room_name, a.paired_by, a.paired_at"
        " FROM panel_agents a LEFT JOIN rooms r ON r.id = a.room_id ORDER BY r.name, a.name"
    ).fetchall()


def list_pairings(conn: sqlite3.Connection, now: datetime) -> list[Row]:
    """Pairings still waiting for a PIN to be confirmed, or locked; never the PIN itself."""
    rows: list[Row] = conn.execute(
        "SELECT agent_id, name, room_hint, address, requested_at, expires_at, locked_until,"
        " wrong_pins, confirmed_at IS NOT NULL AS confirmed FROM panel_pairings"
        " WHERE (pin IS NOT NULL AND expires_at > ?) OR locked_until > ? ORDER BY requested_at",
        [iso(now), iso(now)],
    ).fetchall()
    for row in rows:
        row["locked"] = bool(row["locked_until"] and row["locked_until"] > iso(now))
        row["confirmed"] = bool(row["confirmed"])
    return rows


def agent_for_account(conn: sqlite3.Connection, user_id: str) -> Row | None:
    """The paired agent whose device account this is (None once it is revoked)."""
    row: Row | None = conn.execute(
        "SELECT agent_id, name, room_id FROM panel_agents WHERE user_id = ?", [user_id]
    ).fetchone()
    return row


def revoke_agent(tx: Tx, agent_id: str) -> bool:
    """Forget a paired agent (and any pairing of that id): its token stops working. False when
    there was nothing to revoke."""
    agent = tx.one("SELECT user_id FROM panel_agents WHERE agent_id = ?", [agent_id])
    dropped = tx.conn.execute("DELETE FROM panel_pairings WHERE agent_id = ?", [agent_id])
    if agent is None:
        return dropped.rowcount > 0
    tx.conn.execute("DELETE FROM sessions WHERE user_id = ?", [agent["user_id"]])
    tx.conn.execute("UPDATE users SET disabled = 1 WHERE id = ?", [agent["user_id"]])
    tx.conn.execute("DELETE FROM panel_agents WHERE agent_id = ?", [agent_id])
    return True


def purge_stale_pairings(tx: Tx, now: datetime) -> int:
    """Pairings whose PIN expired and that are not locked: nobody can confirm them any more."""
    return tx.conn.execute(
        "DELETE FROM panel_pairings WHERE expires_at <= ? AND confirmed_at IS NULL"
        " AND (locked_until IS NULL OR locked_until <= ?)",
        [iso(now), iso(now)],
    ).rowcount
