"""PIN pairing of panel agents: the agent asks (unauthenticated, rate-limited) and gets a PIN
to show and a claim only it knows; a teacher or admin confirms the PIN for a room; the agent's
next poll with its claim receives its device token, once."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from edge.db import Tx
from edge.panelagents import (
    PairingLocked,
    PairingOffer,
    PairingRules,
    WrongPin,
    confirm_pairing,
    poll_pairing,
    purge_stale_pairings,
    request_pairing,
)
from edge.web._api import Api, Call, json_body
from edge.web._errors import ApiError
from edge.web._keys import CLOCK, DB, DEVICE_TOKENS, PAIR_THROTTLE, SETTINGS
from edge.web._panel_errors import translated
from edge.web._panel_schemas import CONFIRM_BODY, PAIR_BODY, STATUS_BODY
from edge.web._timetable_routes import STAFF

AGENT_ID = re.compile(r"[A-Za-z0-9-]{8,48}")


def _rules(call: Call) -> PairingRules:
    panels = call.app[SETTINGS].panels
    return PairingRules(panels.pin_minutes, panels.pin_attempts, panels.lock_minutes)


def _poll_seconds(call: Call) -> float:
    return call.app[SETTINGS].panels.pair_poll_seconds


def _agent_id(value: str) -> str:
    if not AGENT_ID.fullmatch(value):
        raise ApiError(400, "invalid_body", "agent_id: 8-48 letters, digits or '-'")
    return value


def _throttle(call: Call, agent_id: str) -> None:
    """Every pairing request counts against the window, per agent id and per address."""
    throttle, address = call.app[PAIR_THROTTLE], call.request.remote or ""
    wait = throttle.retry_after(agent_id, address)
    if wait > 0:
        detail = "too many pairing requests; try again later"
        raise ApiError(429, "too_many_attempts", detail, {"Retry-After": str(int(wait) + 1)})
    throttle.failed(agent_id, address)


@translated
async def panel_pair(call: Call) -> web.StreamResponse:
    body = call.body
    agent = {"id": _agent_id(body["agent_id"]), "name": body["name"]}
    agent["room_hint"] = body.get("room_hint", "")
    _throttle(call, agent["id"])
    now, rules, address = call.app[CLOCK](), _rules(call), call.request.remote or ""

    def write(tx: Tx) -> PairingOffer:
        purge_stale_pairings(tx, now)
        return request_pairing(tx, agent, address, now, rules)

    offer = await call.app[DB].write(write)
    answer = {"agent_id": agent["id"], "pin": offer.pin, "claim": offer.claim}
    answer |= {"expires_at": offer.expires_at, "poll_seconds": _poll_seconds(call)}
    return json_body(answer, 201)


@translated
async def panel_pair_status(call: Call) -> web.StreamResponse:
    agent_id, claim, now = _agent_id(call.body["agent_id"]), call.body["claim"], call.app[CLOCK]()
    state = await call.app[DB].write(lambda tx: poll_pairing(tx, agent_id, claim, now))
    answer: dict[str, Any] = {"agent_id": agent_id, "state": state.state}
    if state.state == "pending":
        answer |= {"expires_at": state.expires_at, "poll_seconds": _poll_seconds(call)}
    elif state.state == "locked":
        answer["retry_after"] = round(state.retry_after)
    else:
        token, _ = await call.app[DEVICE_TOKENS].start(state.user_id)
        answer |= {"token": token, "room_id": state.room_id}
    return json_body(answer)


@translated
async def panel_confirm(call: Call) -> web.StreamResponse:
    agent_id, who, now, rules = (
        call.param("agent_id"),
        call.who.username,
        call.app[CLOCK](),
        _rules(call),
    )
    pin, room = call.body["pin"], call.body["room"]
    done = await call.app[DB].write(
        lambda tx: confirm_pairing(tx, agent_id, pin, room, who, now, rules)
    )
    if done.outcome == "wrong":
        raise WrongPin(f"wrong PIN; {done.attempts_left} attempt(s) left before pairing locks")
    if done.outcome == "locked":
        raise PairingLocked("wrong PIN too many times: pairing is locked", done.retry_after)
    return json_body({"agent_id": agent_id, "room_id": done.room_id, "state": "confirmed"})


def add_routes(api: Api, tag: str) -> None:
    api.add(
        "POST",
        "/panel-agents/pair",
        panel_pair,
        summary="A panel agent asks for a PIN",
        tag=tag,
        roles=None,
        body=PAIR_BODY,
        responses={201: "a PIN to show and a claim", 429: "too many requests"},
    )
    api.add(
        "POST",
        "/panel-agents/pair/status",
        panel_pair_status,
        tag=tag,
        roles=None,
        summary="A pairing agent polls: pending, locked, or paired with its token (once)",
        body=STATUS_BODY,
    )
    api.add(
        "POST",
        "/panel-agents/pairings/{agent_id}/confirm",
        panel_confirm,
        tag=tag,
        roles=STAFF,
        summary="Confirm the PIN a panel shows, for a room",
        body=CONFIRM_BODY,
        responses={200: "confirmed", 422: "wrong PIN", 429: "locked: wrong PIN too often"},
    )
