"""Panels configured on this box, one per room, keyed by a stable id (never by address)."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from typing import Any

from devices.panels import PANEL_PROTOCOLS, SERIAL_SPEEDS, make_panel_codec, panel_transport
from edge.db import Row, Tx
from edge.diary import find_room
from sync import uuid7

#: a panel's settings beyond protocol and address, as `--option NAME=VALUE`
OPTIONS = {"panel_id": int, "baudrate": int, "upper_case_inputs": bool}


class PanelConfigError(ValueError):
    """A panel that cannot be registered or found, phrased for the IT technician."""


def add_panel(
    tx: Tx, *, room: str, protocol: str, address: str, options: dict[str, Any] | None = None
) -> Row:
    """Register the panel of `room` (a name or id), checking protocol, address and options."""
    options = options or {}
    _check(protocol, address, options)
    room_id = room_of(tx.conn, room)
    if tx.one("SELECT 1 FROM panels WHERE room_id = ?", [room_id]):
        raise PanelConfigError(f"room {room!r} has a panel already: remove it first")
    twin = tx.one("SELECT id FROM panels WHERE address = ?", [address])
    if twin is not None:  # two drivers on one port would talk over each other
        raise PanelConfigError(f"another panel is controlled through {address}")
    row = {
        "id": uuid7(),
        "room_id": room_id,
        "protocol": protocol,
        "address": address,
        "options": json.dumps(options, sort_keys=True),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    tx.insert("panels", row)
    return row


def remove_panel(tx: Tx, room: str) -> None:
    room_id = room_of(tx.conn, room)
    if not tx.conn.execute("DELETE FROM panels WHERE room_id = ?", [room_id]).rowcount:
        raise PanelConfigError(f"room {room!r} has no panel")


def list_panels(conn: sqlite3.Connection) -> list[Row]:
    return conn.execute(
        "SELECT p.*, r.name AS room_name FROM panels p JOIN rooms r ON r.id = p.room_id"
        " ORDER BY r.name"
    ).fetchall()


def panel_of_room(conn: sqlite3.Connection, room: str) -> Row:
    room_id = room_of(conn, room)
    found: Row | None = conn.execute(
        "SELECT p.*, r.name AS room_name FROM panels p JOIN rooms r ON r.id = p.room_id"
        " WHERE p.room_id = ?",
        [room_id],
    ).fetchone()
    if found is None:
        raise PanelConfigError(f"room {room!r} has no panel (edge panels add)")
    return found


def room_of(conn: sqlite3.Connection, room: str) -> str:
    found = find_room(conn, room)
    if found is None:
        raise PanelConfigError(f"no room {room!r}; rooms come from the timetable import")
    return found


def parse_option(text: str) -> tuple[str, Any]:
    """`panel_id=2` → ("panel_id", 2); PanelConfigError naming what is wrong."""
    name, _, value = text.partition("=")
    kind = OPTIONS.get(name)
    if kind is None:
        raise PanelConfigError(f"unknown panel option {name!r}; known: {', '.join(OPTIONS)}")
    if kind is bool:
        if value not in ("true", "false"):
            raise PanelConfigError(f"{name}: true or false, not {value!r}")
        return name, value == "true"
    try:
        return name, int(value)
    except ValueError:
        raise PanelConfigError(f"{name}: a whole number, not {value!r}") from None


def _check(protocol: str, address: str, options: dict[str, Any]) -> None:
    if protocol not in PANEL_PROTOCOLS:
        known = ", ".join(sorted(PANEL_PROTOCOLS))
        raise PanelConfigError(f"unknown panel protocol {protocol!r}; known: {known}")
    try:
        make_panel_codec(
            protocol,
            panel_id=options.get("panel_id"),
            upper_case_inputs=options.get("upper_case_inputs", False),
        )
        panel_transport(address, options.get("baudrate", SERIAL_SPEEDS[protocol]))
    except ValueError as err:
        raise PanelConfigError(str(err)) from err
