"""The panels registered on this box (one per room, and how its control port is reached): listed
for staff with today's schedule, added and removed by admins."""

from __future__ import annotations

from aiohttp import web

from devices.panels import PANEL_PROTOCOLS
from edge.accounts import Role
from edge.panels import add_panel, list_panels, remove_panel
from edge.web._api import Api, Call, json_body
from edge.web._keys import DB, PANELS
from edge.web._panel_power_routes import translated
from edge.web._timetable_routes import STAFF

ADMIN = (Role.ADMIN,)
_ADD_BODY = {
    "type": "object",
    "required": ["room", "protocol", "address"],
    "additionalProperties": False,
    "properties": {
        "room": {"type": "string", "minLength": 1, "maxLength": 128},
        "protocol": {"enum": sorted(PANEL_PROTOCOLS)},
        "address": {"type": "string", "minLength": 1, "maxLength": 256},
        "options": {"type": "object"},
    },
}


@translated
async def panels(call: Call) -> web.StreamResponse:
    rows = await call.app[DB].read(list_panels)
    schedule = call.app[PANELS].schedule
    steps = [{"room_id": s.room_id, "at": s.at.isoformat(), "on": s.on} for s in schedule.steps]
    return json_body({"panels": rows, "schedule": steps, "errors": schedule.errors})


@translated
async def new_panel(call: Call) -> web.StreamResponse:
    body = call.body
    row = await call.app[DB].write(
        lambda tx: add_panel(
            tx,
            room=body["room"],
            protocol=body["protocol"],
            address=body["address"],
            options=body.get("options") or {},
        )
    )
    await call.app[PANELS].schedule.rebuild()
    return json_body(row, status=201)


@translated
async def delete_panel(call: Call) -> web.StreamResponse:
    room = call.param("room_id")
    await call.app[DB].write(lambda tx: remove_panel(tx, room))
    await call.app[PANELS].schedule.rebuild()
    return web.Response(status=204)


def add_routes(api: Api) -> None:
    tag = "panels"
    api.add(
        "GET",
        "/panels",
        panels,
        summary="Panels, today's schedule and its failures",
        tag=tag,
        roles=STAFF,
    )
    api.add(
        "POST",
        "/panels",
        new_panel,
        summary="Register a room's panel and its control link",
        tag=tag,
        roles=ADMIN,
        body=_ADD_BODY,
        responses={201: "Registered"},
    )
    api.add(
        "DELETE",
        "/panels/{room_id}",
        delete_panel,
        summary="Remove a room's panel",
        tag=tag,
        roles=ADMIN,
        responses={204: "Removed"},
    )
