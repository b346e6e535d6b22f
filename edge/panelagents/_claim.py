"""The agent's side of a pairing: polling with its claim secret until a teacher or admin has
confirmed the PIN, then, once, becoming a paired agent with its own device account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from edge.accounts import Role, add_user
from edge.db import Row, Tx
from edge.panelagents._errors import NoSuchAgent, PairingExpired, PairingLocked
from edge.panelagents._pairing import check_unlocked, digest, iso

#: device accounts never log in with a password: this is no scrypt hash
NO_PASSWORD = "!"  # noqa: S105 - no password hashes to this


@dataclass(frozen=True)
class PairingState:
    """`pending` (expires_at), `locked` (retry_after) or `paired` (user_id, room_id)."""

    state: str
    expires_at: str = ""
    retry_after: float = 0.0
    user_id: str = ""
    room_id: str = ""


def device_username(agent_id: str) -> str:
    return f"panel-{agent_id}"


def poll_pairing(tx: Tx, agent_id: str, claim: str, now: datetime) -> PairingState:
    """Where the pairing stands; a confirmed one becomes a paired agent (the caller then issues
    its token, which is why this answers `paired` only once)."""
    row = tx.one(
        "SELECT * FROM panel_pairings WHERE agent_id = ? AND claim_hash = ?",
        [agent_id, digest(claim)],
    )
    if row is None:
        raise NoSuchAgent("no pairing for this agent and claim: ask for a new PIN")
    try:
        check_unlocked(row, now)
    except PairingLocked as err:
        return PairingState("locked", retry_after=err.retry_after)
    if row["confirmed_at"] is None:
        if row["pin"] is None or row["expires_at"] <= iso(now):
            raise PairingExpired("the PIN expired before anyone confirmed it: ask for a new one")
        return PairingState("pending", expires_at=row["expires_at"])
    user_id = _pair(tx, row, now)
    return PairingState("paired", user_id=user_id, room_id=row["room_id"])


def _pair(tx: Tx, pairing: Row, now: datetime) -> str:
    agent_id = pairing["agent_id"]
    user_id = _device_account(tx, agent_id)
    tx.conn.execute("DELETE FROM sessions WHERE user_id = ?", [user_id])
    tx.conn.execute(
        "INSERT INTO panel_agents (agent_id, name, room_id, user_id, paired_by, paired_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (agent_id) DO UPDATE SET name = excluded.name,"
        " room_id = excluded.room_id, user_id = excluded.user_id,"
        " paired_by = excluded.paired_by, paired_at = excluded.paired_at",
        [agent_id, pairing["name"], pairing["room_id"], user_id, pairing["confirmed_by"], iso(now)],
    )
    tx.conn.execute("DELETE FROM panel_pairings WHERE agent_id = ?", [agent_id])
    return user_id


def _device_account(tx: Tx, agent_id: str) -> str:
    username = device_username(agent_id)
    found = tx.one("SELECT id FROM users WHERE username = ?", [username])
    if found is None:
        return add_user(tx, username, Role.DEVICE, NO_PASSWORD)
    tx.conn.execute("UPDATE users SET disabled = 0 WHERE id = ?", [found["id"]])
    return str(found["id"])
