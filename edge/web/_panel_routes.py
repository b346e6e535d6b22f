"""Panel agents: pairing, their WebSocket, the teacher's remote for a room's panel, the list of
agents with their live state (staff) and revoking one (admins)."""

from __future__ import annotations

from aiohttp import web

from edge.accounts import Role
from edge.panelagents import list_agents, list_pairings, revoke_agent
from edge.web import _panel_control, _panel_pairing, _panel_socket
from edge.web._api import Api, Call, json_body
from edge.web._errors import ApiError
from edge.web._keys import CLOCK, DB, PANEL_AGENTS
from edge.web._timetable_routes import STAFF

TAG = "panels"


async def panel_pairings(call: Call) -> web.StreamResponse:
    now = call.app[CLOCK]()
    return json_body({"pairings": await call.app[DB].read(lambda c: list_pairings(c, now))})


async def panel_agents(call: Call) -> web.StreamResponse:
    rows, hub = await call.app[DB].read(list_agents), call.app[PANEL_AGENTS]
    return json_body({"agents": [row | hub.status(row["agent_id"]) for row in rows]})


async def panel_revoke(call: Call) -> web.StreamResponse:
    agent_id = call.param("agent_id")
    if not await call.app[DB].write(lambda tx: revoke_agent(tx, agent_id)):
        raise ApiError(404, "not_found", f"no panel agent {agent_id}")
    await call.app[PANEL_AGENTS].disconnect(agent_id)
    return web.Response(status=204)


def add_routes(api: Api) -> None:
    _panel_pairing.add_routes(api, TAG)
    _panel_socket.add_routes(api, TAG)
    _panel_control.add_routes(api, TAG)
    api.add(
        "GET",
        "/panel-agents/pairings",
        panel_pairings,
        tag=TAG,
        roles=STAFF,
        summary="Pairings waiting for their PIN to be confirmed (never the PIN)",
    )
    api.add(
        "GET",
        "/panel-agents",
        panel_agents,
        summary="Panel agents: room, connected, idle seconds, health",
        tag=TAG,
        roles=STAFF,
    )
    api.add(
        "DELETE",
        "/panel-agents/{agent_id}",
        panel_revoke,
        summary="Revoke a panel agent: its token stops working, its socket closes",
        tag=TAG,
        roles=(Role.ADMIN,),
        responses={204: "revoked", 404: "no such agent"},
    )
