"""Diary sync with the hub, for admins: where the box stands, a round now, the conflict log
(docs/sync-protocol.md §10)."""

from __future__ import annotations

import dataclasses

from aiohttp import web

from edge.accounts import Role
from edge.hubsync import (
    HubUnreachableError,
    NotEnrolledError,
    SyncError,
    list_conflicts,
    read_status,
)
from edge.web._api import Api, Call, json_body
from edge.web._errors import ApiError
from edge.web._keys import DB, SYNC

ADMIN = (Role.ADMIN,)
MAX_CONFLICTS = 1000
NUMBER = {"type": "string", "minLength": 1, "maxLength": 12}


async def status(call: Call) -> web.StreamResponse:
    found = await call.app[DB].read(read_status)
    return json_body({**found.as_json(), "schedule": call.app[SYNC].state.as_json()})


async def sync_now(call: Call) -> web.StreamResponse:
    try:
        report = await call.app[SYNC].run_now()
    except NotEnrolledError as err:
        raise ApiError(409, "not_enrolled", str(err)) from err
    except HubUnreachableError as err:
        raise ApiError(502, "hub_unreachable", str(err)) from err
    except SyncError as err:
        raise ApiError(502, "sync_failed", str(err)) from err
    return json_body(dataclasses.asdict(report))


async def conflicts(call: Call) -> web.StreamResponse:
    limit = _whole(call, "limit", 100, 1, MAX_CONFLICTS)
    after = _whole(call, "after", 0, 0, 2**63 - 1)
    rows = await call.app[DB].read(lambda conn: list_conflicts(conn, limit=limit, after=after))
    return json_body({"conflicts": rows})


def _whole(call: Call, name: str, default: int, low: int, high: int) -> int:
    text = call.query.get(name)
    if text is None:
        return default
    try:
        value = int(text)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise ApiError(400, "invalid_query", f"{name}: must be a whole number from {low} to {high}")
    return value


def add_routes(api: Api) -> None:
    api.add(
        "GET",
        "/sync/status",
        status,
        tag="sync",
        roles=ADMIN,
        summary="Where the box stands with the hub, and when it syncs next",
    )
    api.add(
        "POST",
        "/sync/now",
        sync_now,
        tag="sync",
        roles=ADMIN,
        summary="Sync with the hub now: push what it lacks, then pull what is new",
        responses={
            200: "The round's figures",
            409: "Not enrolled with a hub",
            502: "The hub is unreachable or refused",
        },
    )
    api.add(
        "GET",
        "/sync/conflicts",
        conflicts,
        tag="sync",
        roles=ADMIN,
        query={"limit": NUMBER, "after": NUMBER},
        summary="Values that lost to a concurrent edit or that the schema refused, oldest first",
    )
