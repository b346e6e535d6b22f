"""PIN pairing, in the box's database: an agent asks (and gets a PIN and a claim secret only it
knows), a teacher or admin confirms the PIN for a room, and the agent's next poll with its claim
turns the confirmed pairing into a paired agent with a device account. Wrong PINs count per
agent; enough of them in a row lock its pairing for a while."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from edge.db import Row, Tx
from edge.diary import find_room
from edge.panelagents._errors import NoSuchAgent, NoSuchRoom, PairingExpired, PairingLocked

PIN_DIGITS = 6


@dataclass(frozen=True)
class PairingRules:
    pin_minutes: float
    pin_attempts: int
    lock_minutes: float


@dataclass(frozen=True)
class PairingOffer:
    pin: str
    claim: str
    expires_at: str


@dataclass(frozen=True)
class Confirmation:
    """What a confirmation did: `confirmed`, `wrong` (attempts_left) or `locked` (retry_after)."""

    outcome: str
    room_id: str = ""
    attempts_left: int = 0
    retry_after: float = 0.0


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def request_pairing(
    tx: Tx, agent: dict[str, str], address: str, now: datetime, rules: PairingRules
) -> PairingOffer:
    """A new PIN for `agent` (id, name, room_hint); wrong PINs already counted stay counted."""
    check_unlocked(tx.one("SELECT * FROM panel_pairings WHERE agent_id = ?", [agent["id"]]), now)
    pin = f"{secrets.randbelow(10**PIN_DIGITS):0{PIN_DIGITS}d}"
    claim = secrets.token_urlsafe(32)
    expires = iso(now + timedelta(minutes=rules.pin_minutes))
    tx.conn.execute(
        "INSERT INTO panel_pairings (agent_id, name, room_hint, address, pin, claim_hash,"
        " requested_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (agent_id)"
        " DO UPDATE SET name = excluded.name, room_hint = excluded.room_hint,"
        " address = excluded.address, pin = excluded.pin, claim_hash = excluded.claim_hash,"
        " requested_at = excluded.requested_at, expires_at = excluded.expires_at,"
        " locked_until = NULL, room_id = NULL, confirmed_by = NULL, confirmed_at = NULL",
        [
            agent["id"],
            agent["name"],
            agent["room_hint"],
            address,
            pin,
            digest(claim),
            iso(now),
            expires,
        ],
    )
    return PairingOffer(pin, claim, expires)


def confirm_pairing(
    tx: Tx, agent_id: str, pin: str, room: str, who: str, now: datetime, rules: PairingRules
) -> Confirmation:
    """Check `pin`; a wrong one is counted (and committed) before the caller reports it."""
    row = tx.one("SELECT * FROM panel_pairings WHERE agent_id = ?", [agent_id])
    if row is None:
        raise NoSuchAgent(f"no pending pairing for agent {agent_id}")
    check_unlocked(row, now)
    if row["pin"] is None or row["expires_at"] <= iso(now):
        raise PairingExpired("this PIN has expired: the panel shows a new one soon")
    room_id = _room_id(tx, room)
    if hmac.compare_digest(pin, row["pin"]):
        tx.conn.execute(
            "UPDATE panel_pairings SET room_id = ?, confirmed_by = ?, confirmed_at = ?,"
            " wrong_pins = 0 WHERE agent_id = ?",
            [room_id, who, iso(now), agent_id],
        )
        return Confirmation("confirmed", room_id)
    return _wrong_pin(tx, row, now, rules)


def _wrong_pin(tx: Tx, row: Row, now: datetime, rules: PairingRules) -> Confirmation:
    wrong = int(row["wrong_pins"]) + 1
    if wrong < rules.pin_attempts:
        tx.conn.execute(
            "UPDATE panel_pairings SET wrong_pins = ? WHERE agent_id = ?", [wrong, row["agent_id"]]
        )
        return Confirmation("wrong", attempts_left=rules.pin_attempts - wrong)
    until = now + timedelta(minutes=rules.lock_minutes)
    tx.conn.execute(
        "UPDATE panel_pairings SET wrong_pins = 0, locked_until = ?, pin = NULL WHERE agent_id = ?",
        [iso(until), row["agent_id"]],
    )
    return Confirmation("locked", retry_after=(until - now).total_seconds())


def check_unlocked(row: Row | None, now: datetime) -> None:
    if row is not None and row["locked_until"] and row["locked_until"] > iso(now):
        wait = (datetime.fromisoformat(row["locked_until"]) - now).total_seconds()
        raise PairingLocked("too many wrong PINs: pairing this panel is locked", wait)


def _room_id(tx: Tx, room: str) -> str:
    found = find_room(tx.conn, room)
    if found is None:
        raise NoSuchRoom(f"no room {room!r}")
    return found
