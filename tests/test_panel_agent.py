"""The headless panel agent against a real box: it comes back on its own after the box restarts,
pairs again when revoked, keeps its id, backs off with jitter; its config and kiosk refusals."""

from __future__ import annotations

import asyncio
import random
import stat
from pathlib import Path

import pytest

from devices.agent import (
    AgentState,
    BrowserNotFound,
    ConfigError,
    HeadlessDisplay,
    Health,
    PanelAgent,
    backoff_delay,
    find_browser,
    load_config,
    perform,
)
from devices.agent.__main__ import main
from tests._panels import (
    Clock,
    agent_config,
    box_on,
    display_of,
    pair_and_connect,
    panel_settings,
    running_agent,
    shown_pin,
    url_of,
)


async def test_agent_comes_back_after_the_box_restarts(tmp_path: Path) -> None:
    settings, clock = panel_settings(tmp_path / "box"), Clock()
    async with box_on(settings, clock) as box:
        port, school = box.client.port, box.school
        assert port is not None
        async with running_agent(agent_config(url_of(box), tmp_path / "agent")) as agent:
            await pair_and_connect(box, agent)
            token = agent.state.token
            await box.client.close()
            await asyncio.wait_for(_disconnected(agent), 5)
            async with box_on(settings, clock, school, port) as again:
                await asyncio.wait_for(agent.connected.wait(), 10)
                assert agent.sessions == 2 and agent.state.token == token, "no new pairing"
                status, answer = await again.call(
                    "POST", f"/rooms/{school['room']}/panel/next", "teach"
                )
                assert status == 200, answer


async def _disconnected(agent: PanelAgent) -> None:
    while agent.connected.is_set():  # noqa: ASYNC110 - the agent offers no "disconnected" event
        await asyncio.sleep(0.01)


async def test_a_revoked_agent_pairs_again(tmp_path: Path) -> None:
    async with box_on(panel_settings(tmp_path / "box"), Clock()) as box:
        config = agent_config(url_of(box), tmp_path / "agent")
        async with running_agent(config) as agent:
            await pair_and_connect(box, agent)
            shown = len(display_of(agent).events)
            agent_id = agent.state.agent_id
            assert (await box.call("DELETE", f"/panel-agents/{agent_id}", "admin"))[0] == 204
            pin = await shown_pin(agent, after=shown)
            assert agent.state.token is None and AgentState.load(config.state_dir).token is None
            listed = (await box.call("GET", "/panel-agents/pairings", "admin"))[1]["pairings"]
            assert [p["agent_id"] for p in listed] == [agent_id], "the same id asks again"
            assert len(pin) == 6


def test_agent_state_keeps_its_id_privately(tmp_path: Path) -> None:
    first = AgentState.load(tmp_path)
    first.paired("secret-token")
    again = AgentState.load(tmp_path)
    assert (again.agent_id, again.token) == (first.agent_id, "secret-token")
    assert stat.S_IMODE(first.path.stat().st_mode) == 0o600


def test_backoff_grows_to_its_ceiling_with_full_jitter() -> None:
    rng = random.Random(7)
    assert backoff_delay(0, 0.5, 30.0, rng) == 0.0
    for failures, ceiling in ((1, 0.5), (3, 2.0), (7, 30.0), (10_000, 30.0)):
        delays = [backoff_delay(failures, 0.5, 30.0, rng) for _ in range(200)]
        assert all(0 <= d <= ceiling for d in delays) and max(delays) > ceiling * 0.8


def test_kiosk_mode_without_a_browser_says_so(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(BrowserNotFound, match="install chromium"):
        find_browser()
    (tmp_path / "chromium").write_text("#!/bin/sh\n")
    (tmp_path / "chromium").chmod(0o755)
    assert find_browser() == str(tmp_path / "chromium")
    assert main(["--config", str(tmp_path / "missing.toml")]) == 2
    assert "missing.toml" in capsys.readouterr().err


def test_config_file_is_checked_by_name_and_type(tmp_path: Path) -> None:
    path = tmp_path / "agent.toml"
    path.write_text('box_url = "http://10.0.0.5:8080"\nheadless = true\nbackoff_max_seconds = 9\n')
    config = load_config(path)
    assert (config.box_url, config.headless, config.backoff_max_seconds) == (
        "http://10.0.0.5:8080",
        True,
        9.0,
    )
    path.write_text("boxurl = 'x'\n")
    with pytest.raises(ConfigError, match="unknown key 'boxurl'"):
        load_config(path)
    path.write_text("headless = 'yes'\n")
    with pytest.raises(ConfigError, match="expected bool"):
        load_config(path)


async def test_commands_are_acknowledged_even_when_they_fail() -> None:
    now = [0.0]
    display, health = HeadlessDisplay(clock=lambda: now[0]), Health()
    now[0] = 5.0
    ack = await perform(display, {"id": "1", "command": "show", "url": "http://box/x"}, health)
    assert ack == {"type": "ack", "id": "1", "ok": True, "result": {"url": "http://box/x"}}
    now[0] = 12.5
    ack = await perform(display, {"id": "2", "command": "health"}, health)
    assert ack["ok"] and ack["result"]["idle_seconds"] == 7.5 and ack["result"]["showing"]
    ack = await perform(display, {"id": "3", "command": "dance"}, health)
    assert ack["ok"] is False and "dance" in ack["error"] and "dance" in health.last_error
