"""Panel-agent errors become API errors here, once: each kind has one status code."""

from __future__ import annotations

import functools
import math

from aiohttp import web

from edge.panelagents import (
    AgentFailed,
    AgentNotConnected,
    AgentTimeout,
    BadCommand,
    NoSuchAgent,
    NoSuchRoom,
    PairingExpired,
    PairingLocked,
    PanelAgentError,
    WrongPin,
)
from edge.web._api import Call, Handler
from edge.web._errors import ApiError

_STATUS: dict[type[PanelAgentError], int] = {
    NoSuchAgent: 404,
    NoSuchRoom: 404,
    PairingExpired: 410,
    WrongPin: 422,
    BadCommand: 422,
    PairingLocked: 429,
    AgentNotConnected: 409,
    AgentFailed: 502,
    AgentTimeout: 504,
}


def api_error(err: PanelAgentError) -> ApiError:
    headers = {}
    if isinstance(err, PairingLocked):
        headers["Retry-After"] = str(max(1, math.ceil(err.retry_after)))
    return ApiError(_STATUS.get(type(err), 400), err.code, str(err), headers)


def translated(handler: Handler) -> Handler:
    @functools.wraps(handler)
    async def run(call: Call) -> web.StreamResponse:
        try:
            return await handler(call)
        except PanelAgentError as err:
            raise api_error(err) from err

    return run
