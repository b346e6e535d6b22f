"""The panel driver against every protocol's simulator, over a pty and over TCP: power, input,
volume, mute, the state read back, the power transition lock, one command at a time."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from devices.panels import (
    PANEL_PROTOCOLS,
    Panel,
    PanelBusy,
    PanelError,
    PanelState,
    make_panel_codec,
    open_panel,
)
from devices.simulators import PanelSimulator, PtyLink, TcpLink
from tests.test_panel_simulators import simulator

PROTOCOLS = sorted(PANEL_PROTOCOLS)
LINKS = ["pty", "tcp"]
#: driver timings shrunk for tests; the simulators' own transition is shorter than the driver's
FAST: dict[str, Any] = {
    "transition_seconds": 0.15,
    "timeout": 0.4,
    "retry_seconds": 0.1,
    "lan_reconnect_seconds": 0.15,
    "backoff": (0.0, 0.05),
}
SIMULATED_TRANSITION = 0.1


@contextlib.asynccontextmanager
async def driven(
    protocol: str,
    link: str,
    tmp_path: Path,
    sim_options: dict[str, Any] | None = None,
    **panel_options: Any,
) -> AsyncIterator[tuple[Panel, PanelSimulator]]:
    """A simulated panel and the driver of it, both closed at the end."""
    sim_link = PtyLink(tmp_path / "by-id" / protocol) if link == "pty" else TcpLink()
    options = {"transition_seconds": SIMULATED_TRANSITION, **(sim_options or {})}
    async with simulator(protocol, sim_link, **options) as sim:
        panel = await open_panel(protocol, sim.address, **{**FAST, **panel_options})
        try:
            yield panel, sim
        finally:
            await panel.close()


@pytest.mark.parametrize("link", LINKS)
@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_power_input_volume_mute(protocol: str, link: str, tmp_path: Path) -> None:
    readable = make_panel_codec(protocol).readable
    async with driven(protocol, link, tmp_path) as (panel, sim):
        assert (await panel.power(True)).power == "on"
        assert sim.power == "on"
        assert (await panel.select_input("hdmi2")).input == "hdmi2"
        assert (await panel.set_volume(42)).volume == 42
        assert await panel.set_mute(True) == PanelState("on", "hdmi2", 42, True)
        assert (sim.input, sim.volume, sim.muted) == ("hdmi2", 42, True)
        sim.volume, sim.input = 7, "hdmi1"  # changed at the panel itself
        read = await panel.state()
        assert read.volume == (7 if "volume" in readable else 42)
        assert read.input == ("hdmi1" if "input" in readable else "hdmi2")
        assert (await panel.power(False)).power == "standby"
        assert sim.power == "standby"
        assert panel.last_known.power == "standby"


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_nothing_is_sent_inside_the_transition_and_power_returns_after_it(
    protocol: str, tmp_path: Path
) -> None:
    async with driven(protocol, "tcp", tmp_path, transition_seconds=0.5) as (panel, sim):
        started = time.monotonic()
        powering = asyncio.create_task(panel.power(True))
        await asyncio.sleep(0.25)  # past the acknowledgement (SMART needs a second power-on)
        heard = len(sim.requests)
        for call in (panel.state(), panel.set_volume(10), panel.power(False)):
            with pytest.raises(PanelBusy, match="changing power state") as busy:
                await call
            assert 0 < busy.value.retry_after <= 0.5
        assert len(sim.requests) == heard
        assert (await powering).power == "on"
        assert time.monotonic() - started >= 0.5
        assert (await panel.set_volume(10)).volume == 10


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_one_command_at_a_time(protocol: str, tmp_path: Path) -> None:
    async with driven(protocol, "pty", tmp_path, timeout=1.0) as (panel, sim):
        sim.power = "on"
        sim.replies.byte_delay = 0.002  # answers trickle in while the others wait their turn
        levels = [11, 22, 33, 44]
        states = await asyncio.gather(*(panel.set_volume(level) for level in levels))
        assert [state.volume for state in states] == levels
        assert sim.volume == 44


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_an_input_the_protocol_cannot_carry_is_a_clear_error(
    protocol: str, tmp_path: Path
) -> None:
    async with driven(protocol, "tcp", tmp_path) as (panel, sim):
        with pytest.raises(PanelError, match=r"cannot select input 'hdmi9'.* no input 'hdmi9'"):
            await panel.select_input("hdmi9")
        with pytest.raises(PanelError, match="0 to 100"):
            await panel.set_volume(101)
        assert sim.requests == []
        assert protocol in str(panel) and sim.address.split("//")[-1] in str(panel)


async def test_a_closed_panel_refuses_every_call(tmp_path: Path) -> None:
    async with driven("lg", "tcp", tmp_path) as (panel, _):
        await panel.close()
        with pytest.raises(PanelError, match="closed"):
            await panel.state()


async def test_open_panel_refuses_what_cannot_work() -> None:
    with pytest.raises(ValueError, match="unknown panel protocol"):
        await open_panel("projector", "tcp://127.0.0.1:1")
    with pytest.raises(ValueError, match="serial port or tcp"):
        await open_panel("lg", "/dev/input/event3")
    with pytest.raises(ValueError, match="timeout"):
        await open_panel("lg", "tcp://127.0.0.1:1", timeout=0)
