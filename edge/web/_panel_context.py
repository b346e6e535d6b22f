"""The cleanup contexts of the panel side: the mDNS advertisement, and the panel-agent hub
(whose sockets are closed on shutdown, before the server waits for its handlers)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

from aiohttp import web

from edge import __version__
from edge.accounts import LoginThrottle, Sessions
from edge.discovery import Advertisement, Advertiser, host_addresses
from edge.panelagents import AgentHub
from edge.web._api import PREFIX
from edge.web._keys import DB, DEVICE_TOKENS, DISCOVERY, PAIR_THROTTLE, PANEL_AGENTS, SETTINGS

#: a device token lasts until the agent is revoked (or paired again)
DEVICE_TOKEN_LIFETIME = timedelta(days=365 * 100)


async def discovery_context(app: web.Application) -> AsyncIterator[None]:
    settings, clock = app[SETTINGS], app[DB].clock
    if not settings.discovery.enabled or clock is None:
        app[DISCOVERY] = None
        yield
        return
    advertisement = Advertisement(
        settings.box.name, settings.http.port, clock.node, __version__, PREFIX
    )
    only = settings.discovery.interfaces
    advertiser = Advertiser(
        advertisement,
        poll_seconds=settings.discovery.address_poll_seconds,
        addresses=lambda: host_addresses(only),
    )
    app[DISCOVERY] = advertiser
    advertiser.start()
    yield
    await advertiser.stop()


async def panel_agents_context(app: web.Application) -> AsyncIterator[None]:
    panels = app[SETTINGS].panels
    hub = AgentHub(timeout=panels.command_timeout_seconds)
    app[PANEL_AGENTS] = hub
    app[DEVICE_TOKENS] = Sessions(app[DB], DEVICE_TOKEN_LIFETIME)
    app[PAIR_THROTTLE] = LoginThrottle(
        per_account=panels.pair_requests,
        per_address=panels.pair_requests,
        window_seconds=panels.pair_window_seconds,
    )
    yield
    await hub.close()


async def close_panel_agents(app: web.Application) -> None:
    """Agents are told the box is going away; each reconnects on its own."""
    if PANEL_AGENTS in app:
        await app[PANEL_AGENTS].close()
