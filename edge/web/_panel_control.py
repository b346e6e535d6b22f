"""The teacher's remote for a room's panel: show a lesson (or any cached content or URL), turn
pages, blank and unblank. Only a teacher of the lesson in that room now, or an admin, may."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

from content_cache import CATALOG
from edge.panelagents import BadCommand, lesson_path, require_room_controller
from edge.web._api import Api, Call, json_body
from edge.web._keys import CLOCK, DB, PANEL_AGENTS, SETTINGS
from edge.web._panel_errors import translated
from edge.web._panel_schemas import SHOW_BODY
from edge.web._timetable_routes import STAFF

PAGE_COMMANDS = ("next", "previous", "blank", "unblank")


async def require_controller(call: Call) -> str:
    room_id, who = call.param("room_id"), call.who
    now = call.app[CLOCK]().astimezone(call.app[SETTINGS].tz)
    await call.app[DB].read(lambda conn: require_room_controller(conn, who, room_id, now))
    return room_id


async def _send(call: Call, room_id: str, command: dict[str, Any]) -> web.StreamResponse:
    outcomes = await call.app[PANEL_AGENTS].send_room(room_id, command)
    return json_body({"room_id": room_id, "command": command["command"], "agents": outcomes})


@translated
async def panel_show(call: Call) -> web.StreamResponse:
    room_id = await require_controller(call)
    body = call.body
    if ("url" in body) == ("entry_id" in body):
        raise BadCommand("send either a url or an entry_id (with an optional path)")
    url = body["url"] if "url" in body else await _lesson_url(call, body)
    return await _send(call, room_id, {"command": "show", "url": url})


async def _lesson_url(call: Call, body: dict[str, Any]) -> str:
    entry_id, path = body["entry_id"], body.get("path", "").lstrip("/")
    entry = await asyncio.to_thread(call.app[CATALOG].get, entry_id)
    if entry is None:
        raise BadCommand(f"no lesson {entry_id!r} in this box's catalog")
    if path and all(f.path != path for f in entry.files):
        raise BadCommand(f"lesson {entry_id!r} has no file {path!r}")
    return lesson_path(entry_id, path)


def _page(name: str) -> Any:
    @translated
    async def command(call: Call) -> web.StreamResponse:
        room_id = await require_controller(call)
        return await _send(call, room_id, {"command": name})

    command.__name__ = f"panel_{name}"
    return command


def add_routes(api: Api, tag: str) -> None:
    api.add(
        "POST",
        "/rooms/{room_id}/panel/show",
        panel_show,
        summary="Show a lesson (entry_id, path), cached content or a URL on the room's panel",
        tag=tag,
        roles=STAFF,
        body=SHOW_BODY,
        responses={200: "acknowledged", 409: "no agent connected", 504: "no acknowledgement"},
    )
    for name in PAGE_COMMANDS:
        api.add(
            "POST",
            f"/rooms/{{room_id}}/panel/{name}",
            _page(name),
            summary=f"{name.capitalize()} on the room's panel",
            tag=tag,
            roles=STAFF,
            responses={200: "acknowledged", 409: "no agent connected", 504: "no acknowledgement"},
        )
