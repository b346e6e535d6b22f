"""Finding the box by mDNS: browse `_classedge._tcp.local.` and resolve the first answer to
`http://address:port` (IPv4; a fixed `box_url` in the config skips this)."""

from __future__ import annotations

import asyncio

from zeroconf import IPVersion, ServiceStateChange, Zeroconf
from zeroconf.asyncio import AsyncServiceBrowser, AsyncServiceInfo, AsyncZeroconf

BOX_SERVICE = "_classedge._tcp.local."
RESOLVE_MS = 3000


class BoxNotFound(RuntimeError):
    pass


async def discover_box(seconds: float, interfaces: str = "") -> str:
    """The first box that answers within `seconds`; `interfaces`: IPv4 addresses to browse on."""
    only = [part.strip() for part in interfaces.split(",") if part.strip()]
    zeroconf = (
        AsyncZeroconf(interfaces=only, ip_version=IPVersion.V4Only)
        if only
        else AsyncZeroconf(ip_version=IPVersion.V4Only)
    )
    names: asyncio.Queue[str] = asyncio.Queue()

    def heard(
        zeroconf: Zeroconf, service_type: str, name: str, state_change: ServiceStateChange
    ) -> None:
        if state_change is not ServiceStateChange.Removed:
            names.put_nowait(name)

    browser = AsyncServiceBrowser(zeroconf.zeroconf, [BOX_SERVICE], handlers=[heard])
    try:
        async with asyncio.timeout(seconds):
            while True:
                url = await _resolve(zeroconf, await names.get())
                if url is not None:
                    return url
    except TimeoutError:
        raise BoxNotFound(f"no box answered on mDNS ({BOX_SERVICE}) within {seconds:g} s") from None
    finally:
        await browser.async_cancel()
        await zeroconf.async_close()


async def _resolve(zeroconf: AsyncZeroconf, name: str) -> str | None:
    info = AsyncServiceInfo(BOX_SERVICE, name)
    if not await info.async_request(zeroconf.zeroconf, RESOLVE_MS):
        return None
    addresses = info.parsed_addresses(IPVersion.V4Only)
    if not addresses or not info.port:
        return None
    return f"http://{addresses[0]}:{info.port}"
