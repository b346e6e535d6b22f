"""Card readers and cards (admins), the live attendance register (Server-Sent Events), and a
student's entry/exit events."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from typing import Any

from aiohttp import web

from devices import ReaderState
from devices.readers import PROTOCOLS
from edge.accounts import Role
from edge.db import Row
from edge.diary import get_lesson_for_writer, require_student_reader
from edge.taps import (
    ReaderError,
    add_reader,
    assign_card,
    list_readers,
    remove_reader,
    unknown_cards,
)
from edge.web._api import Api, Call, json_body
from edge.web._errors import ApiError
from edge.web._keys import DB, LIVE, READERS
from edge.web._timetable_routes import STAFF

ADMIN = (Role.ADMIN,)
KEEPALIVE_SECONDS = 15.0
READER_BODY = {
    "type": "object",
    "required": ["name", "protocol", "address"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 64},
        "protocol": {"type": "string", "enum": sorted(PROTOCOLS)},
        "address": {"type": "string", "minLength": 1, "maxLength": 256},
        "baudrate": {"type": "integer", "minimum": 300, "maximum": 4_000_000},
        "room": {"type": "string", "minLength": 1, "maxLength": 64},
        "direction": {"type": "string", "enum": ["in", "out", "toggle"]},
        "options": {"type": "object"},
    },
}
CARD_BODY = {
    "type": "object",
    "required": ["person"],
    "additionalProperties": False,
    "properties": {"person": {"type": "string", "minLength": 1, "maxLength": 128}},
}


async def readers(call: Call) -> web.StreamResponse:
    rows = await call.app[DB].read(list_readers)
    states = call.app[READERS].states
    return json_body({"readers": [_reader_view(row, states.get(row["id"])) for row in rows]})


def _reader_view(row: Row, state: ReaderState | None) -> dict[str, Any]:
    view = {
        k: row[k]
        for k in (
            "id",
            "name",
            "protocol",
            "address",
            "baudrate",
            "location",
            "room_id",
            "room_name",
            "direction",
            "created_at",
        )
    }
    view["options"] = json.loads(row["options"])
    view["available"] = None if state is None else state.available
    view["detail"] = None if state is None else state.detail
    return view


async def new_reader(call: Call) -> web.StreamResponse:
    body = call.body
    try:
        row = await call.app[DB].write(
            lambda tx: add_reader(
                tx,
                name=body["name"],
                protocol=body["protocol"],
                address=body["address"],
                room=body.get("room"),
                direction=body.get("direction"),
                baudrate=body.get("baudrate"),
                options=body.get("options"),
            )
        )
    except ReaderError as err:
        raise ApiError(422, "invalid", str(err)) from err
    await call.app[READERS].reload()
    return json_body(_reader_view({**row, "room_name": body.get("room")}, None), 201)


async def delete_reader(call: Call) -> web.StreamResponse:
    reader_id = call.param("reader_id")
    try:
        await call.app[DB].write(lambda tx: remove_reader(tx, reader_id))
    except ReaderError as err:
        raise ApiError(404, "not_found", str(err)) from err
    await call.app[READERS].reload()
    return web.Response(status=204)


async def cards_unknown(call: Call) -> web.StreamResponse:
    return json_body({"cards": await call.app[DB].read(unknown_cards)})


async def put_card(call: Call) -> web.StreamResponse:
    uid, person = call.param("uid"), call.body["person"]
    try:
        stored, person_id = await call.app[DB].write(lambda tx: assign_card(tx, uid, person))
    except ReaderError as err:
        raise ApiError(422, "invalid", str(err)) from err
    return json_body({"uid": stored, "person_id": person_id})


async def live_register(call: Call) -> web.StreamResponse:
    """Attendance changes of one lesson as Server-Sent Events, until the client goes away."""
    lesson_id = call.param("lesson_id")
    await call.app[DB].read(lambda conn: get_lesson_for_writer(conn, call.who, lesson_id))
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream",
            "Cache-Control": "no-cache",
            "X-Accel-Buffering": "no",
        }
    )
    await response.prepare(call.request)
    with call.app[LIVE].listen(lesson_id) as events:
        await response.write(b": listening\n\n")
        while True:
            try:
                event = await asyncio.wait_for(events.get(), KEEPALIVE_SECONDS)
            except TimeoutError:
                await response.write(b": keep-alive\n\n")
                continue
            if event is None:
                break
            await response.write(f"event: attendance\ndata: {json.dumps(event)}\n\n".encode())
    return response


async def presence(call: Call) -> web.StreamResponse:
    student_id = call.param("student_id")

    def read(conn: sqlite3.Connection) -> list[Row]:
        require_student_reader(conn, call.who, student_id)
        return conn.execute(
            "SELECT p.direction, p.at, r.name AS reader FROM presence_events p"
            " LEFT JOIN readers r ON r.id = p.reader_id"
            " WHERE p.person_id = ? AND p.deleted = 0 ORDER BY p.at DESC LIMIT 200",
            [student_id],
        ).fetchall()

    return json_body({"student_id": student_id, "events": await call.app[DB].read(read)})


def add_routes(api: Api) -> None:
    api.add(
        "GET",
        "/readers",
        readers,
        tag="readers",
        roles=ADMIN,
        summary="Card readers with their location and whether they are reachable",
    )
    api.add(
        "POST",
        "/readers",
        new_reader,
        tag="readers",
        roles=ADMIN,
        body=READER_BODY,
        summary="Register a card reader at a room's door or at the entrance",
        responses={201: "Registered", 422: "Bad protocol, address or room"},
    )
    api.add(
        "DELETE",
        "/readers/{reader_id}",
        delete_reader,
        tag="readers",
        roles=ADMIN,
        summary="Remove a card reader",
        responses={204: "Removed"},
    )
    api.add(
        "GET",
        "/cards/unknown",
        cards_unknown,
        tag="readers",
        roles=ADMIN,
        summary="Cards that were tapped but belong to nobody yet",
    )
    api.add(
        "PUT",
        "/cards/{uid}",
        put_card,
        tag="readers",
        roles=ADMIN,
        body=CARD_BODY,
        summary="Give a card to a person (sourcedId, username or e-mail)",
        responses={200: "Assigned", 422: "No such person"},
    )
    api.add(
        "GET",
        "/lessons/{lesson_id}/attendance/live",
        live_register,
        tag="attendance",
        roles=STAFF,
        summary="Attendance changes of a lesson as they happen (text/event-stream)",
        responses={200: "text/event-stream"},
    )
    api.add(
        "GET",
        "/students/{student_id}/presence",
        presence,
        tag="readers",
        roles=(Role.ADMIN, Role.TEACHER, Role.STUDENT),
        summary="A student's entrance check-ins and check-outs, newest first",
    )
