"""Lesson prefetch, for staff: what the box holds and is fetching; for admins, a round now."""

from __future__ import annotations

import asyncio
import dataclasses

from aiohttp import web

from content_cache import FetchError
from edge.accounts import Role
from edge.hubsync import NotEnrolledError
from edge.prefetch import ContentBusy
from edge.web._api import Api, Call, json_body
from edge.web._errors import ApiError
from edge.web._keys import PREFETCH

STAFF = (Role.ADMIN, Role.TEACHER)


async def content_status(call: Call) -> web.StreamResponse:
    return json_body(await asyncio.to_thread(call.app[PREFETCH].status))


async def fetch_now(call: Call) -> web.StreamResponse:
    try:
        found = await call.app[PREFETCH].run_now()
    except NotEnrolledError as err:
        raise ApiError(409, "not_enrolled", str(err)) from err
    except ContentBusy as err:
        raise ApiError(409, "busy", str(err)) from err
    except FetchError as err:
        raise ApiError(502, "hub_unreachable", str(err)) from err
    refresh = None if found.refresh is None else dataclasses.asdict(found.refresh)
    return json_body(
        {
            "refresh": refresh,
            "catalog_refused": found.refused,
            "wanted": found.wanted,
            "progress": found.progress.to_json(),
        }
    )


def add_routes(api: Api) -> None:
    api.add(
        "GET",
        "/content/status",
        content_status,
        tag="content",
        roles=STAFF,
        summary="The catalog held, the store's use, and the prefetch in progress",
    )
    api.add(
        "POST",
        "/content/fetch",
        fetch_now,
        tag="content",
        roles=(Role.ADMIN,),
        summary="Refresh the catalog, plan and fetch now; answers when the round ends",
        responses={
            200: "The round's figures",
            409: "Not enrolled with a hub, or another process is fetching",
            502: "The hub is unreachable",
        },
    )
