"""mDNS advertisement of the box: `_classedge._tcp.local.` (for panel agents) and
`_http._tcp.local.` (for browsers), with TXT records naming the box, its version and its API
path. The box's addresses are polled; when they change, the advertisement is withdrawn and made
again on the new ones (a fresh responder, so a new interface is listened on too)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Callable
from dataclasses import dataclass

from zeroconf import Error as ZeroconfError
from zeroconf import IPVersion
from zeroconf.asyncio import AsyncServiceInfo, AsyncZeroconf

BOX_SERVICE = "_classedge._tcp.local."
HTTP_SERVICE = "_http._tcp.local."
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Advertisement:
    instance: str  # the service instance name people see, e.g. "Classroom Edge"
    port: int
    box_id: str
    version: str
    api_path: str = "/api/v1"

    def infos(self, addresses: list[str]) -> list[AsyncServiceInfo]:
        packed = [socket.inet_aton(address) for address in addresses]
        txt = {"id": self.box_id, "version": self.version, "api": self.api_path}
        server = f"classedge-{self.box_id[:12]}.local."
        return [
            AsyncServiceInfo(
                kind,
                f"{self.instance}.{kind}",
                addresses=packed,
                port=self.port,
                properties={**txt, "path": self.api_path if kind == BOX_SERVICE else "/"},
                server=server,
            )
            for kind in (BOX_SERVICE, HTTP_SERVICE)
        ]


class Advertiser:
    def __init__(
        self,
        advertisement: Advertisement,
        *,
        poll_seconds: float,
        addresses: Callable[[], list[str]],
    ) -> None:
        self._ad = advertisement
        self._poll = poll_seconds
        self._addresses = addresses
        self._zeroconf: AsyncZeroconf | None = None
        self._task: asyncio.Task[None] | None = None
        #: the addresses advertised now (empty: not advertised)
        self.advertised: list[str] = []

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="mdns-advertiser")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._withdraw()

    async def _run(self) -> None:
        while True:
            current = self._addresses()
            if current != self.advertised:
                await self._withdraw()
                if current:
                    await self._publish(current)
            await asyncio.sleep(self._poll)

    async def _publish(self, addresses: list[str]) -> None:
        zeroconf = AsyncZeroconf(interfaces=addresses, ip_version=IPVersion.V4Only)
        self._zeroconf, self.advertised = zeroconf, addresses
        try:
            for info in self._ad.infos(addresses):
                await (await zeroconf.async_register_service(info, allow_name_change=True))
        except (OSError, ZeroconfError) as err:
            _log.warning("cannot advertise the box on %s (tried again later): %s", addresses, err)
            await self._withdraw()
            return
        _log.info("advertising %s by mDNS on %s", self._ad.instance, ", ".join(addresses))

    async def _withdraw(self) -> None:
        zeroconf, self._zeroconf, self.advertised = self._zeroconf, None, []
        if zeroconf is not None:
            await zeroconf.async_unregister_all_services()
            await zeroconf.async_close()
