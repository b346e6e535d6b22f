"""`GET /api/v1/panel-agents/ws`: a paired agent's one outbound WebSocket (device token).

Box → agent: `welcome` {agent_id, room_id, report_seconds}, then `command` {id, command, url?}.
Agent → box: `hello` {version, health…}, `ack` {id, ok, result | error} for each command, and a
`report` {idle_seconds, health} every report_seconds (devices/agent/_session.py is the other end).
Close codes: 1001 the box is stopping, 4001 revoked, 4002 replaced by a newer connection."""

from __future__ import annotations

import json
import logging
from typing import Any

from aiohttp import WSMsgType, web

from edge.accounts import Role
from edge.panelagents import agent_for_account
from edge.web._api import Api, Call
from edge.web._errors import ApiError
from edge.web._keys import DB, PANEL_AGENTS, SETTINGS

MAX_MESSAGE_BYTES = 64 * 1024
_log = logging.getLogger(__name__)


def box_url(request: web.Request) -> str:
    """Where this agent reaches the box: the configured public URL, else the address it dialled."""
    public = request.app[SETTINGS].http.public_url
    return public.rstrip("/") if public else f"{request.scheme}://{request.host}"


async def panel_agent_socket(call: Call) -> web.StreamResponse:
    user_id = call.who.user_id
    agent = await call.app[DB].read(lambda conn: agent_for_account(conn, user_id))
    if agent is None:
        raise ApiError(403, "forbidden", "this device account is not a paired panel agent")
    panels = call.app[SETTINGS].panels
    socket = web.WebSocketResponse(
        heartbeat=panels.heartbeat_seconds, max_msg_size=MAX_MESSAGE_BYTES
    )
    await socket.prepare(call.request)
    hub = call.app[PANEL_AGENTS]
    link = await hub.attach(agent["agent_id"], agent["room_id"], box_url(call.request), socket)
    try:
        welcome = {"type": "welcome", "agent_id": agent["agent_id"], "room_id": agent["room_id"]}
        await socket.send_json(welcome | {"report_seconds": panels.report_seconds})
        async for message in socket:
            if message.type is WSMsgType.TEXT:
                hub.received(link, _parse(message.data))
    except ConnectionError as err:
        _log.info("panel agent %s: connection lost: %s", agent["agent_id"], err)
    finally:
        hub.detach(link)
    return socket


def _parse(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def add_routes(api: Api, tag: str) -> None:
    api.add(
        "GET",
        "/panel-agents/ws",
        panel_agent_socket,
        summary="A paired panel agent's WebSocket (upgrade; device token)",
        tag=tag,
        roles=(Role.DEVICE,),
        responses={101: "switching to WebSocket", 403: "not a paired panel agent"},
    )
