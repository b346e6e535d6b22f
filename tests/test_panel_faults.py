"""Faults between the driver and a panel: silence, garbage, answers in pieces, a link that drops
mid-command or is not there. Each is a clear `PanelError` in bounded time, never a hung call."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from devices.panels import PanelError, PanelTimeout, make_panel_codec, open_panel
from devices.simulators import TcpLink
from tests.test_panel_driver import FAST, LINKS, PROTOCOLS, driven
from tests.test_panel_simulators import simulator

GARBAGE = b"\x00\x13\x7f#zz\r\n"  # no byte that starts an answer, and a line end for SMART


@pytest.mark.parametrize("link", LINKS)
@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_a_panel_that_never_answers_times_out(
    protocol: str, link: str, tmp_path: Path
) -> None:
    timeout = 0.2
    async with driven(protocol, link, tmp_path, timeout=timeout) as (panel, sim):
        sim.power = "on"
        sim.replies.silent = True
        for call, what in ((panel.state(), "read the state"), (panel.set_mute(True), "mute")):
            started = time.monotonic()
            with pytest.raises(PanelTimeout, match=f"no answer to {what} within {timeout} s"):
                await call
            assert timeout <= time.monotonic() - started < timeout + 0.3
        started = time.monotonic()
        with pytest.raises(PanelTimeout):
            await panel.power(True)  # every attempt, then (Promethean) the read-back
        assert time.monotonic() - started < 3 * FAST["retry_seconds"] + timeout + 0.3
        assert sim.power == "on"


@pytest.mark.parametrize("link", LINKS)
@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_garbage_and_answers_in_pieces(protocol: str, link: str, tmp_path: Path) -> None:
    async with driven(protocol, link, tmp_path, timeout=1.0) as (panel, sim):
        sim.replies.garbage = GARBAGE
        assert (await panel.power(True)).power == "on"
        sim.replies.send_noise(300)  # between commands, drained before the next one
        sim.replies.byte_delay = 0.003
        assert (await panel.select_input("hdmi2")).input == "hdmi2"
        sim.replies.send_raw(GARBAGE)
        assert (await panel.set_volume(64)).volume == 64
        assert (sim.input, sim.volume) == ("hdmi2", 64)


@pytest.mark.parametrize("link", LINKS)
@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_a_link_dropped_mid_command_then_the_state_is_read_back(
    protocol: str, link: str, tmp_path: Path
) -> None:
    async with driven(protocol, link, tmp_path) as (panel, sim):
        sim.power = "on"
        sim.replies.drop_next_reply = True
        with pytest.raises(PanelError, match="set the volume to 30 failed, link down") as failed:
            await panel.set_volume(30)
        assert not isinstance(failed.value, PanelTimeout)
        sim.volume = 55  # changed while the driver could not see
        await asyncio.sleep(0.05)
        heard = len(sim.requests)
        state = await panel.set_mute(True)
        assert sim.requests[heard].about == "power" and sim.requests[heard].value is None
        assert state.power == "on" and state.muted
        if "volume" in make_panel_codec(protocol).readable:
            assert state.volume == 55


async def test_an_unreachable_panel_is_retried_with_backoff(tmp_path: Path) -> None:
    async with driven("lg", "tcp", tmp_path, backoff=(0.3,)) as (panel, sim):
        await sim.unplug()
        await asyncio.sleep(0.05)  # the idle connection is seen closed, and cannot be reopened
        with pytest.raises(PanelError, match="read the state failed, link down: cannot connect"):
            await panel.state()
        await sim.replug()
        with pytest.raises(PanelError, match=r"next attempt in 0\.\d s"):
            await panel.state()  # no new attempt inside the backoff
        await asyncio.sleep(0.3)
        assert (await panel.state()).power == "standby"


async def test_a_serial_panel_unplugged_and_plugged_back(tmp_path: Path) -> None:
    async with driven("samsung", "pty", tmp_path) as (panel, sim):
        await panel.state()
        await sim.unplug()
        with pytest.raises(PanelError, match="link down"):
            await panel.set_volume(10)
        await sim.replug()
        sim.power = "on"
        assert (await panel.set_volume(10)).volume == 10
        assert sim.volume == 10


async def test_open_panel_returns_a_panel_that_connects_later() -> None:
    async with simulator("lg", TcpLink()) as sim:
        await sim.unplug()
        panel = await open_panel("lg", sim.address, **FAST)
        try:
            await sim.replug()
            await asyncio.sleep(0.05)  # the second backoff delay
            assert (await panel.state()).power == "standby"
        finally:
            await panel.close()
