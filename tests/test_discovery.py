"""mDNS for real, on loopback only: the box's advertisement with its TXT records, a panel agent
finding the box by it, and advertising again when the box's addresses change."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from zeroconf import IPVersion, ServiceStateChange, Zeroconf
from zeroconf.asyncio import AsyncServiceBrowser, AsyncServiceInfo, AsyncZeroconf

from edge import __version__
from edge.discovery import BOX_SERVICE, HTTP_SERVICE, Advertisement, Advertiser, host_addresses
from edge.web._keys import DB, DISCOVERY
from tests._panels import (
    Clock,
    agent_config,
    box_on,
    pair_and_connect,
    panel_settings,
    running_agent,
)

LOOPBACK = "127.0.0.1"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        port: int = probe.getsockname()[1]
        return port


class Listener:
    """A zeroconf browser on loopback that records what it hears."""

    def __init__(self, zeroconf: AsyncZeroconf) -> None:
        self.zeroconf = zeroconf
        self.heard: asyncio.Queue[tuple[str, ServiceStateChange]] = asyncio.Queue()

    def __call__(
        self, zeroconf: Zeroconf, service_type: str, name: str, state_change: ServiceStateChange
    ) -> None:
        self.heard.put_nowait((name, state_change))

    async def next(self, change: ServiceStateChange, instance: str = "") -> str:
        """The next service name with that change, of `instance` (a box's name) if given."""
        async with asyncio.timeout(10):
            while True:
                name, heard = await self.heard.get()
                if heard is change and name.startswith(instance):
                    return name


@pytest.fixture
async def listener() -> AsyncIterator[Listener]:
    zeroconf = AsyncZeroconf(interfaces=[LOOPBACK], ip_version=IPVersion.V4Only)
    found = Listener(zeroconf)
    browser = AsyncServiceBrowser(zeroconf.zeroconf, [BOX_SERVICE, HTTP_SERVICE], handlers=[found])
    yield found
    await browser.async_cancel()
    await zeroconf.async_close()


async def _info(listener: Listener, kind: str, name: str) -> AsyncServiceInfo:
    info = AsyncServiceInfo(kind, name)
    assert await info.async_request(listener.zeroconf.zeroconf, 3000)
    return info


async def test_the_box_is_advertised_with_its_txt_records(
    tmp_path: Path, listener: Listener
) -> None:
    port = _free_port()
    instance = f"Discovery test {port}"
    settings = panel_settings(tmp_path).replace("http", port=port).replace("box", name=instance)
    settings = settings.replace("discovery", enabled=True, interfaces=LOOPBACK)
    async with box_on(settings, Clock(), port=port) as box:
        names = {await listener.next(ServiceStateChange.Added, instance) for _ in range(2)}
        kinds = {name.split(".", 1)[1]: name for name in names}
        assert set(kinds) == {BOX_SERVICE, HTTP_SERVICE}
        info = await _info(listener, BOX_SERVICE, kinds[BOX_SERVICE])
        assert info.port == port and info.parsed_addresses() == [LOOPBACK]
        node = box.client.app[DB].clock
        assert node is not None and info.decoded_properties == {
            "id": node.node,
            "version": __version__,
            "api": "/api/v1",
            "path": "/api/v1",
        }
        assert (await _info(listener, HTTP_SERVICE, kinds[HTTP_SERVICE])).decoded_properties[
            "path"
        ] == "/"
        advertiser = box.client.app[DISCOVERY]
        assert advertiser is not None and advertiser.advertised == [LOOPBACK]
        async with running_agent(
            agent_config("", tmp_path / "agent", mdns_interfaces=LOOPBACK)
        ) as agent:
            await pair_and_connect(box, agent)
            assert agent.welcome["room_id"] == box.school["room"]
    assert await listener.next(ServiceStateChange.Removed, instance), "withdrawn at the stop"


async def test_advertised_again_when_the_addresses_change(listener: Listener) -> None:
    addresses = [[LOOPBACK]]
    advertiser = Advertiser(
        Advertisement("Test Box", 8080, "0123456789abcdef", "0.0.0"),
        poll_seconds=0.05,
        addresses=lambda: addresses[0],
    )
    advertiser.start()
    try:
        await listener.next(ServiceStateChange.Added, "Test Box.")
        addresses[0] = []  # the network went away
        await listener.next(ServiceStateChange.Removed, "Test Box.")
        assert advertiser.advertised == []
        addresses[0] = [LOOPBACK]
        assert (await listener.next(ServiceStateChange.Added)).startswith("Test Box.")
    finally:
        await advertiser.stop()


def test_host_addresses_leave_out_loopback_unless_asked() -> None:
    assert LOOPBACK not in host_addresses()
    assert host_addresses(f"{LOOPBACK}, 192.0.2.250") == [LOOPBACK]
