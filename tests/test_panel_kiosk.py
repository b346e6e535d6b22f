"""The panel agent in kiosk mode for real: real Chromium on an Xvfb display, a real box. It shows
the pairing PIN, then a lesson page (served here; its script reports load, visibility, key
presses and its sound back to this test), turns pages with pynput, blanks (the lesson's sound
pauses) and unblanks without reloading the lesson, relaunches a browser that went away, and its
idle time resets on X input (xdotool). Only the screen is virtual (Xvfb)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import select
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from devices.agent import DisplayError, PanelAgent
from devices.agent.__main__ import main, make_display
from devices.agent._chromium import sandbox_flags
from devices.agent._kiosk import KioskDisplay
from tests._box import Box
from tests._panels import (
    Clock,
    agent_config,
    box_on,
    confirm,
    panel_settings,
    running_agent,
    url_of,
)

NEEDED = ("Xvfb", "chromium", "xdotool")
MISSING = [name for name in NEEDED if shutil.which(name) is None]
needs_x_and_chromium = pytest.mark.skipif(
    bool(MISSING),
    reason=f"kiosk mode needs {', '.join(NEEDED)} on PATH, missing {', '.join(MISSING)}"
    " (apt-get install xvfb chromium xdotool; .ci/run installs them)",
)
LESSON = """<!doctype html><html><body style="height:20000px"><h1>Fractions</h1><script>
const say = what => fetch("/beacon", {method: "POST", body: what});
addEventListener("keydown", event => say("key " + event.key));
document.addEventListener("visibilitychange", () => say("visibility " + document.visibilityState));
const wav = new DataView(new ArrayBuffer(44 + 8000));  // 1 s of 8 kHz 8-bit silence, looped
[[0, "RIFF"], [8, "WAVEfmt "], [36, "data"]].forEach(([at, text]) =>
  [...text].forEach((c, i) => wav.setUint8(at + i, c.charCodeAt(0))));
[[4, 8036], [16, 16], [24, 8000], [28, 8000], [40, 8000]].forEach(([at, n]) =>
  wav.setUint32(at, n, true));
