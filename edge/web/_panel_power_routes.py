"""A room's panel itself, over its RS-232/LAN control port: power, input, volume and mute for
the teacher of the lesson in the room now (or an admin); its status for staff."""

from __future__ import annotations

import functools
from typing import Any

from aiohttp import web

from devices.panels import INPUT_NAMES, PanelState
from edge.accounts import Role
from edge.panels import PanelConfigError, PanelControlError
from edge.web._api import Api, Call, Handler, json_body
from edge.web._errors import ApiError
from edge.web._keys import PANELS
from edge.web._panel_control import require_controller
from edge.web._timetable_routes import STAFF

ADMIN = (Role.ADMIN,)
_STATUS = {"busy": 409, "timeout": 504, "failed": 502}


def _one(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": [name],
        "additionalProperties": False,
        "properties": {name: schema},
    }


def translated(handler: Handler) -> Handler:
    @functools.wraps(handler)
    async def wrapped(call: Call) -> web.StreamResponse:
        try:
            return await handler(call)
        except PanelConfigError as err:
            status = 404 if "no panel" in str(err) or "no room" in str(err) else 400
            raise ApiError(status, "panel_config", str(err)) from err
        except PanelControlError as err:
            raise ApiError(_STATUS[err.kind], f"panel_{err.kind}", str(err)) from err

    return wrapped


@translated
async def panel_status(call: Call) -> web.StreamResponse:
    return _state(await call.app[PANELS].control.state(call.param("room_id")))


def _setter(field: str) -> Handler:
    @translated
    async def set_field(call: Call) -> web.StreamResponse:
        room_id, value = await require_controller(call), call.body[field]
        control = call.app[PANELS].control
        match field:
            case "on":
                state = await control.power(room_id, value)
            case "name":
                state = await control.select_input(room_id, value)
            case "level":
                state = await control.set_volume(room_id, value)
            case _:
                state = await control.set_mute(room_id, value)
        return _state(state)

    set_field.__name__ = f"panel_set_{field}"
    return set_field


def _state(state: PanelState) -> web.StreamResponse:
    return json_body(
        {"power": state.power, "input": state.input, "volume": state.volume, "muted": state.muted}
    )


_SETTERS: dict[str, tuple[str, dict[str, Any]]] = {
    "power": ("on", {"type": "boolean"}),
    "input": ("name", {"enum": sorted(INPUT_NAMES)}),
    "volume": ("level", {"type": "integer", "minimum": 0, "maximum": 100}),
    "mute": ("muted", {"type": "boolean"}),
}
_FAILURES = {
    404: "No such room or panel",
    409: "Switching power",
    502: "Refused or link down",
    504: "No answer",
}


def add_routes(api: Api) -> None:
    tag = "panels"
    api.add(
        "GET",
        "/rooms/{room_id}/panel/status",
        panel_status,
        tag=tag,
        roles=STAFF,
        summary="What the room's panel says of itself",
        responses=_FAILURES,
    )
    for name, (field, schema) in _SETTERS.items():
        api.add(
            "POST",
            f"/rooms/{{room_id}}/panel/{name}",
            _setter(field),
            tag=tag,
            roles=STAFF,
            summary=f"Set the room's panel {name}",
            body=_one(field, schema),
            responses=_FAILURES,
        )
