"""The quirks of DEVICES.md, driver against simulator: SMART deaf in soft-off and noisy at boot,
Promethean's silent sets, refusals, Samsung's power-on retries and LAN reconnect."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from devices.panels import PanelError, PanelState, PanelTimeout
from devices.simulators import PanelRequest, SamsungSimulator
from tests.test_panel_driver import LINKS, driven

POWER_ON = PanelRequest("power", True, b"set powerstate=on")


@pytest.mark.parametrize("link", LINKS)
async def test_smart_power_on_is_retried_until_it_wakes(link: str, tmp_path: Path) -> None:
    async with driven("smart", link, tmp_path, {"wake_misses": 2}) as (panel, sim):
        assert (await panel.power(True)).power == "on"
        assert sim.requests.count(POWER_ON) == 3
    async with driven("smart", link, tmp_path, {"wake_misses": 3}) as (panel, sim):
        with pytest.raises(
            PanelTimeout, match=r"no answer to power on.*does not answer in standby"
        ):
            await panel.power(True)
        assert sim.power == "standby"


async def test_smart_is_deaf_in_soft_off(tmp_path: Path) -> None:
    async with driven("smart", "pty", tmp_path) as (panel, sim):
        with pytest.raises(PanelTimeout, match="power it on first"):
            await panel.state()  # a fresh driver cannot tell deaf from dead
        await panel.power(True)
        off = await panel.power(False)  # its silence afterwards is the soft-off it was sent to
        assert off.power == "standby"
        assert (await panel.state()).power == "standby"
        heard = len(sim.requests)
        assert (await panel.power(False)).power == "standby"
        assert len(sim.requests) == heard  # nothing sent: it would not hear it
        with pytest.raises(PanelTimeout, match="power it on first"):
            await panel.select_input("hdmi2")


async def test_smart_models_that_answer_in_ready(tmp_path: Path) -> None:
    options = {"answers_power_query_in_standby": True}
    async with driven("smart", "tcp", tmp_path, options) as (panel, _):
        assert await panel.state() == PanelState("standby")


async def test_smart_boot_noise_and_unsolicited_lines_are_passed_over(tmp_path: Path) -> None:
    noise = b"\x00\xff\r\nkernel: usb 1-1\r\n#boot\r\n>\r\n#touch 12,40\r\n>volume=99"
    async with driven("smart", "pty", tmp_path, {"boot_noise": noise}) as (panel, sim):
        await panel.power(True)
        sim.replies.send_raw(b"#input changed\r\n")
        assert (await panel.set_volume(35)).volume == 35
        assert (await panel.state()).volume == 35


async def test_smart_older_firmware_wants_upper_case_inputs(tmp_path: Path) -> None:
    sim_options = {"upper_case_inputs": True}
    async with driven("smart", "tcp", tmp_path, sim_options, upper_case_inputs=True) as (
        panel,
        sim,
    ):
        sim.power = "on"
        assert (await panel.select_input("vga1")).input == "vga1"
        assert sim.requests[-1].raw == b"set input=VGA"
        assert (await panel.state()).input == "vga1"


async def test_promethean_sets_are_silent_and_read_back(tmp_path: Path) -> None:
    async with driven("promethean", "tcp", tmp_path) as (panel, sim):
        await panel.power(True)
        answered = sim.replies.sent
        heard = len(sim.requests)
        assert (await panel.select_input("ops1")).input == "ops1"
        assert [request.about for request in sim.requests[heard:]] == ["input", "power"]
        assert sim.replies.sent == answered + 1  # the power status only
        sim.power = "standby"
        with pytest.raises(PanelError, match="mute not applied, power is standby"):
            await panel.set_mute(True)
        assert not sim.muted


@pytest.mark.parametrize(
    ("protocol", "refusal"), [("lfd", "-"), ("samsung", "NAK, error code 01"), ("lg", "NG01")]
)
async def test_a_refusal_says_what_the_panel_said(
    protocol: str, refusal: str, tmp_path: Path
) -> None:
    async with driven(protocol, "tcp", tmp_path) as (panel, _):
        with pytest.raises(
            PanelError, match=f"refused to set the volume to 25: {re.escape(refusal)}"
        ):
            await panel.set_volume(25)  # in standby


@pytest.mark.parametrize("link", LINKS)
async def test_samsung_power_on_is_sent_again_until_acknowledged(link: str, tmp_path: Path) -> None:
    async with driven("samsung", link, tmp_path, {"power_on_misses": 2}) as (panel, sim):
        assert (await panel.power(True)).power == "on"
        assert len([r for r in sim.requests if r.about == "power" and r.value]) == 3
    async with driven("samsung", link, tmp_path, {"power_on_misses": 3}) as (panel, sim):
        with pytest.raises(PanelTimeout, match="no answer to power on within"):
            await panel.power(True)


async def test_samsung_over_lan_is_reconnected_after_power_on(tmp_path: Path) -> None:
    sim_options = {"lan_restart_seconds": 0.2}
    async with driven("samsung", "tcp", tmp_path, sim_options, lan_reconnect_seconds=0.25) as (
        panel,
        sim,
    ):
        assert (await panel.power(True)).power == "on"
        assert isinstance(sim, SamsungSimulator)
        assert sim.lan_restarts == 1
        assert (await panel.select_input("hdmi3")).input == "hdmi3"
    async with driven("samsung", "tcp", tmp_path, sim_options, lan_reconnect_seconds=0.0) as (
        panel,
        sim,
    ):
        with pytest.raises(PanelError, match="after power on failed, link down: cannot connect"):
            await panel.power(True)  # reconnected too soon: the LAN module was still restarting
        await asyncio.sleep(0.25)
        assert (await panel.state()).power == "on"
