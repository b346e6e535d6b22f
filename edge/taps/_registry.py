"""Readers configured on this box, and cards: assigning a card to a person, unknown cards."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import UTC, datetime
from typing import Any

from devices import EvdevTransport, PynputTransport, Transport, parse_address
from devices.readers import PROTOCOLS, make_codec
from edge.accounts import resolve_person
from edge.db import Row, Tx
from edge.diary import find_room
from sync import uuid7

_NAME = re.compile(r"^[A-Za-z0-9._ -]{1,64}$")


class ReaderError(ValueError):
    """A reader or card request that cannot be carried out, phrased for the admin."""


def add_reader(
    tx: Tx,
    *,
    name: str,
    protocol: str,
    address: str,
    room: str | None = None,
    direction: str | None = None,
    baudrate: int | None = None,
    options: dict[str, Any] | None = None,
) -> Row:
    """Register a reader at a room's door or at the entrance (exactly one of the two)."""
    if not _NAME.match(name):
        raise ReaderError(f"reader name {name!r}: use 1-64 letters, digits, spaces, '.', '_', '-'")
    if protocol not in PROTOCOLS:
        raise ReaderError(f"unknown protocol {protocol!r}; known: {', '.join(sorted(PROTOCOLS))}")
    try:
        make_codec(protocol, options or {})
    except ValueError as err:
        raise ReaderError(f"{protocol} options: {err}") from err
    if (room is None) == (direction is None):
        raise ReaderError("a reader is either at a room (--room) or at the entrance (--entrance)")
    try:
        transport = parse_address(address, baudrate or PROTOCOLS[protocol])
    except ValueError as err:
        raise ReaderError(str(err)) from err
    _check_link(protocol, address, transport)
    if tx.one("SELECT 1 FROM readers WHERE name = ?", [name]):
        raise ReaderError(f"a reader named {name!r} exists")
    twin = tx.one("SELECT name FROM readers WHERE address = ?", [address])
    if twin is not None:  # two readers on one port would both hear every card
        raise ReaderError(f"reader {twin['name']!r} already reads {address}")
    row = {
        "id": uuid7(),
        "name": name,
        "protocol": protocol,
        "address": address,
        "baudrate": baudrate or PROTOCOLS[protocol],
        "location": "room" if room else "entrance",
        "room_id": _room_id(tx, room) if room else None,
        "direction": direction,
        "options": json.dumps(options or {}),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    tx.insert("readers", row)
    return row


def _check_link(protocol: str, address: str, transport: Transport) -> None:
    """Keyboard-wedge readers (protocol `wedge`) are read from an input device, and only they."""
    is_keyboard = isinstance(transport, EvdevTransport | PynputTransport)
    if protocol == "wedge" and not is_keyboard:
        raise ReaderError(
            f"{address!r} is not a keyboard input: a 'wedge' reader is registered by its"
            " /dev/input/by-id/…-event-kbd path (see `edge devices scan`) or as 'keyboard:'"
        )
    if protocol != "wedge" and is_keyboard:
        raise ReaderError(
            f"{address!r} is a keyboard input, read only with protocol 'wedge';"
            f" a {protocol!r} reader needs a serial port or tcp://HOST:PORT"
        )


def _room_id(tx: Tx, room: str) -> str:
    found = find_room(tx.conn, room)
    if found is None:
        raise ReaderError(f"no room {room!r}; rooms come from the timetable import")
    return found


def remove_reader(tx: Tx, name_or_id: str) -> None:
    removed = tx.conn.execute(
        "DELETE FROM readers WHERE name = ? OR id = ?", [name_or_id, name_or_id]
    ).rowcount
    if not removed:
        raise ReaderError(f"no reader {name_or_id!r}")


def list_readers(conn: sqlite3.Connection) -> list[Row]:
    return conn.execute(
        "SELECT r.*, rooms.name AS room_name FROM readers r"
        " LEFT JOIN rooms ON rooms.id = r.room_id ORDER BY r.name"
    ).fetchall()


def assign_card(tx: Tx, uid: str, person_ref: str) -> tuple[str, str]:
    """Give a card to a person (replacing whoever had it); returns the card's uid as stored and
    the person's id. Taps already stored keep their outcome: it applies from the next tap."""
    uid = uid.strip().upper()
    if not uid or len(uid) > 64:
        raise ReaderError("a card uid is 1 to 64 characters")
    try:
        person_id = resolve_person(tx.conn, person_ref)
    except ValueError as err:
        raise ReaderError(str(err)) from err
    tx.upsert("cards", {"uid": uid}, {"person_id": person_id})
    return uid, person_id


def unknown_cards(conn: sqlite3.Connection) -> list[Row]:
    """Cards tapped and still unassigned, most recent first."""
    return conn.execute(
        "SELECT t.card_uid, count(*) AS taps, max(t.at) AS last_at, r.name AS last_reader"
        " FROM taps t LEFT JOIN readers r ON r.id = t.reader_id"
        " WHERE t.outcome = 'unknown_card' AND t.deleted = 0 AND NOT EXISTS"
        " (SELECT 1 FROM cards c WHERE c.uid = t.card_uid AND c.deleted = 0)"
        " GROUP BY t.card_uid ORDER BY last_at DESC"
    ).fetchall()