[[20, 1], [22, 1], [32, 1], [34, 8]].forEach(([at, n]) => wav.setUint16(at, n, true));
for (let i = 44; i < 8044; i++) wav.setUint8(i, 128);
const sound = new Audio(URL.createObjectURL(new Blob([wav.buffer], {type: "audio/wav"})));
sound.loop = true;
sound.onplaying = () => say("media playing");
sound.onpause = () => say("media pause");
say("load " + document.visibilityState);
</script></body></html>"""


@pytest.fixture
def x_display(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    """A fresh Xvfb on a display number it picks itself (-displayfd); DISPLAY points at it."""
    read, write = os.pipe()
    command = ["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x800x24", "-nolisten", "tcp"]
    server = subprocess.Popen(command, pass_fds=(write,), stderr=subprocess.DEVNULL)
    os.close(write)
    try:
        with os.fdopen(read) as pipe:
            assert select.select([pipe], [], [], 10)[0], "Xvfb did not start within 10 s"
            display = f":{pipe.readline().strip()}"
        assert display != ":", "Xvfb exited at start"
        monkeypatch.setenv("DISPLAY", display)
        monkeypatch.setenv("HOME", str(tmp_path / "home"))  # Chromium's odds and ends go here
        yield display
    finally:
        server.terminate()
        server.wait(10)


class Lesson:
    """A lesson page on loopback; what its script reports arrives in `said`, in order."""

    def __init__(self) -> None:
        self.said: list[str] = []
        self.heard = asyncio.Condition()
        app = web.Application()
        app.router.add_get("/lesson", self._page)
        app.router.add_post("/beacon", self._beacon)
        self.server = TestServer(app, host="127.0.0.1")

    async def _page(self, request: web.Request) -> web.Response:
        return web.Response(text=LESSON, content_type="text/html")

    async def _beacon(self, request: web.Request) -> web.Response:
        async with self.heard:
            self.said.append(await request.text())
            self.heard.notify_all()
        return web.Response(status=204)

    async def next_said(self, after: int, count: int = 1, seconds: float = 10.0) -> list[str]:
        """What the page said from index `after` on, once it said `count` things."""
        async with asyncio.timeout(seconds), self.heard:
            await self.heard.wait_for(lambda: len(self.said) >= after + count)
            return self.said[after:]


@contextlib.asynccontextmanager
async def kiosk_agent(box: Box, state_dir: Path) -> AsyncIterator[PanelAgent]:
    root = os.geteuid() == 0  # as root (CI, containers) Chromium needs --no-sandbox
    config = agent_config(url_of(box), state_dir).replace(headless=False, no_sandbox=root)
    display = await asyncio.to_thread(make_display, config)  # as the agent's main does
    try:
        async with running_agent(config, display) as agent:
            yield agent
    finally:
        await display.close()


async def evaluate(http: aiohttp.ClientSession, devtools: str, expression: str) -> Any:
    """`expression` in the browser's first page, over DevTools, independently of the agent; as
    if a person did it (a user gesture: it may start sound)."""
    async with http.get(f"{devtools}/json/list") as answer:
        pages = [t for t in await answer.json() if t["type"] == "page"]
    async with http.ws_connect(pages[0]["webSocketDebuggerUrl"]) as socket:
        params = {"expression": expression, "returnByValue": True, "userGesture": True}
        await socket.send_json({"id": 1, "method": "Runtime.evaluate", "params": params})
        async for message in socket:
            answer = message.json()
            if answer.get("id") == 1:
                return answer["result"]["result"].get("value")
    return None


async def page_text(http: aiohttp.ClientSession, devtools: str) -> str:
    return str(await evaluate(http, devtools, "document.body ? document.body.innerText : ''"))


async def shows(http: aiohttp.ClientSession, display: KioskDisplay, pattern: str) -> str:
    async with asyncio.timeout(15):
        while True:
            if display.browser.devtools is not None:
                with contextlib.suppress(aiohttp.ClientError, KeyError, IndexError):
                    found = re.search(pattern, await page_text(http, display.browser.devtools.url))
                    if found:
                        return found[0]
            await asyncio.sleep(0.1)


async def page_urls(http: aiohttp.ClientSession, display: KioskDisplay) -> list[str]:
    assert display.browser.devtools is not None
    async with http.get(f"{display.browser.devtools.url}/json/list") as answer:
        return [t["url"] for t in await answer.json() if t["type"] == "page"]


async def row_when(box: Box, test: Any, seconds: float = 10.0) -> dict[str, Any]:
    """The agent's row in the box's list (what it last reported), once it passes `test`."""
    async with asyncio.timeout(seconds):
        while True:
            row: dict[str, Any] = (await box.call("GET", "/panel-agents", "admin"))[1]["agents"][0]
            if row["idle_seconds"] is not None and test(row):
                return row
            await asyncio.sleep(0.05)


async def xdotool(*args: str) -> None:
    process = await asyncio.create_subprocess_exec("xdotool", *args)
    assert await process.wait() == 0, f"xdotool {args}"


@needs_x_and_chromium
async def test_kiosk_agent_drives_real_chromium(x_display: str, tmp_path: Path) -> None:
    before = await asyncio.to_thread(_profiles)
    lesson = Lesson()
    await lesson.server.start_server()
    try:
        async with (
            box_on(panel_settings(tmp_path / "box"), Clock()) as box,
            kiosk_agent(box, tmp_path / "agent") as agent,
            aiohttp.ClientSession() as http,
        ):
            assert isinstance(agent.display, KioskDisplay)
            await _pair_through_the_screen(box, agent, agent.display, http)
            await _show_turn_blank(box, agent.display, http, lesson)
            await _idle_resets_on_x_input(box)
            await _a_browser_that_went_away_is_relaunched(box, agent.display, http, lesson)
            assert agent.display.browser.running
        assert not agent.display.browser.running and agent.display.browser.devtools is None
        left = await asyncio.to_thread(_profiles) - before
        assert not left, "the throwaway profile is deleted"
    finally:
        await lesson.server.close()


async def _pair_through_the_screen(
    box: Box, agent: PanelAgent, display: KioskDisplay, http: aiohttp.ClientSession
) -> None:
    pin = (await shows(http, display, r"\d{3} \d{3}")).replace(" ", "")
    assert "Pairing PIN" in await page_text(http, _devtools(display))
    status, answer = await confirm(box, agent.state.agent_id, pin)
    assert status == 200, answer
    await asyncio.wait_for(agent.connected.wait(), 10)
    await shows(http, display, "Paired")


async def _show_turn_blank(
    box: Box, display: KioskDisplay, http: aiohttp.ClientSession, lesson: Lesson
) -> None:
    url = str(lesson.server.make_url("/lesson"))
    assert (await _remote(box, "show", {"url": url}))["result"] == {"url": url}
    assert await lesson.next_said(0) == ["load visible"], "Chromium opened it, in front"
    assert url in await page_urls(http, display)
    for command, key in (("next", "PageDown"), ("previous", "PageUp")):
        said = len(lesson.said)
        await _remote(box, command)
        assert await lesson.next_said(said) == [f"key {key}"], "the page got the pynput key"
    said = len(lesson.said)
    await evaluate(http, _devtools(display), "sound.play(), 0")  # the teacher taps play
    assert await lesson.next_said(said) == ["media playing"]
    said = len(lesson.said)
    await _remote(box, "blank")
    assert await lesson.next_said(said) == ["visibility hidden"], "a black tab covers it"
    assert len(await page_urls(http, display)) == 2
    status, answer = await box.call("POST", _path(box, "next"), "teach")
    assert status == 502 and "blanked" in str(answer), answer
    await _remote(box, "unblank")
    await _remote(box, "next")
    said_since = await lesson.next_said(said, count=4)
    assert said_since[0] == "visibility hidden" and said_since[-1] == "key PageDown", said_since
    assert sorted(said_since[1:3]) == ["media pause", "visibility visible"], (
        "the frozen lesson's sound paused; uncovered, not reloaded, and it has the keyboard"
    )
    assert await page_urls(http, display) == [url]
    health = (await row_when(box, lambda row: not row["health"]["blanked"]))["health"]
    assert health["mode"] == "kiosk" and health["browser_running"] and health["input_listener"]
    assert health["showing"] == url


async def _idle_resets_on_x_input(box: Box) -> None:
    """Commands count as activity; so does input the pynput listener hears on the display."""
    for heard_by, *xdotool_args in (("mouse", "mousemove", "200", "300"), ("key", "key", "shift")):
        await row_when(box, lambda row: row["idle_seconds"] >= 1.0)
        await xdotool(*xdotool_args)
        reset = await row_when(box, lambda row: row["idle_seconds"] < 0.6, seconds=5)
        assert reset["idle_seconds"] < 0.6, f"the {heard_by} listener heard it"


async def _a_browser_that_went_away_is_relaunched(
    box: Box, display: KioskDisplay, http: aiohttp.ClientSession, lesson: Lesson
) -> None:
    old = _devtools(display)
    async with http.get(f"{old}/json/version") as answer:
        browser = (await answer.json())["webSocketDebuggerUrl"]
    async with http.ws_connect(browser) as socket:
        await socket.send_json({"id": 1, "method": "Browser.close"})
        await socket.receive(timeout=5)
    await row_when(box, lambda row: not row["health"]["browser_running"])
    said = len(lesson.said)
    url = str(lesson.server.make_url("/lesson"))
    await _remote(box, "show", {"url": url})
    assert await lesson.next_said(said) == ["load visible"]
    assert _devtools(display) != old and await page_urls(http, display) == [url]


def _profiles() -> set[Path]:
    return set(Path(tempfile.gettempdir()).glob("edge-panel-chromium-*"))


def _devtools(display: KioskDisplay) -> str:
    assert display.browser.devtools is not None
    return display.browser.devtools.url


def _path(box: Box, command: str) -> str:
    return f"/rooms/{box.school['room']}/panel/{command}"


async def _remote(box: Box, command: str, body: Any = None) -> dict[str, Any]:
    status, answer = await box.call("POST", _path(box, command), "teach", body)
    assert status == 200 and answer["agents"][0]["ok"], answer
    outcome: dict[str, Any] = answer["agents"][0]
    return outcome


def test_chromium_keeps_its_sandbox_unless_root_asks(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert sandbox_flags(no_sandbox=False, euid=1000) == ()
    assert sandbox_flags(no_sandbox=True, euid=1000) == (), "ignored for a panel's user"
    assert sandbox_flags(no_sandbox=True, euid=0) == ("--no-sandbox",)
    with pytest.raises(DisplayError, match="as root with its sandbox"):
        sandbox_flags(no_sandbox=False, euid=0)
    (tmp_path / "chromium").write_text("#!/bin/sh\nexit 1\n")
    (tmp_path / "chromium").chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    assert main(["--box", "http://127.0.0.1:9", "--state-dir", str(tmp_path / "state")]) == 2
    assert "set no_sandbox = true" in capsys.readouterr().err, "refused before any launch"
